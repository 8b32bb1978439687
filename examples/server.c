/* server: a small SMTP server that embeds libsmtpp, as an example.
 *
 *   server [-l ADDR] [-p PORT] [-d SPOOLDIR] [-u USER:PASS | -A] [-c MAX]
 *          [-t SECS] [-b SECS] [-m SECS] [-v]
 *
 * One thread, one poll() loop, non-blocking sockets, up to 64 clients at
 * once (-c); one more gets "421 4.3.2" and is closed.  Listens on 127.0.0.1
 * (port 2525 by default; -p 0 picks a free port) and prints "listening on
 * ADDR:PORT" once it does.  Each accepted message is stored in SPOOLDIR
 * (default ".") as a file TIME.PID.SEQ.eml, a name no other message gets:
 * the envelope (the MAIL line, one RCPT line per accepted recipient, each
 * as the client sent it, LF-terminated), an empty line, then the message
 * exactly as received after dot-unstuffing (DATA) or as the chunks' bytes
 * (BDAT).  The file and the directory are on disk (fsync) before the 250.
 *
 * Timeouts (RFC 5321 4.5.3.2; on expiry "421 4.4.2" and close): -t for the
 * next command to be complete (default 300 s, counted from the previous
 * one), -b between two reads of a message (180 s, the RFC's data block),
 * -m for a whole DATA body or BDAT chunk (600 s: the RFC sets no such
 * server limit, this borrows its 10-minute DATA termination).
 *
 * Everything about the protocol is the library's, through its connection
 * driver (smtpp/conn.h, lockstep): command parsing, what each command
 * deserves, pipelining rules, DATA and BDAT bodies, AUTH exchanges, EHLO
 * and every other reply, the 421s included.  This file only moves bytes and
 * takes the decisions the library leaves to a server: it accepts every
 * sender and recipient, checks AUTH PLAIN/LOGIN against one fixed user
 * (test:secret unless -u; -A accepts any credentials), and stores messages.
 *
 * Offered: PIPELINING SIZE 8BITMIME BINARYMIME CHUNKING DSN SMTPUTF8
 * ENHANCEDSTATUSCODES AUTH PLAIN LOGIN.  Not offered: STARTTLS (this example
 * links no TLS library), so AUTH travels in clear text: keep it on loopback.
 * It is not a product either: no queue, no delivery, one thread that waits
 * for the disk while it stores a message. */
#define _POSIX_C_SOURCE 200809L
#include <smtpp/smtpp.h>

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define IN_CAP (64 * 1024)   /* > the longest line the parsers keep (12288) */
#define OUT_CAP (64 * 1024)

typedef struct conn {
    int fd;
    int closing;             /* close once the output is flushed */
    long deadline;           /* ms (now_ms()): the client is too slow after it */
    long body_end;           /* ms: the message being read must end by then */
    smtpp_conn d;            /* the library's side of the conversation */
    char in[IN_CAP];         /* in[start..end) is not consumed yet */
    size_t start, end;
    char out[OUT_CAP];       /* replies not written yet */
    size_t out_n;
    char sasl[9216];         /* decoded AUTH responses (RFC 4954: 12288 in base64) */
    /* the transaction */
    char env[40000];         /* MAIL and RCPT lines, LF-terminated */
    size_t env_n;
    FILE *msg;               /* the message being received */
    char tmp[600];
    /* AUTH */
    uint32_t mech;
    int login_step;
    char user[256];
    size_t user_n;
} conn;

static smtpp_config cfg;
static const char *spool = ".";
static const char *credentials = "test:secret";
static int accept_any_auth, verbose;
static long max_clients = 64;
static long cmd_timeout = 300, block_timeout = 180, data_timeout = 600;   /* seconds */
static int spool_fd = -1;    /* the spool directory, to fsync new names */
static unsigned seq;         /* numbers every file name this process makes */

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* ---- Output ---------------------------------------------------------------- */

static void put(conn *c, const char *p, long n)
{
    if (n <= 0 || (size_t)n > OUT_CAP - c->out_n) {  /* cannot happen with these sizes */
        c->closing = 1;
        return;
    }
    memcpy(c->out + c->out_n, p, (size_t)n);
    c->out_n += (size_t)n;
    if (verbose) fprintf(stderr, "[%d] S: %.*s", c->fd, (int)n, p);
}

/* A reply of the server's choosing, written by the library's formatter. */
static void reply(conn *c, int code, const char *enhanced, const char *text)
{
    char buf[1024];
    put(c, buf, smtpp_session_reply(&c->d.session, code, enhanced, text, 0, buf, sizeof buf));
}

/* The reply the library chose (or proposed). */
static void reply_verdict(conn *c, const smtpp_verdict *v)
{
    char buf[1024];
    put(c, buf, smtpp_session_format(&c->d.session, v, buf, sizeof buf));
    if (v->close) c->closing = 1;
}

/* ---- The message store ------------------------------------------------------- */

static void discard_message(conn *c)
{
    if (c->msg) {
        fclose(c->msg);
        remove(c->tmp);
        c->msg = NULL;
    }
}

static int open_message(conn *c)
{
    int fd;
    discard_message(c);
    do {   /* O_EXCL: never write into a file that is already there */
        snprintf(c->tmp, sizeof c->tmp, "%s/tmp.%ld.%u", spool, (long)getpid(), ++seq);
        fd = open(c->tmp, O_WRONLY | O_CREAT | O_EXCL, 0600);
    } while (fd < 0 && errno == EEXIST);
    if (fd < 0 || !(c->msg = fdopen(fd, "wb"))) {
        fprintf(stderr, "server: %s: %s\n", c->tmp, strerror(errno));
        if (fd >= 0) close(fd);
        remove(c->tmp);
        return -1;
    }
    fwrite(c->env, 1, c->env_n, c->msg);
    fputc('\n', c->msg);
    return 0;
}

/* Gives the finished message its own name: the 250 it earns is a promise,
 * so the file is on disk and no other message ever replaces it (link()
 * fails where rename() would overwrite).  Returns the reply code. */
static int store_message(conn *c)
{
    char name[700];
    int bad;
    if (!c->msg) return 451;
    bad = fflush(c->msg) != 0 || ferror(c->msg) || fsync(fileno(c->msg)) != 0;
    bad |= fclose(c->msg) != 0;
    c->msg = NULL;
    while (!bad) {
        snprintf(name, sizeof name, "%s/%ld.%ld.%u.eml", spool, (long)time(NULL),
                 (long)getpid(), ++seq);
        if (link(c->tmp, name) == 0) break;
        if (errno != EEXIST) bad = 1;
    }
    remove(c->tmp);
    if (!bad && fsync(spool_fd) != 0) {   /* the new name itself must last */
        remove(name);
        bad = 1;
    }
    if (bad) return 451;
    fprintf(stderr, "server: stored %s\n", name);
    return 250;
}

static void add_envelope(conn *c, smtpp_str line)
{
    if (line.n + 1 > sizeof c->env - c->env_n) return;   /* max_rcpts keeps us below */
    memcpy(c->env + c->env_n, line.p, line.n);
    c->env_n += line.n;
    c->env[c->env_n++] = '\n';
}

/* ---- AUTH PLAIN and LOGIN against one user -------------------------------------- */

static int good_login(const char *user, size_t un, const char *pass, size_t pn)
{
    const char *colon = strchr(credentials, ':');
    size_t cu = (size_t)(colon - credentials);
    if (accept_any_auth) return 1;
    return un == cu && !memcmp(user, credentials, un) && pn == strlen(colon + 1) &&
           !memcmp(pass, colon + 1, pn);
}

/* One step of the exchange with the decoded response r.  Returns the reply
 * code (334 with *challenge set, 235 or 535). */
static int auth_step(conn *c, smtpp_str r, const char **challenge)
{
    if (c->mech == SMTPP_AUTH_PLAIN) {   /* authzid NUL authcid NUL passwd */
        const char *a = memchr(r.p, 0, r.n), *b;
        if (!a) return 535;
        b = memchr(a + 1, 0, r.n - (size_t)(a + 1 - r.p));
        if (!b) return 535;
        return good_login(a + 1, (size_t)(b - a - 1), b + 1, r.n - (size_t)(b + 1 - r.p)) ? 235
                                                                                           : 535;
    }
    if (c->login_step == 0) {            /* LOGIN: the user name, then the password */
        c->user_n = r.n < sizeof c->user ? r.n : sizeof c->user;
        memcpy(c->user, r.p, c->user_n);
        c->login_step = 1;
        *challenge = "UGFzc3dvcmQ6";     /* "Password:" */
        return 334;
    }
    return good_login(c->user, c->user_n, r.p, r.n) ? 235 : 535;
}

/* Sends the AUTH step's reply and reports it. */
static void auth_reply(conn *c, int code, const char *challenge)
{
    if (code == 334) reply(c, 334, NULL, challenge);
    else if (code == 235) reply(c, 235, "2.7.0", "Authentication successful");
    else reply(c, 535, "5.7.8", "Authentication credentials invalid");
    smtpp_conn_answer(&c->d, code, NULL);
}

/* ---- The decisions the library leaves to the server ------------------------------ */

/* A command the library found valid here (ev->v.action DECIDE). */
static void decide(conn *c, const smtpp_command *cmd, const smtpp_verdict *v)
{
    char buf[2048];
    int code = v->code;
    switch (cmd->verb) {
    case SMTPP_VERB_EHLO:
        put(c, buf, smtpp_session_ehlo(&c->d.session, buf, sizeof buf, "Hello"));
        smtpp_conn_answer(&c->d, 250, NULL);
        return;
    case SMTPP_VERB_AUTH: {
        const char *challenge = "";
        c->mech = smtpp_auth_mech_bit(cmd->arg);
        c->login_step = 0;
        if (c->mech == SMTPP_AUTH_LOGIN) challenge = "VXNlcm5hbWU6";   /* "Username:" */
        if (cmd->auth_initial.p) {
            long n = smtpp_base64_decode(cmd->auth_initial, buf, sizeof buf);
            smtpp_str r = { buf, n > 0 ? (size_t)n : 0 };
            code = n < 0 ? 535 : auth_step(c, r, &challenge);
        }
        auth_reply(c, code, challenge);
        return;
    }
    case SMTPP_VERB_MAIL:                 /* a new transaction */
        discard_message(c);
        c->env_n = 0;
        add_envelope(c, cmd->line);
        break;
    case SMTPP_VERB_RCPT:
        add_envelope(c, cmd->line);
        break;
    case SMTPP_VERB_DATA:
        if (open_message(c) != 0) code = 451;
        break;
    default:                              /* HELO and the rest: as proposed */
        break;
    }
    if (code == v->code) reply_verdict(c, v);
    else reply(c, 451, "4.3.0", "Local error in processing");
    smtpp_conn_answer(&c->d, code, NULL);
}

/* The end of a DATA message or a BDAT chunk. */
static void message_end(conn *c, const smtpp_event *ev)
{
    uint32_t i;
    if (ev->v.action == SMTPP_ACT_REPLY) {     /* refused: too big, bare LF, ... */
        if (ev->last) discard_message(c);
        reply_verdict(c, &ev->v);
        return;
    }
    for (i = 0; i < ev->v.count; i++) {        /* one reply per recipient in LMTP */
        int code = ev->last ? store_message(c) : 250;
        if (code == ev->v.code) reply_verdict(c, &ev->v);
        else reply(c, code, "4.3.0", "Could not store the message");
        smtpp_conn_answer(&c->d, code, NULL);
    }
}

static void on_event(conn *c, const smtpp_event *ev)
{
    const char *challenge = "";
    int code;
    switch (ev->type) {
    case SMTPP_EV_COMMAND:
        if (verbose) fprintf(stderr, "[%d] C: %.*s\n", c->fd, (int)ev->cmd.line.n, ev->cmd.line.p);
        if (ev->v.action == SMTPP_ACT_REPLY) reply_verdict(c, &ev->v);
        else if (ev->v.action == SMTPP_ACT_DECIDE) decide(c, &ev->cmd, &ev->v);
        else if (ev->v.action == SMTPP_ACT_BODY) {   /* BDAT: its chunk follows */
            if (!c->msg && c->d.session.state == SMTPP_ST_BDAT && open_message(c) != 0)
                c->closing = 1;
        } else c->closing = 1;                       /* after QUIT: nothing more */
        break;
    case SMTPP_EV_BODY:
        if (c->msg) fwrite(ev->data.p, 1, ev->data.n, c->msg);
        break;
    case SMTPP_EV_MESSAGE_END: message_end(c, ev); break;
    case SMTPP_EV_AUTH:
        if (ev->v.action == SMTPP_ACT_REPLY) {       /* "*", bad base64, too long */
            reply_verdict(c, &ev->v);
            break;
        }
        code = auth_step(c, ev->data, &challenge);   /* sets challenge: call it first */
        auth_reply(c, code, challenge);
        break;
    default: c->closing = 1; break;                  /* SMTPP_EV_CLOSE */
    }
}

/* Sets the time the client has for what it must send next (RFC 5321
 * 4.5.3.2): a message's bytes keep coming within block_timeout and end
 * within data_timeout; a command is complete within cmd_timeout of the
 * previous one (progress: one was just handled), however slowly it
 * trickles in. */
static void arm(conn *c, int progress)
{
    long now = now_ms();
    if (smtpp_session_next(&c->d.session) == SMTPP_NEXT_MESSAGE) {
        if (!c->body_end) c->body_end = now + data_timeout * 1000;
        c->deadline = now + block_timeout * 1000;
        if (c->deadline > c->body_end) c->deadline = c->body_end;
    } else {
        c->body_end = 0;
        if (progress) c->deadline = now + cmd_timeout * 1000;
    }
}

/* Handles every complete item in the input buffer.  Every decision is
 * answered at once, so the driver never waits (lockstep). */
static void serve(conn *c)
{
    int progress = 0;
    while (!c->closing && c->out_n < OUT_CAP / 2) {   /* else let the client read first */
        smtpp_event ev;
        size_t used = 0;
        int rc = smtpp_conn_next(&c->d, c->in + c->start, c->end - c->start, &ev, &used);
        c->start += used;
        if (rc == SMTPP_CONN_CLOSED) c->closing = 1;
        if (rc != SMTPP_DONE) break;
        on_event(c, &ev);
        progress = 1;
    }
    arm(c, progress);
}

/* ---- Sockets ------------------------------------------------------------------------ */

static conn *conn_open(int fd)
{
    smtpp_verdict v;
    char text[300];
    conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = fd;
    smtpp_conn_init(&c->d, &cfg, 0);
    smtpp_conn_sasl_buffer(&c->d, c->sasl, sizeof c->sasl);
    smtpp_conn_greeting(&c->d, 220, 0, &v);
    snprintf(text, sizeof text, "%s ESMTP libsmtpp example server", cfg.hostname);
    reply(c, 220, NULL, text);
    arm(c, 1);
    return c;
}

static void conn_close(conn *c)
{
    discard_message(c);
    close(c->fd);
    free(c);
}

/* Reads what the socket has; returns -1 when the connection is over. */
static int conn_read(conn *c)
{
    ssize_t n;
    if (c->start > 0) {                   /* keep the unconsumed bytes at the front */
        memmove(c->in, c->in + c->start, c->end - c->start);
        c->end -= c->start;
        c->start = 0;
    }
    n = read(c->fd, c->in + c->end, IN_CAP - c->end);
    if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
    if (n == 0) return -1;                /* the client closed */
    c->end += (size_t)n;
    serve(c);
    return 0;
}

static int conn_write(conn *c)
{
    ssize_t n = write(c->fd, c->out, c->out_n);
    if (n < 0) return errno == EAGAIN || errno == EINTR ? 0 : -1;
    memmove(c->out, c->out + n, c->out_n - (size_t)n);
    c->out_n -= (size_t)n;
    if (c->out_n < OUT_CAP / 2 && !c->closing) serve(c);   /* resume held-back input */
    return c->closing && c->out_n == 0 ? -1 : 0;
}

/* The client was too slow: 421 4.4.2, what can be written at once, and close. */
static void conn_timeout(conn *c)
{
    smtpp_verdict v = smtpp_verdict_row(SMTPP_V_TIMEOUT);
    reply_verdict(c, &v);
    conn_write(c);
}

/* A connection over the limit: 421 4.3.2 and close, rather than leave it
 * waiting for a greeting (RFC 5321 3.8).  idle: a session for the format. */
static void refuse(int fd, const smtpp_session *idle)
{
    smtpp_verdict v = smtpp_verdict_row(SMTPP_V_TOO_MANY_CONNECTIONS);
    char buf[512];
    long n = smtpp_session_format(idle, &v, buf, sizeof buf);
    if (n > 0 && write(fd, buf, (size_t)n) < 0 && verbose) perror("server: refuse");
    close(fd);
}

static void usage(void)
{
    fprintf(stderr, "usage: server [-l ADDR] [-p PORT] [-d SPOOLDIR] [-u USER:PASS | -A] [-c MAX]\n"
                    "              [-t SECS] [-b SECS] [-m SECS] [-v]\n"
                    "  -l ADDR   IPv4 address to listen on (default 127.0.0.1)\n"
                    "  -p PORT   port (default 2525; 0: any free port)\n"
                    "  -d DIR    where accepted messages are stored (default .)\n"
                    "  -u U:P    the one AUTH user (default test:secret)\n"
                    "  -A        accept any AUTH credentials\n"
                    "  -c MAX    clients at once (default 64); one more gets 421 4.3.2\n"
                    "  -t SECS   command timeout (default 300)\n"
                    "  -b SECS   data block timeout: between two reads of a message (default 180)\n"
                    "  -m SECS   a whole DATA body or BDAT chunk (default 600)\n"
                    "  -v        trace commands and replies on stderr\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static conn **conns;          /* static: reachable to the end, for LeakSanitizer */
    static struct pollfd *pfd;
    static smtpp_session idle;    /* formats the replies to refused connections */
    struct sockaddr_in sa;
    struct rlimit rl;
    socklen_t sl = sizeof sa;
    const char *addr = "127.0.0.1";
    long port = 2525, nconn = 0, i;
    int lfd, one = 1;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-A")) accept_any_auth = 1;
        else if (!strcmp(a, "-v")) verbose = 1;
        else if (i + 1 < argc && !strcmp(a, "-l")) addr = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "-p")) port = strtol(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(a, "-d")) spool = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "-u") && strchr(argv[i + 1], ':')) credentials = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "-c")) max_clients = strtol(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(a, "-t")) cmd_timeout = strtol(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(a, "-b")) block_timeout = strtol(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(a, "-m")) data_timeout = strtol(argv[++i], NULL, 10);
        else usage();
    }
    if (port < 0 || port > 65535 || max_clients < 1 || max_clients > 100000 || cmd_timeout < 1 ||
        block_timeout < 1 || data_timeout < 1 || cmd_timeout > 86400 || block_timeout > 86400 ||
        data_timeout > 86400)
        usage();
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        (rlim_t)max_clients + 16 > rl.rlim_cur) {
        fprintf(stderr, "server: -c %ld needs more descriptors (ulimit -n)\n", max_clients);
        return 1;
    }
    signal(SIGPIPE, SIG_IGN);

    smtpp_config_init(&cfg, "localhost");
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME) |
                SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_DSN) |
                SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) | SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    cfg.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN;
    cfg.max_size = 10u << 20;
    cfg.max_rcpts = 50;   /* keeps the envelope within conn.env */
    smtpp_session_init(&idle, &cfg);

    conns = calloc((size_t)max_clients, sizeof *conns);
    pfd = calloc((size_t)max_clients + 1, sizeof *pfd);
    spool_fd = open(spool, O_RDONLY | O_DIRECTORY);
    if (!conns || !pfd || spool_fd < 0) {
        perror(spool_fd < 0 ? spool : "server");
        return 1;
    }
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) usage();
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, SOMAXCONN) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0 ||
        fcntl(lfd, F_SETFL, fcntl(lfd, F_GETFL) | O_NONBLOCK) < 0) {
        perror("server: listen");
        return 1;
    }
    printf("listening on %s:%u\n", addr, (unsigned)ntohs(sa.sin_port));
    fflush(stdout);

    for (;;) {
        long n = 0, wait = -1, now = now_ms();
        int fd;
        for (i = 0; i < nconn; i++) {
            pfd[n].fd = conns[i]->fd;
            pfd[n].events = (short)((conns[i]->closing || conns[i]->out_n >= OUT_CAP / 2 ||
                                     conns[i]->end - conns[i]->start == IN_CAP) ? 0 : POLLIN);
            if (conns[i]->out_n) pfd[n].events |= POLLOUT;
            if (wait < 0 || conns[i]->deadline - now < wait)
                wait = conns[i]->deadline > now ? conns[i]->deadline - now : 0;
            n++;
        }
        pfd[n].fd = lfd;
        pfd[n].events = POLLIN;
        if (poll(pfd, (nfds_t)n + 1, (int)wait) < 0) {
            if (errno == EINTR) continue;
            perror("server: poll");
            return 1;
        }
        now = now_ms();
        for (i = n - 1; i >= 0; i--) {    /* backwards: closing moves the last one here */
            conn *c = conns[i];
            int bad = 0;
            if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) bad = conn_read(c) < 0;
            if (!bad && (pfd[i].revents & POLLOUT)) bad = conn_write(c) < 0;
            if (!bad && c->closing && c->out_n == 0) bad = 1;
            if (!bad && c->out_n && !(pfd[i].revents & POLLOUT)) bad = conn_write(c) < 0;
            if (!bad && now >= c->deadline) {
                conn_timeout(c);
                bad = 1;
            }
            if (bad) {
                conn_close(c);
                conns[i] = conns[--nconn];
            }
        }
        /* Every queued connection at once (the socket is non-blocking): one
         * accept() per round leaves a burst waiting until the kernel drops it. */
        while (pfd[n].revents & POLLIN && (fd = accept(lfd, NULL, NULL)) >= 0) {
            conn *c = NULL;
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            if (nconn < max_clients) c = conn_open(fd);
            if (!c) {
                refuse(fd, &idle);
                continue;
            }
            conns[nconn++] = c;
            conn_write(c);                /* the greeting */
        }
    }
}
