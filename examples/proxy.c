/* proxy: a filtering SMTP proxy in front of an MTA, on the connection
 * driver (smtpp/conn.h).  proxy -u UPSTREAM_PORT [-p PORT] [-b POLICY] [-v]
 * One poll() loop, loopback only: listens on 127.0.0.1:PORT (0, the default,
 * picks one; "listening on 127.0.0.1:N" is printed), one connection to
 * 127.0.0.1:UPSTREAM_PORT per client.  The library checks every command:
 * good ones go upstream (a pipelined group in one write), and the replies
 * come back; bad ones are answered here.  Messages go upstream as they come,
 * still dot-stuffed; one the library refuses is never ended there: that
 * connection is dropped and a new one opened.  POLICY: refuse (550, the
 * default), pass or normalise bare CR and LF.  Offered: what the upstream
 * offers of PIPELINING 8BITMIME SMTPUTF8 DSN ENHANCEDSTATUSCODES. */
#define _POSIX_C_SOURCE 200809L
#include <smtpp/smtpp.h>

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
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
enum { TAG_RELAY = 1, TAG_DROP };        /* relay the upstream's reply, or not */

typedef struct buf { size_t s, e; char d[CAP]; } buf;   /* bytes d[s..e) */

typedef struct conn {
    int cfd, ufd, closing;               /* closing: flush to the client, close */
    smtpp_conn c;
    smtpp_reply_parser rp;               /* the upstream's replies, */
    smtpp_tracker t;                     /* and the command each answers */
    char hello[520];                     /* the client's EHLO, for a new upstream */
    size_t hello_n;
    buf cin, cout, uin, uout;
} conn;

static smtpp_config cfg;
static conn *conns[MAXC];
static int upstream_port, verbose;
static volatile sig_atomic_t stop;

static void put(buf *b, const char *p, long n)     /* n < 0: a formatter's error */
{
    if (n > 0 && b->e + (size_t)n > CAP)              /* compact first */
        memmove(b->d, b->d + b->s, b->e - b->s), b->e -= b->s, b->s = 0;
    if (n > 0 && b->e + (size_t)n <= CAP)             /* callers keep room for it */
        memcpy(b->d + b->e, p, (size_t)n), b->e += (size_t)n;
}

static void say(conn *k, const smtpp_verdict *v, const char *why)
{
    char line[SMTPP_FMT_MAX_LINE * 4];
    put(&k->cout, line, v ? smtpp_session_format(&k->c.session, v, line, sizeof line)
                          : smtpp_session_reply(&k->c.session, 421, "4.4.2", why, 0, line, sizeof line));
    k->closing |= !v;                    /* 421: close after it */
}

static void forward(conn *k, const char *p, long n, smtpp_verb verb, uint64_t tag)
{
    put(&k->uout, p, n);
    smtpp_tracker_command_tag(&k->t, verb, 0, tag);
}

/* Connects the upstream side afresh; -1 when the upstream is not there. */
static int dial(conn *k)
{
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(upstream_port),
                             .sin_addr = { htonl(INADDR_LOOPBACK) } };
    k->uin.s = k->uin.e = k->uout.s = k->uout.e = 0;
    smtpp_reply_parser_init(&k->rp, 0);
    smtpp_tracker_init(&k->t, 0);
    if ((k->ufd = socket(AF_INET, SOCK_STREAM, 0)) >= 0 && connect(k->ufd, (struct sockaddr *)&a, sizeof a))
        close(k->ufd), k->ufd = -1;
    return k->ufd < 0 ? -1 : fcntl(k->ufd, F_SETFL, O_NONBLOCK);
}

/* A new upstream in place of one holding a message that must not end; it
 * gets the client's EHLO again, its reply dropped. */
static void redial(conn *k)
{
    close(k->ufd);
    if (dial(k) < 0)
        say(k, NULL, "upstream not available");
    else
        forward(k, k->hello, (long)k->hello_n, SMTPP_VERB_EHLO, TAG_DROP);
}

/* The client's bytes through the driver, while the outputs have room for
 * what an event may add. */
static void client_input(conn *k)
{
    smtpp_event ev;
    size_t used;
    while (!k->closing && k->ufd >= 0 && CAP - (k->uout.e - k->uout.s) > k->cin.e - k->cin.s + 16 &&
           CAP - (k->cout.e - k->cout.s) > 4096) {
        int r = smtpp_conn_next(&k->c, k->cin.d + k->cin.s, k->cin.e - k->cin.s, &ev, &used);
        k->cin.s += used;
        k->closing |= r == SMTPP_CONN_CLOSED || ev.type == SMTPP_EV_CLOSE;
        if (r != SMTPP_DONE)
            break;
        switch (ev.type) {
        case SMTPP_EV_COMMAND:
        case SMTPP_EV_REPLY:                              /* a library reply due now */
            if (ev.type == SMTPP_EV_COMMAND && ev.v.action == SMTPP_ACT_DECIDE) {
                if ((ev.verb == SMTPP_VERB_EHLO || ev.verb == SMTPP_VERB_HELO) &&
                    ev.raw.n <= sizeof k->hello)          /* the upstream decides */
                    memcpy(k->hello, ev.raw.p, k->hello_n = ev.raw.n);
                forward(k, ev.raw.p, (long)ev.raw.n, ev.verb, TAG_RELAY);
            }
            if (ev.v.action != SMTPP_ACT_REPLY || (ev.type == SMTPP_EV_COMMAND && ev.deferred))
                break;                                    /* deferred: comes back as REPLY */
            say(k, &ev.v, NULL);                          /* the library answers */
            if (ev.verb == SMTPP_VERB_RSET)               /* keep the upstream in step */
                forward(k, "RSET\r\n", 6, SMTPP_VERB_RSET, TAG_DROP);
            break;
        case SMTPP_EV_BODY:                               /* dot-stuffed, ".\r\n" last */
            put(&k->uout, ev.data.p, (long)ev.data.n);
            break;
        case SMTPP_EV_MESSAGE_END:
            if (ev.v.action == SMTPP_ACT_REPLY) {         /* refused: never end it upstream */
                say(k, &ev.v, NULL);
                redial(k);
            }
            break;
        }
    }
}

/* The upstream's replies, each to the command it answers. */
static void upstream_input(conn *k)
{
    smtpp_reply r;
    smtpp_match m;
    smtpp_verdict v;
    size_t used;
    while (k->ufd >= 0 && !k->closing) {
        int res = smtpp_parse_reply(&k->rp, k->uin.d + k->uin.s, k->uin.e - k->uin.s, &r, &used);
        k->uin.s += used;
        if (res != SMTPP_DONE)
            break;
        smtpp_tracker_reply(&k->t, r.code, &m);
        if (r.error || m.kind == SMTPP_MATCH_UNSOLICITED) {
            say(k, NULL, r.error ? "upstream protocol error" : "upstream closing");
        } else if (m.kind == SMTPP_MATCH_GREETING) {
            if (r.code != 220)
                say(k, NULL, "upstream not available");
            else if (k->c.seq == 0 && smtpp_conn_greeting(&k->c, 220, k->cin.e - k->cin.s, &v) == 0)
                say(k, &v, NULL);                         /* our greeting, once */
        } else if (m.tag == TAG_RELAY && m.verb == SMTPP_VERB_EHLO && r.code == 250) {
            smtpp_ehlo e;                                 /* offer what it offers */
            char out[2048];
            if (smtpp_ehlo_parse(&r, &e) == 0)
                smtpp_conn_limit_exts(&k->c, e.exts);
            smtpp_conn_answer(&k->c, 250, &v);
            put(&k->cout, out, smtpp_session_ehlo(&k->c.session, out, sizeof out, "at your service"));
        } else if (m.tag == TAG_RELAY) {
            smtpp_conn_answer(&k->c, r.code, &v);
            if (v.action == SMTPP_ACT_REPLY)              /* superseded: the lockstep reply */
                say(k, &v, NULL);
            else
                put(&k->cout, r.raw.p, (long)r.raw.n);
            if (v.superseded)                             /* the upstream went further */
                say(k, NULL, "upstream out of step");
        }
    }
}

static int fill(int fd, buf *b)          /* 0 at EOF or on an error */
{
    if (b->s > 0)
        memmove(b->d, b->d + b->s, b->e - b->s), b->e -= b->s, b->s = 0;
    ssize_t n = b->e == CAP ? -1 : read(fd, b->d + b->e, CAP - b->e);
    if (n > 0)
        b->e += (size_t)n;
    return n > 0 || (n < 0 && (b->e == CAP || errno == EAGAIN || errno == EINTR));
}

static void flush(int fd, buf *b, int id, const char *who)
{
    ssize_t n = fd < 0 || b->s == b->e ? 0 : write(fd, b->d + b->s, b->e - b->s);
    if (n > 0 && verbose)
        fprintf(stderr, "%d %s write %zd bytes\n", id, who, n);
    b->s += n > 0 ? (size_t)n : 0;
}

static void drop(int i)
{
    close(conns[i]->cfd), close(conns[i]->ufd), free(conns[i]), conns[i] = NULL;   /* ufd -1: harmless */
}

static void on_term(int sig) { stop = sig; }
static void admit(int lfd)
{
    int fd = accept(lfd, NULL, NULL), i = 0;
    for (; i < MAXC && conns[i]; i++) {}
    conn *k = fd < 0 || i == MAXC ? NULL : calloc(1, sizeof *k);
    if (!k) {
        close(fd);                                        /* -1: harmless */
        return;
    }
    conns[i] = k, k->cfd = fd;
    fcntl(fd, F_SETFL, O_NONBLOCK);
    smtpp_conn_init(&k->c, &cfg, SMTPP_CONN_PIPELINE | SMTPP_CONN_RAW_BODY);
    if (dial(k) < 0)                                      /* 421 at once, then close */
        say(k, NULL, "upstream not available");
}

int main(int argc, char **argv)
{
    int port = 0, opt;
    unsigned policy = 0;
    while ((opt = getopt(argc, argv, "p:u:b:v")) != -1) {
        if (opt == 'p' || opt == 'u')
            *(opt == 'p' ? &port : &upstream_port) = atoi(optarg);
        else if (opt == 'v')
            verbose = 1;
        else if (opt == 'b')
            policy = strcmp(optarg, "pass") == 0 ? SMTPP_CFG_PASS_BARE
                   : strcmp(optarg, "normalise") == 0 ? SMTPP_CFG_NORMALISE_BARE
                   : strcmp(optarg, "refuse") == 0 ? 0 : ~0u;
        else
            upstream_port = -1;                           /* usage */
    }
    smtpp_config_init(&cfg, "proxy.smtpp.test");
    cfg.flags |= policy;
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) | SMTPP_EXT_BIT(SMTPP_EXT_DSN);
    sigaction(SIGTERM, &(struct sigaction){ .sa_handler = on_term }, NULL);
    signal(SIGPIPE, SIG_IGN);
    mallopt(M_MMAP_THRESHOLD, CAP);      /* each connection mapped: freed memory goes back */
    if (upstream_port <= 0 || optind != argc || policy == ~0u) {
        fprintf(stderr, "usage: proxy -u UPSTREAM_PORT [-p PORT] [-b refuse|pass|normalise] [-v]\n");
        return 2;
    }
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port),
                             .sin_addr = { htonl(INADDR_LOOPBACK) } };
    socklen_t alen = sizeof a;
    int lfd = socket(AF_INET, SOCK_STREAM, 0), one = 1;
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(lfd, (struct sockaddr *)&a, sizeof a) || listen(lfd, 256) ||
        getsockname(lfd, (struct sockaddr *)&a, &alen)) {
        perror("proxy");
        return 1;
    }
    dprintf(1, "listening on 127.0.0.1:%d\n", ntohs(a.sin_port));

    static struct pollfd pfd[1 + 2 * MAXC];
    while (!stop) {
        int n = 1;
        pfd[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
        for (int i = 0; i < MAXC; i++) {
            conn *k = conns[i];
            if (!k)
                continue;
            pfd[n++] = (struct pollfd){ .fd = k->cfd, .events = (short)(
                (k->closing || k->cin.e - k->cin.s == CAP ? 0 : POLLIN) | (k->cout.s < k->cout.e ? POLLOUT : 0)) };
            pfd[n++] = (struct pollfd){ .fd = k->ufd,
                .events = (short)(POLLIN | (k->uout.s < k->uout.e ? POLLOUT : 0)) };
        }
        if (poll(pfd, (nfds_t)n, -1) < 0)
            continue;                                     /* EINTR: SIGTERM */
        if (pfd[0].revents & POLLIN)
            admit(lfd);
        for (int i = 0, p = 1; i < MAXC; i++) {
            conn *k = conns[i];
            if (!k || p >= n || pfd[p].fd != k->cfd)      /* admitted just now */
                continue;
            short cr = pfd[p].revents, ur = pfd[p + 1].revents;
            p += 2;
            if (k->ufd >= 0 && (ur & (POLLIN | POLLHUP | POLLERR))) {
                int alive = fill(k->ufd, &k->uin);
                upstream_input(k);
                if (!alive && !k->closing)                /* gone: 421, clean close */
                    say(k, NULL, "upstream connection lost");
                if (!alive)
                    close(k->ufd), k->ufd = -1;
            }
            if ((cr & (POLLIN | POLLHUP | POLLERR)) && !k->closing && !fill(k->cfd, &k->cin)) {
                /* the client is gone: a message it did not end is never
                 * ended upstream, and closing the upstream discards it */
                smtpp_conn_finish(&k->c, k->cin.e - k->cin.s);
                drop(i);
                continue;
            }
            client_input(k);
            flush(k->ufd, &k->uout, i, "upstream");
            flush(k->cfd, &k->cout, i, "client");
            if (k->closing && (k->cout.s == k->cout.e || (cr & (POLLERR | POLLHUP))))
                drop(i);
        }
    }
    return 0;                                             /* SIGTERM */
}
