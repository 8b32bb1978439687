/* proxy: a filtering SMTP proxy in front of an MTA, built on the connection
 * driver (smtpp/conn.h), as an example.
 *
 *   proxy -u UPSTREAM_PORT [-p PORT] [-b refuse|pass|normalise] [-v]
 *
 * One thread, one poll() loop, loopback only: listens on 127.0.0.1:PORT (0,
 * the default, picks a free port; "listening on 127.0.0.1:N" is printed) and
 * opens one connection to 127.0.0.1:UPSTREAM_PORT per client.  The library
 * checks every command; good ones go upstream, pipelined groups in one
 * write, and the upstream's replies go back to the client; bad ones are
 * answered here and never reach the upstream.  Messages are forwarded as
 * they arrive, still dot-stuffed (SMTPP_CONN_RAW_BODY).  -b: what bare CR
 * and LF in a message get (default refuse: 550).  A message the library
 * refuses after forwarding began is never ended upstream: that upstream
 * connection is dropped and a new one opened.  Offered to the client: what
 * the upstream offers of PIPELINING 8BITMIME SMTPUTF8 DSN
 * ENHANCEDSTATUSCODES.  -v logs every write to the upstream.  SIGUSR1
 * prints the number of open connections.  Not a product: no timeouts. */
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
#include <unistd.h>

#define MAXC 512
#define CAP (64 * 1024)
enum { TAG_RELAY = 1, TAG_DROP };    /* relay the upstream's reply, or not */

typedef struct buf { size_t s, e; char d[CAP]; } buf;   /* bytes d[s..e) */

typedef struct conn {
    int cfd, ufd, closing;   /* closing: flush to the client, then close */
    smtpp_conn c;
    smtpp_reply_parser rp;   /* the upstream's replies */
    smtpp_tracker t;         /* which command each of them answers */
    char hello[520];         /* the client's HELO/EHLO line, for a new upstream */
    size_t hello_n;
    buf cin, cout, uin, uout;
} conn;

static smtpp_config cfg;
static conn *conns[MAXC];
static int upstream_port, verbose;
static volatile sig_atomic_t report, stop;

static void put(buf *b, const char *p, size_t n)
{
    if (b->e + n > CAP) {                        /* compact, then append */
        memmove(b->d, b->d + b->s, b->e - b->s);
        b->e -= b->s, b->s = 0;
    }
    if (b->e + n <= CAP)                         /* callers keep room for it */
        memcpy(b->d + b->e, p, n), b->e += n;
}

static void say(conn *k, const smtpp_verdict *v)
{
    char line[SMTPP_FMT_MAX_LINE * 4];
    long n = smtpp_session_format(&k->c.session, v, line, sizeof line);
    if (n > 0)
        put(&k->cout, line, (size_t)n);
}

static void say421(conn *k, const char *why)
{
    char line[SMTPP_FMT_MAX_LINE];
    long n = smtpp_session_reply(&k->c.session, 421, "4.4.2", why, 0, line, sizeof line);
    if (n > 0)
        put(&k->cout, line, (size_t)n);
    k->closing = 1;
}

static void forward(conn *k, const char *p, size_t n, smtpp_verb verb, uint64_t tag)
{
    put(&k->uout, p, n);
    smtpp_tracker_command_tag(&k->t, verb, 0, tag);
}

static int dial(void)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(upstream_port) };
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (fd >= 0 && connect(fd, (struct sockaddr *)&a, sizeof a) != 0)
        close(fd), fd = -1;
    if (fd >= 0)
        fcntl(fd, F_SETFL, O_NONBLOCK);
    return fd;
}

/* A fresh upstream connection in place of one that holds a message that
 * must not be ended: it gets the client's HELO/EHLO again, reply dropped. */
static void redial(conn *k)
{
    close(k->ufd);
    k->uin.s = k->uin.e = k->uout.s = k->uout.e = 0;
    smtpp_reply_parser_init(&k->rp, 0);
    smtpp_tracker_init(&k->t, 0);
    if ((k->ufd = dial()) < 0)
        say421(k, "upstream not available");
    else
        forward(k, k->hello, k->hello_n, SMTPP_VERB_EHLO, TAG_DROP);
}

/* The client's bytes, through the driver, while there is room for what
 * an event may add to the outputs. */
static void client_input(conn *k)
{
    smtpp_event ev;
    size_t used;
    while (!k->closing && k->ufd >= 0 && CAP - (k->uout.e - k->uout.s) > k->cin.e - k->cin.s + 16 &&
           CAP - (k->cout.e - k->cout.s) > 4096) {
        int r = smtpp_conn_next(&k->c, k->cin.d + k->cin.s, k->cin.e - k->cin.s, &ev, &used);
        k->cin.s += used;
        if (r == SMTPP_CONN_CLOSED)
            k->closing = 1;
        if (r != SMTPP_DONE)
            break;
        switch (ev.type) {
        case SMTPP_EV_COMMAND:
            if (ev.v.action == SMTPP_ACT_DECIDE) {
                if ((ev.verb == SMTPP_VERB_EHLO || ev.verb == SMTPP_VERB_HELO) &&
                    ev.raw.n <= sizeof k->hello)
                    memcpy(k->hello, ev.raw.p, ev.raw.n), k->hello_n = ev.raw.n;
                forward(k, ev.raw.p, ev.raw.n, ev.verb, TAG_RELAY);
                break;
            }
            /* fall through: the library answers */
        case SMTPP_EV_REPLY:
            if (ev.v.action != SMTPP_ACT_REPLY || (ev.type == SMTPP_EV_COMMAND && ev.deferred))
                break;
            say(k, &ev.v);
            if (ev.v.resets == SMTPP_RESET_DONE && ev.verb == SMTPP_VERB_RSET)
                forward(k, "RSET\r\n", 6, SMTPP_VERB_RSET, TAG_DROP);   /* keep it in step */
            break;
        case SMTPP_EV_BODY:                       /* dot-stuffed, ".\r\n" last */
            put(&k->uout, ev.data.p, ev.data.n);
            break;
        case SMTPP_EV_MESSAGE_END:
            if (ev.v.action == SMTPP_ACT_REPLY) { /* refused here: never end it upstream */
                say(k, &ev.v);
                redial(k);
            }                                     /* DECIDE: the upstream's reply decides */
            break;
        case SMTPP_EV_CLOSE:
            k->closing = 1;
            break;
        }
    }
}

/* One complete reply of the upstream. */
static void upstream_reply(conn *k, const smtpp_reply *r)
{
    smtpp_match m;
    smtpp_verdict v;
    smtpp_tracker_reply(&k->t, r->code, &m);
    if (m.kind == SMTPP_MATCH_GREETING) {
        if (r->code != 220)
            say421(k, "upstream not available");
        else if (k->c.seq == 0 && smtpp_conn_greeting(&k->c, 220, k->cin.e - k->cin.s, &v) == 0)
            say(k, &v);                           /* our greeting, once */
        return;
    }
    if (m.kind == SMTPP_MATCH_UNSOLICITED)
        say421(k, "upstream closing");
    if (m.kind == SMTPP_MATCH_UNSOLICITED || m.tag == TAG_DROP)
        return;
    if (m.verb == SMTPP_VERB_EHLO && r->code == 250) {   /* offer what it offers */
        smtpp_ehlo e;
        char out[2048];
        if (smtpp_ehlo_parse(r, &e) == 0)
            smtpp_conn_limit_exts(&k->c, e.exts);
        smtpp_conn_answer(&k->c, 250, &v);
        long n = smtpp_session_ehlo(&k->c.session, out, sizeof out, "at your service");
        if (n > 0)
            put(&k->cout, out, (size_t)n);
        return;
    }
    smtpp_conn_answer(&k->c, r->code, &v);
    if (v.action == SMTPP_ACT_REPLY)              /* superseded: the lockstep reply */
        say(k, &v);
    else
        put(&k->cout, r->raw.p, r->raw.n);
    if (v.superseded)                             /* the upstream went further */
        say421(k, "upstream out of step");
}

static void upstream_input(conn *k)
{
    smtpp_reply r;
    size_t used;
    while (k->ufd >= 0 && !k->closing) {
        int res = smtpp_parse_reply(&k->rp, k->uin.d + k->uin.s, k->uin.e - k->uin.s, &r, &used);
        k->uin.s += used;
        if (res != SMTPP_DONE)
            break;
        if (r.error)
            say421(k, "upstream protocol error");
        else
            upstream_reply(k, &r);
    }
}

static int fill(int fd, buf *b)                  /* read; 0 at EOF or error */
{
    if (b->s == b->e)
        b->s = b->e = 0;
    else if (b->e == CAP)
        memmove(b->d, b->d + b->s, b->e - b->s), b->e -= b->s, b->s = 0;
    if (b->e == CAP)
        return 1;
    ssize_t n = read(fd, b->d + b->e, CAP - b->e);
    if (n > 0)
        b->e += (size_t)n;
    return n > 0 || (n < 0 && (errno == EAGAIN || errno == EINTR));
}

static int flush(int fd, buf *b, int id, const char *who)
{
    if (b->s == b->e || fd < 0)
        return 1;
    ssize_t n = write(fd, b->d + b->s, b->e - b->s);
    if (n > 0 && verbose) {
        int lines = 0;
        for (ssize_t i = 0; i < n; i++)
            lines += b->d[b->s + i] == '\n';
        fprintf(stderr, "%d %s write %zd bytes %d lines\n", id, who, n, lines);
    }
    if (n > 0)
        b->s += (size_t)n;
    return n > 0;
}

static void drop(int i)
{
    conn *k = conns[i];
    close(k->cfd);
    if (k->ufd >= 0)
        close(k->ufd);
    free(k);
    conns[i] = NULL;
}

static void on_signal(int sig)
{
    *(sig == SIGUSR1 ? &report : &stop) = 1;
}

int main(int argc, char **argv)
{
    int port = 0, opt;
    while ((opt = getopt(argc, argv, "p:u:b:v")) != -1) {
        if (opt == 'p') port = atoi(optarg);
        else if (opt == 'u') upstream_port = atoi(optarg);
        else if (opt == 'v') verbose = 1;
        else if (opt == 'b' && !strcmp(optarg, "pass")) cfg.flags |= SMTPP_CFG_PASS_BARE;
        else if (opt == 'b' && !strcmp(optarg, "normalise")) cfg.flags |= SMTPP_CFG_NORMALISE_BARE;
        else if (opt != 'b' || strcmp(optarg, "refuse")) {
            fprintf(stderr, "usage: proxy -u UPSTREAM_PORT [-p PORT] [-b refuse|pass|normalise] [-v]\n");
            return 2;
        }
    }
    unsigned policy = cfg.flags;
    smtpp_config_init(&cfg, "proxy.smtpp.test");
    cfg.flags |= policy;
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) | SMTPP_EXT_BIT(SMTPP_EXT_DSN);
    signal(SIGPIPE, SIG_IGN);
    signal(SIGUSR1, on_signal);
    signal(SIGTERM, on_signal);

    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
    socklen_t alen = sizeof a;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (upstream_port <= 0 || bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 256) ||
        getsockname(lfd, (struct sockaddr *)&a, &alen)) {
        perror("proxy: listen");
        return 1;
    }
    printf("listening on 127.0.0.1:%d\n", ntohs(a.sin_port));
    fflush(stdout);

    static struct pollfd pfd[1 + 2 * MAXC];
    while (!stop) {
        int n = 1, live = 0;
        pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
        for (int i = 0; i < MAXC; i++) {
            conn *k = conns[i];
            if (!k)
                continue;
            live++;
            pfd[n++] = (struct pollfd){ .fd = k->cfd, .events = (short)(
                (k->closing || k->cin.e - k->cin.s == CAP ? 0 : POLLIN) | (k->cout.s < k->cout.e ? POLLOUT : 0)) };
            pfd[n++] = (struct pollfd){ .fd = k->ufd,
                .events = (short)(POLLIN | (k->uout.s < k->uout.e ? POLLOUT : 0)) };
        }
        if (report) {
            fprintf(stderr, "open connections: %d\n", live);
            report = 0;
        }
        if (poll(pfd, (nfds_t)n, -1) < 0)
            continue;                             /* EINTR: a signal */
        if (pfd[0].revents & POLLIN) {
            int fd = accept(lfd, NULL, NULL), i = 0;
            while (fd >= 0 && i < MAXC && conns[i])
                i++;
            conn *k = fd >= 0 && i < MAXC ? calloc(1, sizeof *k) : NULL;
            if (!k) {
                if (fd >= 0) close(fd);
            } else {
                conns[i] = k;
                k->cfd = fd;
                fcntl(fd, F_SETFL, O_NONBLOCK);
                smtpp_conn_init(&k->c, &cfg, SMTPP_CONN_PIPELINE | SMTPP_CONN_RAW_BODY);
                smtpp_reply_parser_init(&k->rp, 0);
                smtpp_tracker_init(&k->t, 0);
                if ((k->ufd = dial()) < 0) {       /* no upstream: 421 at once */
                    smtpp_verdict v;
                    smtpp_conn_greeting(&k->c, 421, 0, &v);
                    say(k, &v);
                    k->closing = 1;
                }
            }
        }
        for (int i = 0, p = 1; i < MAXC; i++) {
            conn *k = conns[i];
            if (!k)
                continue;
            short cr = pfd[p].revents, ur = pfd[p + 1].revents;
            p += 2;
            if (k->ufd >= 0 && (ur & (POLLIN | POLLHUP | POLLERR))) {
                if (fill(k->ufd, &k->uin))
                    upstream_input(k);
                else {
                    upstream_input(k);            /* its last replies, then 421 */
                    close(k->ufd), k->ufd = -1;
                    if (!k->closing)
                        say421(k, "upstream connection lost");
                }
            }
            if (cr & (POLLIN | POLLHUP | POLLERR)) {
                if (!k->closing && !fill(k->cfd, &k->cin)) {
                    /* the client is gone: a message it did not end is
                     * never ended upstream; closing the upstream discards it */
                    smtpp_conn_finish(&k->c, k->cin.e - k->cin.s);
                    drop(i);
                    continue;
                }
            }
            client_input(k);
            flush(k->ufd, &k->uout, i, "upstream");
            flush(k->cfd, &k->cout, i, "client");
            if (k->closing && (k->cout.s == k->cout.e || (cr & (POLLERR | POLLHUP))))
                drop(i);
        }
    }
    for (int i = 0; i < MAXC; i++)                /* SIGTERM: leave nothing behind */
        if (conns[i])
            drop(i);
    close(lfd);
    return 0;
}
