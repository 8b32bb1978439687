/* server: a small SMTP server that embeds libsmtpp, as an example.
 *
 *   server [-l ADDR] [-p PORT] [-d SPOOLDIR] [-u USER:PASS | -A] [-v]
 *
 * One thread, one poll() loop, non-blocking sockets, up to 64 clients at
 * once.  Listens on 127.0.0.1 (port 2525 by default; -p 0 picks a free
 * port) and prints "listening on ADDR:PORT" once it does.  Each accepted
 * message is stored in SPOOLDIR (default ".") as a file NAME.eml: the
 * envelope (the MAIL line, one RCPT line per accepted recipient, each as
 * the client sent it, LF-terminated), an empty line, then the message
 * exactly as received after dot-unstuffing (DATA) or as the chunks'
 * bytes (BDAT).
 *
 * Everything about the protocol is the library's: command parsing, what
 * each command deserves, pipelining rules, DATA and BDAT bodies, AUTH
 * exchanges, EHLO and every other reply.  This file only moves bytes and
 * takes the decisions the library leaves to a server: it accepts every
 * sender and recipient, checks AUTH PLAIN/LOGIN against one fixed user
 * (test:secret unless -u; -A accepts any credentials), and stores messages.
 *
 * Offered: PIPELINING SIZE 8BITMIME BINARYMIME CHUNKING DSN SMTPUTF8
 * ENHANCEDSTATUSCODES AUTH PLAIN LOGIN.  Not offered: STARTTLS (this example
 * links no TLS library), so AUTH travels in clear text: keep it on loopback.
 * It is not a product either: no timeouts, no queue, no delivery. */
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
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 64
#define IN_CAP (64 * 1024)   /* > the longest line the parsers keep (12288) */
#define OUT_CAP (64 * 1024)

typedef struct conn {
    int fd;
    int closing;             /* close once the output is flushed */
    int other_reader;        /* bytes were consumed by a body/SASL reader */
    smtpp_session s;
    smtpp_parser p;
    char in[IN_CAP];         /* in[start..end) is not consumed yet */
    size_t start, end;
    char out[OUT_CAP];       /* replies not written yet */
    size_t out_n;
    /* the transaction */
    char env[40000];         /* MAIL and RCPT lines, LF-terminated */
    size_t env_n;
    FILE *msg;               /* the message being received */
    char tmp[600];
    int last;                /* the BDAT being read carries LAST */
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
static unsigned stored;

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
    put(c, buf, smtpp_format_reply_str(buf, sizeof buf, code, enhanced, text, 0));
}

/* The reply the library chose (or proposed). */
static void reply_verdict(conn *c, const smtpp_verdict *v)
{
    char buf[1024];
    put(c, buf, smtpp_session_format(&c->s, v, buf, sizeof buf));
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
    discard_message(c);
    snprintf(c->tmp, sizeof c->tmp, "%s/tmp.%ld.%u", spool, (long)getpid(), ++stored);
    c->msg = fopen(c->tmp, "wb");
    if (!c->msg) {
        fprintf(stderr, "server: %s: %s\n", c->tmp, strerror(errno));
        return -1;
    }
    fwrite(c->env, 1, c->env_n, c->msg);
    fputc('\n', c->msg);
    return 0;
}

/* Renames the finished message to NAME.eml; returns the reply code. */
static int store_message(conn *c)
{
    char name[700];
    int bad;
    if (!c->msg) return 451;
    bad = ferror(c->msg) | fclose(c->msg);
    c->msg = NULL;
    snprintf(name, sizeof name, "%s/%ld.%ld.%u.eml", spool, (long)time(NULL), (long)getpid(),
             stored);
    if (bad || rename(c->tmp, name) != 0) {
        remove(c->tmp);
        return 451;
    }
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

static void auth_reply(conn *c, int code, const char *challenge)
{
    if (code == 334) reply(c, 334, NULL, challenge);
    else if (code == 235) reply(c, 235, "2.7.0", "Authentication successful");
    else reply(c, 535, "5.7.8", "Authentication credentials invalid");
    smtpp_session_sent(&c->s, SMTPP_VERB_AUTH, code);
}

/* ---- The protocol: one step each ----------------------------------------------- */

/* The server's decision on a command the library found valid here. */
static void decide(conn *c, const smtpp_command *cmd, const smtpp_verdict *v)
{
    char buf[2048];
    int code = v->code;
    switch (cmd->verb) {
    case SMTPP_VERB_EHLO:
        put(c, buf, smtpp_session_ehlo(&c->s, buf, sizeof buf, "Hello"));
        smtpp_session_sent(&c->s, SMTPP_VERB_EHLO, 250);
        return;
    case SMTPP_VERB_HELO:
        snprintf(buf + 1024, 1024, "%s Hello", cfg.hostname);
        reply(c, 250, NULL, buf + 1024);
        smtpp_session_sent(&c->s, SMTPP_VERB_HELO, 250);
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
    default:
        break;
    }
    if (code == v->code) {
        reply_verdict(c, v);
    } else {
        reply(c, 451, "4.3.0", "Local error in processing");
    }
    smtpp_session_sent(&c->s, (smtpp_verb)cmd->verb, code);
}

/* Returns SMTPP_AGAIN when more input is needed, else SMTPP_DONE. */
static int on_command(conn *c, size_t *used)
{
    smtpp_command cmd;
    smtpp_verdict v;
    size_t n = c->end - c->start;
    int rc;
    if (c->other_reader) smtpp_parser_reset(&c->p);   /* see smtpp_parser_reset() */
    c->other_reader = 0;
    rc = smtpp_parse_command(&c->p, c->in + c->start, n, &cmd, used);
    if (rc == SMTPP_AGAIN) return rc;
    if (verbose) fprintf(stderr, "[%d] C: %.*s\n", c->fd, (int)cmd.line.n, cmd.line.p);
    /* More bytes after this line: the client did not wait for the reply. */
    smtpp_session_check(&c->s, &cmd, *used < n ? SMTPP_CHECK_MORE_INPUT : 0, &v);
    switch (v.action) {
    case SMTPP_ACT_REPLY: reply_verdict(c, &v); break;
    case SMTPP_ACT_DECIDE: decide(c, &cmd, &v); break;
    case SMTPP_ACT_BODY:                   /* BDAT: its chunk follows */
        c->last = cmd.bdat_last;
        if (!c->msg && c->s.state == SMTPP_ST_BDAT && open_message(c) != 0) c->closing = 1;
        break;
    default: c->closing = 1; break;        /* after QUIT: nothing more */
    }
    return SMTPP_DONE;
}

static int on_message(conn *c, size_t *used)
{
    smtpp_str slice;
    smtpp_verdict v;
    int bdat = c->s.state == SMTPP_ST_BDAT, i;
    int rc = smtpp_session_data(&c->s, c->in + c->start, c->end - c->start, &slice, used);
    c->other_reader = 1;
    if (slice.n && c->msg) fwrite(slice.p, 1, slice.n, c->msg);
    if (rc == SMTPP_MORE) return SMTPP_DONE;   /* a slice ended at a stuffed dot */
    if (rc != SMTPP_DONE) return SMTPP_AGAIN;
    smtpp_session_data_end(&c->s, &v);
    if (v.action == SMTPP_ACT_REPLY) {         /* refused: too big, bare LF, ... */
        if (!bdat || c->last) discard_message(c);
        reply_verdict(c, &v);
        return SMTPP_DONE;
    }
    for (i = 0; i < (int)v.count; i++) {
        int code = (!bdat || c->last) ? store_message(c) : 250;
        if (code == v.code) reply_verdict(c, &v);
        else reply(c, code, "4.3.0", "Could not store the message");
        smtpp_session_sent(&c->s, bdat ? SMTPP_VERB_BDAT : SMTPP_VERB_DATA, code);
    }
    return SMTPP_DONE;
}

static int on_sasl(conn *c, size_t *used)
{
    char dec[12288];
    const char *challenge = "";
    smtpp_str resp;
    smtpp_verdict v;
    int rc = smtpp_session_auth_line(&c->s, c->in + c->start, c->end - c->start, used, dec,
                                     sizeof dec, &resp, &v);
    c->other_reader = 1;
    if (rc == SMTPP_AGAIN) return rc;
    if (v.action == SMTPP_ACT_REPLY) {         /* "*", bad base64, too long */
        reply_verdict(c, &v);
        return SMTPP_DONE;
    }
    rc = auth_step(c, resp, &challenge);      /* sets challenge: call it first */
    auth_reply(c, rc, challenge);
    return SMTPP_DONE;
}

/* Handles every complete item in the input buffer. */
static void serve(conn *c)
{
    while (!c->closing && c->out_n < OUT_CAP / 2) {   /* else let the client read first */
        size_t used = 0;
        int rc;
        switch (smtpp_session_next(&c->s)) {
        case SMTPP_NEXT_COMMAND: rc = on_command(c, &used); break;
        case SMTPP_NEXT_MESSAGE: rc = on_message(c, &used); break;
        case SMTPP_NEXT_SASL: rc = on_sasl(c, &used); break;
        default: c->closing = 1; return;
        }
        c->start += used;
        if (rc == SMTPP_AGAIN) return;
    }
}

/* ---- Sockets ------------------------------------------------------------------------ */

static conn *conn_open(int fd)
{
    smtpp_verdict v;
    char text[300];
    conn *c = calloc(1, sizeof *c);
    if (!c) return NULL;
    c->fd = fd;
    smtpp_session_init(&c->s, &cfg);
    smtpp_parser_init(&c->p, 0);
    smtpp_session_greeting(&c->s, 220, 0, &v);
    snprintf(text, sizeof text, "%s ESMTP libsmtpp example server", cfg.hostname);
    reply(c, 220, NULL, text);
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

static void usage(void)
{
    fprintf(stderr, "usage: server [-l ADDR] [-p PORT] [-d SPOOLDIR] [-u USER:PASS | -A] [-v]\n"
                    "  -l ADDR   IPv4 address to listen on (default 127.0.0.1)\n"
                    "  -p PORT   port (default 2525; 0: any free port)\n"
                    "  -d DIR    where accepted messages are stored (default .)\n"
                    "  -u U:P    the one AUTH user (default test:secret)\n"
                    "  -A        accept any AUTH credentials\n"
                    "  -v        trace commands and replies on stderr\n");
    exit(2);
}

int main(int argc, char **argv)
{
    static conn *conns[MAX_CLIENTS];
    struct pollfd pfd[MAX_CLIENTS + 1];
    struct sockaddr_in sa;
    socklen_t sl = sizeof sa;
    const char *addr = "127.0.0.1";
    long port = 2525;
    int i, lfd, one = 1, nconn = 0;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-A")) accept_any_auth = 1;
        else if (!strcmp(a, "-v")) verbose = 1;
        else if (i + 1 < argc && !strcmp(a, "-l")) addr = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "-p")) port = strtol(argv[++i], NULL, 10);
        else if (i + 1 < argc && !strcmp(a, "-d")) spool = argv[++i];
        else if (i + 1 < argc && !strcmp(a, "-u") && strchr(argv[i + 1], ':')) credentials = argv[++i];
        else usage();
    }
    if (port < 0 || port > 65535) usage();
    signal(SIGPIPE, SIG_IGN);

    smtpp_config_init(&cfg, "localhost");
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME) |
                SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_DSN) |
                SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) | SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    cfg.auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN;
    cfg.max_size = 10u << 20;
    cfg.max_rcpts = 50;   /* keeps the envelope within conn.env */

    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons((uint16_t)port);
    if (inet_pton(AF_INET, addr, &sa.sin_addr) != 1) usage();
    lfd = socket(AF_INET, SOCK_STREAM, 0);
    if (lfd < 0 || setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
        bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(lfd, 16) < 0 ||
        getsockname(lfd, (struct sockaddr *)&sa, &sl) < 0) {
        perror("server: listen");
        return 1;
    }
    printf("listening on %s:%u\n", addr, (unsigned)ntohs(sa.sin_port));
    fflush(stdout);

    for (;;) {
        int n = 0;
        for (i = 0; i < nconn; i++) {
            pfd[n].fd = conns[i]->fd;
            pfd[n].events = (short)((conns[i]->closing || conns[i]->out_n >= OUT_CAP / 2 ||
                                     conns[i]->end - conns[i]->start == IN_CAP) ? 0 : POLLIN);
            if (conns[i]->out_n) pfd[n].events |= POLLOUT;
            n++;
        }
        pfd[n].fd = lfd;
        pfd[n].events = nconn < MAX_CLIENTS ? POLLIN : 0;
        if (poll(pfd, (nfds_t)n + 1, -1) < 0) {
            if (errno == EINTR) continue;
            perror("server: poll");
            return 1;
        }
        for (i = n - 1; i >= 0; i--) {    /* backwards: closing moves the last one here */
            conn *c = conns[i];
            int bad = 0;
            if (pfd[i].revents & (POLLIN | POLLHUP | POLLERR)) bad = conn_read(c) < 0;
            if (!bad && (pfd[i].revents & POLLOUT)) bad = conn_write(c) < 0;
            if (!bad && c->closing && c->out_n == 0) bad = 1;
            if (!bad && c->out_n && !(pfd[i].revents & POLLOUT)) bad = conn_write(c) < 0;
            if (bad) {
                conn_close(c);
                conns[i] = conns[--nconn];
            }
        }
        if (pfd[n].revents & POLLIN) {
            int fd = accept(lfd, NULL, NULL);
            conn *c;
            if (fd < 0) continue;
            fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
            c = conn_open(fd);
            if (!c) {
                close(fd);
                continue;
            }
            conns[nconn++] = c;
            conn_write(c);                /* the greeting */
        }
    }
}
