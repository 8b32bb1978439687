/* smtpp_bench: parsing throughput of libsmtpp, measured side by side with
 * a memchr line scan (the practical limit) and a hand-written parser (what
 * users write themselves), in one process, on the same bytes.
 *
 *   smtpp_bench [options] [KIND:FILE ...]
 *
 * KIND is commands, data or replies.  Without files, the streams written
 * by smtpp_bench_gen in DIR (-d, default ".") are used: DIR/commands.txt,
 * DIR/data.txt, DIR/replies.txt (those that exist).
 *
 * Options:
 *   -d DIR     directory of the generated streams
 *   -p N       passes per measurement (default 7); median, min, max
 *   -t SEC     shortest time of one pass (default 0.05): short workloads
 *              are repeated inside a pass and the time divided
 *   -w SEC     settling time before each timed pass (default 0.03): the
 *              measurement runs, untimed, for at least SEC first, so that
 *              no pass is timed right after another one (a byte-at-a-time
 *              run over megabytes left whole-buffer runs after it up to 3
 *              times slower for 15-20 ms on one machine, 100-250 ms on
 *              another: bench/README.md); after a byte-at-a-time pass, at
 *              least SETTLE_AFTER_BYTES (0.3 s); -w 0: no settling at all
 *   -s BYTES   small slice for the byte-at-a-time runs (default 256 KiB,
 *              2 MiB for data, whose messages reach 4 MB)
 *   -S BYTES   large slice for the byte-at-a-time runs (default 2 MiB,
 *              16 MiB for data)
 *   -c LIST    read sizes of the chunked runs, comma-separated, at most 4
 *              (default 16K,1K; K and M suffixes), e.g. -c 4K,1K
 *   -C         cold reads: the chunked runs do not prefetch the first and
 *              last octets of the next read (see grow())
 *   --once N   one run of each system, whole buffer, on a slice of N bytes
 *              (for callgrind: see callgrind.sh); with -c, the library
 *              systems read the slice in chunks of the first size instead
 *   --profile SEC  only the library, whole buffer (with -c: reads of its first
 *              size), repeated for SEC seconds
 *              per workload: for perf record (see README.md)
 *
 * What a measurement does, per workload:
 *   commands  smtpp_parse_command on every line, the way a server loops
 *             (parse, use the result, advance by `used`, read more on
 *             SMTPP_AGAIN), every result folded into a checksum;
 *   data      commands as above; after DATA, smtpp_data_parse on the body
 *             (dot-unstuffing, end of data, bare CR/LF checks; each
 *             zero-copy slice is used), as a proxy or a filter does;
 *   replies   smtpp_parse_reply on every reply, same loop.
 * With the session validator (session.h, system "smtpp+session"), every
 * command is also checked by smtpp_session_check, the server's decision
 * (250 for most, 550 for every 16th recipient on the commands stream) is
 * reported with smtpp_session_sent, and message bodies are read through
 * smtpp_session_data / smtpp_session_data_end: the path of a real server.
 * A QUIT (or a closing verdict) ends the connection: the next bytes are a
 * new connection with a fresh session and a 220 greeting.  Pipelining
 * rules are checked (SMTPP_CHECK_MORE_INPUT when bytes follow) but only
 * reported (SMTPP_CFG_SYNC_REPORT_ONLY), since the stream holds whole
 * sessions back to back; error and junk limits are off.
 * Chunked runs reveal the bytes `chunk` at a time, as reads would: the
 * region passed is always the unconsumed bytes of one contiguous buffer.
 *
 * Output: a table per workload and one line per measurement
 *   RESULT {"system": ..., "file": ..., "bytes": N, "test": ..., "chunk": N,
 *           "passes": N, "median_s": S, "min_s": S, "max_s": S,
 *           "items": N, "unit": "commands|messages|replies"}
 * (chunk 0 = the whole buffer at once), the heap allocations made while
 * parsing (malloc/calloc/realloc are interposed; must be 0) and the object
 * sizes.  On a shared machine compare ratios within one run only.
 */
#define _POSIX_C_SOURCE 200809L
#include "bench.h"

#include <smtpp/smtpp.h>
#if defined(SMTPP_BENCH_DATA) || defined(SMTPP_BENCH_SESSION)
#include <smtpp/session.h>
#endif

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#if defined(__GNUC__)
#  define NOINLINE __attribute__((noinline))
#else
#  define NOINLINE
#endif

/* ---- Heap allocation counter -------------------------------------------------
 * The bench binary defines malloc, calloc and realloc, so every call in the
 * process (the library's included) comes here; while `counting` is set each
 * call is counted.  glibc exports the real allocator as __libc_*. */
static volatile int counting;
static uint64_t n_malloc, n_calloc, n_realloc;
/* Sanitizers bring their own allocator: no interposition in such builds. */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#  define BENCH_SANITIZED 1
#elif defined(__has_feature)
#  if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
      __has_feature(thread_sanitizer)
#    define BENCH_SANITIZED 1
#  endif
#endif
#if defined(__GLIBC__) && !defined(BENCH_SANITIZED)
#define HAVE_ALLOC_COUNT 1
extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
void *malloc(size_t n)
{
    if (counting) n_malloc++;
    return __libc_malloc(n);
}
void *calloc(size_t a, size_t b)
{
    if (counting) n_calloc++;
    return __libc_calloc(a, b);
}
void *realloc(void *p, size_t n)
{
    if (counting) n_realloc++;
    return __libc_realloc(p, n);
}
#else
#define HAVE_ALLOC_COUNT 0
#endif

/* ---- Options and global state ------------------------------------------------- */

static int opt_passes = 7;
static double opt_min_time = 0.05;
static double opt_settle = 0.03;
static size_t opt_slice_small = 0, opt_slice_large = 0; /* 0: by workload */
static size_t opt_once = 0;   /* callgrind mode: slice size */
static int results_differ = 0; /* a system's results changed with the read size */
#define MAX_CHUNKS 4
static size_t opt_chunks[MAX_CHUNKS] = { 16384, 1024 }; /* read sizes of the chunked runs */
static int opt_nchunks = 2;
static int opt_chunks_set = 0; /* -c given: --once reads in chunks of opt_chunks[0] */
static double opt_profile = 0; /* profiling mode: seconds of library runs */
static uint64_t checksum = 0x5eed;
static int opt_padded = 0;   /* -P: the library systems promise SMTPP_INPUT_PADDING */
#define PARSER_FLAGS ((unsigned)(opt_padded ? SMTPP_INPUT_PADDED : 0))
#define CONN_FLAGS ((unsigned)(opt_padded ? SMTPP_CONN_INPUT_PADDED : 0))

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

enum kind { K_COMMANDS, K_DATA, K_REPLIES };
static const char *const kind_name[] = { "commands", "data", "replies" };
static const char *const kind_unit[] = { "commands", "messages", "replies" };

typedef struct workload {
    enum kind kind;
    const char *file;
    char *buf;
    size_t len;
    char *out;          /* data: output buffer of the hand-written parser */
    size_t outcap;
} workload;

/* ---- The library, used as a server or client uses it ------------------------- */

/* SIZE= of a command: p.size means something only with its bit in
 * p.present (command.h), so the checksums, which must not change with the
 * read size, read it only then. */
#define CMD_SIZE(c) ((((c).p.present >> SMTPP_PARAM_SIZE) & 1u) ? (c).p.size : 0)

/* Next window end: the bytes a chunked reader would have by now.
 *
 * A real read leaves the bytes it returns in the cache: the kernel has
 * just copied them there.  The bytes revealed here are the next part of a
 * large buffer, which nothing has touched since it was loaded.  The
 * parser reads most of them in order, as the hardware prefetcher expects,
 * but not the first it reads of a new read: the framing looks at its last
 * 128 octets first (the last line end), then the parser goes back to
 * where the read began.  Both waited for memory, once per read: a cost no
 * server pays, and one that depends on where the buffer happens to lie
 * (reads of 1 KiB of commands took 18.5 ms in some processes and 27.8 ms
 * in others, the same binary on the same bytes: bench/README.md, "Reads
 * that come from memory").  So, as each read is revealed, those two
 * places of the next one, its first 256 and last 128 octets, are
 * prefetched, when a line parser reads it (`lines`: commands, replies);
 * message bodies are read in order, and there the prefetches only cost
 * (reads of 4 KiB of the data stream, 1.040 × whole without them, 1.064 ×
 * with, in one run).  (Not the whole read: 64 prefetches at once for a
 * read of 4 KiB fill the CPU's miss buffers, and cost the session runs
 * 5-8%.)  -C (opt_cold) turns it off. */
static int opt_cold = 0;

static size_t grow(const char *buf, size_t avail, size_t chunk, size_t len, int lines)
{
    size_t next = (len - avail > chunk) ? avail + chunk : len;
    if (lines && !opt_cold && chunk >= 512 && len - next > chunk) {
        const char *r = buf + next, *z = r + chunk;   /* the next read */
        __builtin_prefetch(r);
        __builtin_prefetch(r + 64);
        __builtin_prefetch(r + 128);
        __builtin_prefetch(r + 192);
        __builtin_prefetch(z - 128);
        __builtin_prefetch(z - 64);
    }
    return next;
}

static NOINLINE void bench_commands_smtpp(const char *buf, size_t len, size_t chunk,
                                          bench_out *o)
{
    smtpp_parser p;
    smtpp_command cmd;
    size_t start = 0, avail = chunk ? grow(buf, 0, chunk, len, 1) : len;
    uint64_t sum = 0, n = 0, err = 0;

    smtpp_parser_init(&p, PARSER_FLAGS);
    for (;;) {
        size_t used;
        int r = smtpp_parse_command(&p, buf + start, avail - start, &cmd, &used);
        start += used;
        if (r == SMTPP_AGAIN) {
            if (avail == len) break;
            avail = grow(buf, avail, chunk, len, 1);
            continue;
        }
        n++;
        err += cmd.error != 0;
        sum += cmd.verb + cmd.error + cmd.path.mailbox.n + cmd.path.domain.n + cmd.nparams +
               CMD_SIZE(cmd) + cmd.p.present;
    }
    sum += (uint64_t)smtpp_parser_finish(&p, avail - start);
    o->sum += sum;
    o->items += n;
    o->errors += err;
}

static NOINLINE void bench_replies_smtpp(const char *buf, size_t len, size_t chunk,
                                         bench_out *o)
{
    smtpp_reply_parser p;
    smtpp_reply r;
    size_t start = 0, avail = chunk ? grow(buf, 0, chunk, len, 1) : len;
    uint64_t sum = 0, n = 0, err = 0;

    smtpp_reply_parser_init(&p, 0);
    for (;;) {
        size_t used;
        int res = smtpp_parse_reply(&p, buf + start, avail - start, &r, &used);
        start += used;
        if (res == SMTPP_AGAIN) {
            if (avail == len) break;
            avail = grow(buf, avail, chunk, len, 1);
            continue;
        }
        n++;
        err += r.error != 0;
        sum += r.code + r.nlines + r.enhanced.cls * 1000000u + r.enhanced.subject * 1000u +
               r.enhanced.detail + r.first.n + r.last.n;
    }
    sum += (uint64_t)smtpp_reply_parser_finish(&p, avail - start);
    o->sum += sum;
    o->items += n;
    o->errors += err;
}

#if defined(SMTPP_BENCH_DATA)
/* Commands with the parser; message bodies with the DATA scanner alone. */
static NOINLINE void bench_data_smtpp(const char *buf, size_t len, size_t chunk, bench_out *o)
{
    smtpp_parser p;
    smtpp_command cmd;
    smtpp_data d;
    smtpp_str sl;
    size_t start = 0, avail = chunk ? grow(buf, 0, chunk, len, 1) : len;
    uint64_t sum = 0, n = 0, err = 0;
    int body = 0;

    smtpp_parser_init(&p, PARSER_FLAGS);
    for (;;) {
        size_t used;
        int r;
        if (!body) {
            r = smtpp_parse_command(&p, buf + start, avail - start, &cmd, &used);
            start += used;
            if (r == SMTPP_AGAIN) {
                if (avail == len) break;
                avail = grow(buf, avail, chunk, len, 1);
                continue;
            }
            sum += cmd.verb + cmd.error + cmd.path.mailbox.n + cmd.nparams + CMD_SIZE(cmd);
            if (cmd.verb == SMTPP_VERB_DATA && !cmd.error) {
                smtpp_data_init(&d, 0, 0, 0);
                body = 1;
            }
            continue;
        }
        r = smtpp_data_parse(&d, buf + start, avail - start, &sl, &used);
        start += used;
        sum += sl.n;   /* (not its octets: the slices end where the reads do) */
        if (r == SMTPP_AGAIN) {
            if (avail == len) break;
            avail = grow(buf, avail, chunk, len, 0);
        } else if (r == SMTPP_DONE) {
            n++;
            err += d.error != 0;
            sum += d.size;
            body = 0;
        }
    }
    sum += (uint64_t)smtpp_parser_finish(&p, avail - start);
    o->sum += sum;
    o->items += n;
    o->errors += err;
}
#endif

#if defined(SMTPP_BENCH_SESSION)
static smtpp_config bench_cfg;

static void bench_cfg_init(void)
{
    smtpp_config_init(&bench_cfg, "mx.example.org");
    bench_cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_DSN) |
                      SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) | SMTPP_EXT_BIT(SMTPP_EXT_8BITMIME) |
                      SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING) | SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING);
    bench_cfg.flags |= SMTPP_CFG_SYNC_REPORT_ONLY;
    bench_cfg.max_errors = 0;
    bench_cfg.max_junk = 0;
}

/* A new connection: fresh session, 220 greeting. */
static void bench_connect(smtpp_session *s, uint64_t *sum)
{
    smtpp_verdict v;
    smtpp_session_init(s, &bench_cfg);
    smtpp_session_greeting(s, 220, 0, &v);
    *sum += v.code;
}

/* The server loop: parse, check, decide, report, bodies.  items: commands
 * (commands stream) or messages (data stream). */
static NOINLINE void bench_session(const char *buf, size_t len, size_t chunk, int refuse,
                                   bench_out *o)
{
    smtpp_parser p;
    smtpp_session s;
    smtpp_command cmd;
    smtpp_verdict v;
    smtpp_str sl;
    size_t start = 0, avail = chunk ? grow(buf, 0, chunk, len, 1) : len;
    uint64_t sum = 0, ncmd = 0, nmsg = 0, err = 0, rcpts = 0;

    smtpp_parser_init(&p, PARSER_FLAGS);
    bench_connect(&s, &sum);
    for (;;) {
        size_t used;
        int r;
        switch (smtpp_session_next(&s)) {
        case SMTPP_NEXT_COMMAND:
            r = smtpp_parse_command(&p, buf + start, avail - start, &cmd, &used);
            start += used;
            if (r == SMTPP_AGAIN) {
                if (avail == len) goto out;
                avail = grow(buf, avail, chunk, len, 1);
                continue;
            }
            ncmd++;
            err += cmd.error != 0;
            sum += cmd.verb + cmd.path.mailbox.n + cmd.nparams + CMD_SIZE(cmd);
            smtpp_session_check(&s, &cmd, start < avail ? SMTPP_CHECK_MORE_INPUT : 0, &v);
            sum += v.code + v.id;
            if (v.action == SMTPP_ACT_DECIDE) {
                int code = v.code;
                if (refuse && cmd.verb == SMTPP_VERB_RCPT && (++rcpts & 15) == 0)
                    code = 550;             /* policy: unknown user */
                smtpp_session_sent(&s, (smtpp_verb)cmd.verb, code);
            } else if (v.action == SMTPP_ACT_REPLY) {
                err += v.code >= 400;
            }
            break;
        case SMTPP_NEXT_MESSAGE:
            r = smtpp_session_data(&s, buf + start, avail - start, &sl, &used);
            start += used;
            sum += sl.n;
            if (sl.n) sum += (unsigned char)sl.p[sl.n - 1];
            if (r == SMTPP_AGAIN) {
                if (avail == len) goto out;
                avail = grow(buf, avail, chunk, len, 0);
            } else if (r == SMTPP_DONE) {
                uint32_t k;
                nmsg++;
                smtpp_parser_reset(&p);     /* another reader took bytes */
                smtpp_session_data_end(&s, &v);
                sum += v.code + s.data.size;
                if (v.action == SMTPP_ACT_DECIDE) {
                    for (k = 0; k < v.count; k++)
                        smtpp_session_sent(&s, SMTPP_VERB_DATA, v.code);
                } else {
                    err++;
                }
            }
            break;
        case SMTPP_NEXT_NOTHING:            /* closed: the next connection */
            bench_connect(&s, &sum);
            break;
        default:                            /* not reached on these streams */
            err++;
            bench_connect(&s, &sum);
            break;
        }
    }
out:
    if (smtpp_session_next(&s) == SMTPP_NEXT_MESSAGE) smtpp_parser_reset(&p);   /* as above */
    sum += (uint64_t)smtpp_parser_finish(&p, avail - start) + s.sync_errors;
    o->sum += sum;
    o->items += refuse ? ncmd : nmsg;
    o->errors += err;
}

/* The same server through the connection driver (conn.h, lockstep): one
 * call per event, each decision answered at once. */
static NOINLINE void bench_conn(const char *buf, size_t len, size_t chunk, int refuse,
                                bench_out *o)
{
    static smtpp_conn c;
    smtpp_event ev;
    smtpp_verdict v;
    size_t start = 0, avail = chunk ? grow(buf, 0, chunk, len, 1) : len;
    uint64_t sum = 0, ncmd = 0, nmsg = 0, err = 0, rcpts = 0;
    int body = 0;   /* the last event was a body's content: the next read is of it too */

    smtpp_conn_init(&c, &bench_cfg, CONN_FLAGS);
    smtpp_conn_greeting(&c, 220, 0, &v);
    sum += v.code;
    for (;;) {
        size_t used;
        int r = smtpp_conn_next(&c, buf + start, avail - start, &ev, &used);
        start += used;
        if (r == SMTPP_AGAIN) {
            if (avail == len) break;
            avail = grow(buf, avail, chunk, len, !body);
            continue;
        }
        if (r != SMTPP_DONE) {              /* closed: the next connection */
            smtpp_conn_init(&c, &bench_cfg, CONN_FLAGS);
            smtpp_conn_greeting(&c, 220, 0, &v);
            sum += v.code;
            continue;
        }
        body = ev.type == SMTPP_EV_BODY;
        switch (ev.type) {
        case SMTPP_EV_COMMAND:
            ncmd++;
            err += ev.cmd.error != 0;
            sum += ev.cmd.verb + ev.cmd.path.mailbox.n + ev.cmd.nparams + CMD_SIZE(ev.cmd);
            sum += ev.v.code + ev.v.id;
            if (ev.v.action == SMTPP_ACT_DECIDE) {
                int code = ev.v.code;
                if (refuse && ev.cmd.verb == SMTPP_VERB_RCPT && (++rcpts & 15) == 0)
                    code = 550;
                smtpp_conn_answer(&c, code, NULL);
            } else if (ev.v.action == SMTPP_ACT_REPLY) {
                err += ev.v.code >= 400;
            }
            break;
        case SMTPP_EV_BODY:
            sum += ev.data.n + (unsigned char)ev.data.p[ev.data.n - 1];
            break;
        case SMTPP_EV_MESSAGE_END: {
            uint32_t k;
            nmsg++;
            sum += ev.v.code + c.session.data.size;
            if (ev.v.action == SMTPP_ACT_DECIDE)
                for (k = 0; k < ev.v.count; k++) smtpp_conn_answer(&c, ev.v.code, NULL);
            else
                err++;
            break;
        }
        default:
            sum += ev.type;
            break;
        }
    }
    sum += (uint64_t)smtpp_conn_finish(&c, avail - start) + c.session.sync_errors;
    o->sum += sum;
    o->items += refuse ? ncmd : nmsg;
    o->errors += err;
}

static void run_conn_commands(const workload *w, char *buf, size_t len, size_t chunk,
                              bench_out *o)
{
    (void)w;
    bench_conn(buf, len, chunk, 1, o);
}

static void run_conn_data(const workload *w, char *buf, size_t len, size_t chunk, bench_out *o)
{
    (void)w;
    bench_conn(buf, len, chunk, 0, o);
}

static void run_session_commands(const workload *w, char *buf, size_t len, size_t chunk,
                                 bench_out *o)
{
    (void)w;
    bench_session(buf, len, chunk, 1, o);
}

static void run_session_data(const workload *w, char *buf, size_t len, size_t chunk,
                             bench_out *o)
{
    (void)w;
    bench_session(buf, len, chunk, 0, o);
}
#endif

/* ---- Systems: what a measurement runs -------------------------------------------- */

typedef void (*runner)(const workload *w, char *buf, size_t len, size_t chunk, bench_out *o);

static void run_memchr(const workload *w, char *buf, size_t len, size_t chunk, bench_out *o)
{
    (void)w; (void)chunk;
    ref_memchr_lines(buf, len, o);
}

static void run_handwritten(const workload *w, char *buf, size_t len, size_t chunk, bench_out *o)
{
    (void)chunk;
    switch (w->kind) {
    case K_COMMANDS: ref_commands_handwritten(buf, len, o); break;
    case K_DATA:     ref_data_handwritten(buf, len, w->out, w->outcap, o); break;
    case K_REPLIES:  ref_replies_handwritten(buf, len, o); break;
    }
}


static void run_smtpp_commands(const workload *w, char *buf, size_t len, size_t chunk, bench_out *o)
{
    (void)w;
    bench_commands_smtpp(buf, len, chunk, o);
}

#if defined(SMTPP_BENCH_DATA)
static void run_smtpp_data(const workload *w, char *buf, size_t len, size_t chunk, bench_out *o)
{
    (void)w;
    bench_data_smtpp(buf, len, chunk, o);
}
#endif

static void run_smtpp_replies(const workload *w, char *buf, size_t len, size_t chunk, bench_out *o)
{
    (void)w;
    bench_replies_smtpp(buf, len, chunk, o);
}

static runner smtpp_runner(enum kind k)
{
    switch (k) {
    case K_COMMANDS: return run_smtpp_commands;
    case K_REPLIES:  return run_smtpp_replies;
    case K_DATA:
#if defined(SMTPP_BENCH_DATA)
        return run_smtpp_data;
#else
        return NULL; /* the body scanner (session.h) had not landed */
#endif
    }
    return NULL;
}

/* The full server path with the session validator, or NULL. */
static runner session_runner(enum kind k)
{
#if defined(SMTPP_BENCH_SESSION)
    if (k == K_COMMANDS) return run_session_commands;
    if (k == K_DATA) return run_session_data;
#endif
    (void)k;
    return NULL;
}

/* ---- Measuring ------------------------------------------------------------------- */

typedef struct meas {
    const char *system;
    size_t chunk;        /* 0: whole buffer */
    size_t bytes;
    int passes;
    double med, min, max;
    uint64_t items, errors;
    uint64_t sum;        /* the first run's checksum */
} meas;

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static uint64_t allocs_total(void) { return n_malloc + n_calloc + n_realloc; }

/* Measurements are planned first (a warm-up run each, which also counts
 * items and allocations and calibrates the repetitions), then run pass by
 * pass, interleaved: pass 1 of every measurement of the workload, then
 * pass 2 ...  A burst of load from other processes then hits every system
 * alike instead of all the passes of one, which keeps the ratios of one
 * run meaningful on a shared machine. */
typedef struct job {
    runner fn;
    const workload *w;
    char *buf;
    size_t len, chunk;
    unsigned reps;
    int passes;
    double times[64];
    meas m;
} job;

#define MAX_JOBS 64
static job jobs[MAX_JOBS];
static int njobs;

static meas *measure(const char *system, runner fn, const workload *w, char *buf, size_t len,
                     size_t chunk)
{
    job *j;
    bench_out o = { 0, 0, 0 };
    double t, first;

    if (njobs == MAX_JOBS) {
        fprintf(stderr, "smtpp_bench: too many measurements\n");
        exit(1);
    }
    j = &jobs[njobs++];
    j->fn = fn;
    j->w = w;
    j->buf = buf;
    j->len = len;
    j->chunk = chunk;
    j->m.system = system;
    j->m.chunk = chunk;
    j->m.bytes = len;

    t = now();
    counting = 1;
    fn(w, buf, len, chunk, &o);
    counting = 0;
    first = now() - t;
    j->m.items = o.items;
    j->m.errors = o.errors;
    j->m.sum = o.sum;
    checksum = checksum * 31 + o.sum;
    j->reps = 1;
    j->passes = opt_once ? 0 : opt_passes > 64 ? 64 : opt_passes;
    if (first < opt_min_time)
        j->reps = (unsigned)(opt_min_time / (first > 1e-7 ? first : 1e-7)) + 1;
    if (first > 2.0 && j->passes > 3)
        j->passes = 3;  /* a very slow path: keep the run within minutes */
    j->m.passes = 1;
    j->m.med = j->m.min = j->m.max = first;   /* --once: the only run */
    return &j->m;
}

/* The least settling time of a pass that follows a byte-at-a-time pass.
 * After a byte-at-a-time run over the 16 MiB data slice (190 ms), a memchr
 * line scan of the 36 MB data stream took 9-10 ms, then 7-8 ms, and came
 * back to 4.2 ms only after 100 to 250 ms of such scans (2026-12-07, the
 * Intel machine; bench/README.md, "Settling after byte-at-a-time runs"). */
#define SETTLE_AFTER_BYTES 0.3

/* Runs the passes of every planned measurement, interleaved, and fills in
 * their figures. */
static void run_jobs(void)
{
    int pass, i, most = 0;
    size_t prev_chunk = 1;   /* chunk of the run before: the planning's
                                warm-ups end with byte-at-a-time runs */
    for (i = 0; i < njobs; i++)
        if (jobs[i].passes > most) most = jobs[i].passes;
    for (pass = 0; pass < most; pass++) {
        for (i = 0; i < njobs; i++) {
            job *j = &jobs[i];
            bench_out o = { 0, 0, 0 };
            unsigned k;
            double t, settle = opt_settle;
            if (pass >= j->passes) continue;
            if (prev_chunk == 1 && settle > 0 && settle < SETTLE_AFTER_BYTES)
                settle = SETTLE_AFTER_BYTES;
            prev_chunk = j->chunk;
            t = now();
            if (settle > 0) {
                do   /* settle: untimed runs of the same measurement */
                    j->fn(j->w, j->buf, j->len, j->chunk, &o);
                while (now() - t < settle);
                o.sum = 0;
            }
            t = now();
            counting = 1;
            for (k = 0; k < j->reps; k++)
                j->fn(j->w, j->buf, j->len, j->chunk, &o);
            counting = 0;
            j->times[pass] = (now() - t) / j->reps;
            checksum = checksum * 31 + o.sum;
        }
    }
    for (i = 0; i < njobs; i++) {
        job *j = &jobs[i];
        int n = j->passes;
        if (n == 0) continue;
        qsort(j->times, (size_t)n, sizeof j->times[0], cmp_double);
        j->m.passes = n;
        j->m.med = (n & 1) ? j->times[n / 2] : (j->times[n / 2 - 1] + j->times[n / 2]) / 2;
        j->m.min = j->times[0];
        j->m.max = j->times[n - 1];
    }
    njobs = 0;
}

static void json_str(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20) printf("\\u%04x", (unsigned char)*s);
        else putchar(*s);
    }
    putchar('"');
}

static void print_result(const workload *w, const meas *m)
{
    printf("RESULT {\"system\": ");
    json_str(m->system);
    printf(", \"file\": ");
    json_str(w->file);
    printf(", \"bytes\": %zu, \"test\": \"%s\", \"chunk\": %zu, \"passes\": %d, "
           "\"median_s\": %.9f, \"min_s\": %.9f, \"max_s\": %.9f, \"items\": %llu, "
           "\"unit\": \"%s\"}\n",
           m->bytes, kind_name[w->kind], m->chunk, m->passes, m->med, m->min, m->max,
           (unsigned long long)m->items, kind_unit[w->kind]);
}

static void chunk_name(char *dst, size_t cap, size_t chunk)
{
    if (chunk == 0) snprintf(dst, cap, "whole");
    else snprintf(dst, cap, "%zu", chunk);
}

static void print_header(void)
{
    printf("%-22s %6s %11s %10s %19s %9s %9s %8s %7s %6s %6s\n", "system", "chunk", "bytes",
           "median ms", "min..max ms", "MB/s", "Mitems/s", "ns/item", "ns/B", "x mchr", "x hand");
}

/* ref_mem, ref_hand: the whole-buffer references of the full file (rate =
 * bytes / s), used for the ratio columns. */
static void print_row(const char *label, const meas *m, const meas *ref_mem, const meas *ref_hand)
{
    char ch[24], mm[48];
    double rate = (double)m->bytes / m->med;
    chunk_name(ch, sizeof ch, m->chunk);
    snprintf(mm, sizeof mm, "%.3f..%.3f", m->min * 1e3, m->max * 1e3);
    printf("%-22s %6s %11zu %10.3f %19s %9.1f %9.3f %8.1f %7.3f", label, ch, m->bytes,
           m->med * 1e3, mm, rate / 1e6, (double)m->items / m->med / 1e6,
           m->items ? m->med * 1e9 / (double)m->items : 0.0, m->med * 1e9 / (double)m->bytes);
    if (ref_mem) printf(" %6.3f", rate / ((double)ref_mem->bytes / ref_mem->med));
    else printf(" %6s", "-");
    if (ref_hand) printf(" %6.3f", rate / ((double)ref_hand->bytes / ref_hand->med));
    else printf(" %6s", "-");
    if (m->errors) printf("  (%llu errors)", (unsigned long long)m->errors);
    printf("\n");
}

/* ---- Slices: a prefix of the stream that ends between items ------------------------- */

static size_t line_end(const char *buf, size_t len, size_t at)
{
    const char *lf = memchr(buf + at, '\n', len - at);
    return lf ? (size_t)(lf - buf) + 1 : len;
}

/* The shortest prefix of at least `limit` bytes that ends between two items
 * (the whole stream when there is none). */
static size_t cut(enum kind k, const char *buf, size_t len, size_t limit)
{
    size_t pos = 0;
    int body = 0;
    if (limit >= len) return len;
    while (pos < len) {
        size_t e = line_end(buf, len, pos), ll = e - pos;
        int boundary = 0;
        switch (k) {
        case K_COMMANDS:
            boundary = 1;
            break;
        case K_REPLIES:
            boundary = ll < 4 || buf[pos + 3] != '-';
            break;
        case K_DATA:
            if (body) {
                if (ll == 3 && buf[pos] == '.' && buf[pos + 1] == '\r') { body = 0; boundary = 1; }
            } else {
                boundary = 1;
                if (ll == 6 && !strncmp(buf + pos, "DATA\r\n", 6)) { body = 1; boundary = 0; }
            }
            break;
        }
        if (boundary && e >= limit) return e;
        pos = e;
    }
    return len;
}

/* ---- Loading ------------------------------------------------------------------------ */

static int load(workload *w)
{
    FILE *f = fopen(w->file, "rb");
    long n;
    if (!f) return -1;
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return -1;
    }
    w->len = (size_t)n;
    w->buf = malloc(w->len + 1 + SMTPP_INPUT_PADDING);   /* -P: readable, initialised */
    if (!w->buf || fread(w->buf, 1, w->len, f) != w->len) {
        fclose(f);
        return -1;
    }
    fclose(f);
    memset(w->buf + w->len, 0, 1 + SMTPP_INPUT_PADDING);
    if (w->kind == K_DATA) {
        /* the hand-written data parser copies each message here */
        w->outcap = w->len;
        w->out = malloc(w->outcap);
        if (!w->out) return -1;
    }
    return 0;
}

/* ---- One workload ------------------------------------------------------------------- */

/* The measurements of one library path over one workload. */
typedef struct libset {
    const char *system;
    runner fn;
    meas *whole, *ch[MAX_CHUNKS], *sw[2], *s1[2];
} libset;

/* The parsers' results (every command's or reply's fields that the
 * checksum folds; of a body, its length, size and error) do not depend on
 * how the stream is split into reads (command.h, reply.h, session.h): a
 * run whose checksum differs from the whole buffer's is reported, and
 * smtpp_bench exits 1.  Not compared: the session and the driver, whose
 * pipelining check depends on what is buffered. */
static void same_results(const workload *w, const meas *whole, const meas *m)
{
    if (strcmp(m->system, "smtpp") != 0 || m->sum == whole->sum) return;
    fprintf(stderr, "smtpp_bench: %s on %s: the results in reads of %zu differ from the whole "
                    "buffer's (checksum %016llx, whole %016llx)\n",
            m->system, w->file, m->chunk, (unsigned long long)m->sum,
            (unsigned long long)whole->sum);
    results_differ = 1;
}

static void measure_lib(libset *L, const workload *w, const size_t slices[2])
{
    int i;
    L->whole = measure(L->system, L->fn, w, w->buf, w->len, 0);
    for (i = 0; i < opt_nchunks; i++) {
        L->ch[i] = measure(L->system, L->fn, w, w->buf, w->len, opt_chunks[i]);
        same_results(w, L->whole, L->ch[i]);
    }
    for (i = 0; i < 2; i++) {
        L->sw[i] = measure(L->system, L->fn, w, w->buf, slices[i], 0);
        L->s1[i] = measure(L->system, L->fn, w, w->buf, slices[i], 1);
        same_results(w, L->sw[i], L->s1[i]);
    }
}

static void print_lib(const libset *L, const meas *mem, const meas *hand, const size_t slices[2])
{
    char label[48];
    int i;
    print_row(L->system, L->whole, mem, hand);
    for (i = 0; i < opt_nchunks; i++)
        print_row(L->system, L->ch[i], mem, hand);
    for (i = 0; i < 2; i++) {
        snprintf(label, sizeof label, "%s slice %c", L->system, i ? 'L' : 'S');
        print_row(label, L->sw[i], mem, hand);
        print_row(label, L->s1[i], mem, hand);
    }
    (void)slices;
}

static void print_lib_summary(const libset *L, const meas *mem, const meas *hand,
                              const meas *memL)
{
    const meas *wh = L->whole;
    int i;
    printf("%s: whole %.0f MB/s = %.3f x memchr, %.3f x hand-written",
           L->system, (double)wh->bytes / wh->med / 1e6,
           (mem->med / (double)mem->bytes) / (wh->med / (double)wh->bytes),
           (hand->med / (double)hand->bytes) / (wh->med / (double)wh->bytes));
    /* "; 16 KiB chunks 1.048 x whole-buffer time, 1 KiB 1.432 x" */
    for (i = 0; i < opt_nchunks; i++) {
        char sz[24];
        size_t c = opt_chunks[i];
        if (c % 1024 == 0) snprintf(sz, sizeof sz, "%zu KiB", c / 1024);
        else snprintf(sz, sizeof sz, "%zu B", c);
        printf(i ? ", %s %.3f x" : "; %s chunks %.3f x whole-buffer time", sz,
               L->ch[i]->med / wh->med);
    }
    printf("\n");
    printf("%s: on slice L (in cache) %.0f MB/s = %.3f x memchr on the same slice\n",
           L->system, (double)L->sw[1]->bytes / L->sw[1]->med / 1e6, memL->med / L->sw[1]->med);
    printf("%s: 1-byte chunks %.2f ns/B on slice S (%zu B, %.1f x its whole-buffer time), "
           "%.2f ns/B on slice L (%zu B, %.1f x); L/S per byte %.3f (1 = linear)\n",
           L->system, L->s1[0]->med * 1e9 / (double)L->s1[0]->bytes, L->s1[0]->bytes,
           L->s1[0]->med / L->sw[0]->med, L->s1[1]->med * 1e9 / (double)L->s1[1]->bytes,
           L->s1[1]->bytes, L->s1[1]->med / L->sw[1]->med,
           (L->s1[1]->med / (double)L->s1[1]->bytes) / (L->s1[0]->med / (double)L->s1[0]->bytes));
    if (L->whole->errors)
        printf("%s: %llu items refused or failed (the generated streams have none: a bug?)\n",
               L->system, (unsigned long long)L->whole->errors);
}

static void result_lib(const libset *L, const workload *w, const size_t slices[2])
{
    int i;
    print_result(w, L->whole);
    for (i = 0; i < opt_nchunks; i++)
        print_result(w, L->ch[i]);
    for (i = 0; i < 2; i++) {
        workload sl = *w;
        sl.len = slices[i];
        print_result(&sl, L->sw[i]);
        print_result(&sl, L->s1[i]);
    }
}

static void run_workload(workload *w)
{
    libset libs[3];
    int nlib = 0, i;
    meas *mem, *hand, *memL;
    size_t slices[2];
    uint64_t alloc0;

    if (smtpp_runner(w->kind)) {
        libs[nlib].system = "smtpp";
        libs[nlib++].fn = smtpp_runner(w->kind);
    }
    if (session_runner(w->kind)) {
        libs[nlib].system = "smtpp+session";
        libs[nlib++].fn = session_runner(w->kind);
    }
#if defined(SMTPP_BENCH_SESSION)
    if (w->kind != K_REPLIES) {
        libs[nlib].system = "smtpp+conn";
        libs[nlib++].fn = w->kind == K_DATA ? run_conn_data : run_conn_commands;
    }
#endif

    if (opt_profile > 0) {
        size_t chunk = opt_chunks_set ? opt_chunks[0] : 0;
        for (i = 0; i < nlib; i++) {
            double t0 = now();
            bench_out o = { 0, 0, 0 };
            unsigned runs = 0;
            while (now() - t0 < opt_profile) {
                libs[i].fn(w, w->buf, w->len, chunk, &o);
                runs++;
            }
            checksum = checksum * 31 + o.sum;
            printf("%s: %u runs of %s, %s %zu, %.1f MB/s\n", kind_name[w->kind], runs,
                   libs[i].system, chunk ? "reads of" : "whole buffer", chunk,
                   (double)w->len * runs / (now() - t0) / 1e6);
        }
        return;
    }
    if (opt_once) {
        workload sl = *w;
        sl.len = cut(w->kind, w->buf, w->len, opt_once);
        mem = measure("memchr", run_memchr, &sl, sl.buf, sl.len, 0);
        hand = measure("handwritten", run_handwritten, &sl, sl.buf, sl.len, 0);
        mem->items = hand->items;
        print_result(&sl, mem);
        print_result(&sl, hand);
        for (i = 0; i < nlib; i++)
            print_result(&sl, measure(libs[i].system, libs[i].fn, &sl, sl.buf, sl.len,
                                      opt_chunks_set ? opt_chunks[0] : 0));
        run_jobs();     /* no passes in this mode: only forgets the jobs */
        return;
    }

    printf("\n== %s: %s, %zu bytes ==\n", kind_name[w->kind], w->file, w->len);
    alloc0 = allocs_total();
    mem = measure("memchr", run_memchr, w, w->buf, w->len, 0);
    hand = measure("handwritten", run_handwritten, w, w->buf, w->len, 0);
    /* the line scan counts lines; give it the workload's item count so that
     * its ns/item compares with the parsers' */
    mem->items = hand->items;
    slices[0] = cut(w->kind, w->buf, w->len,
                    opt_slice_small ? opt_slice_small : w->kind == K_DATA ? 2u << 20 : 256u << 10);
    slices[1] = cut(w->kind, w->buf, w->len,
                    opt_slice_large ? opt_slice_large : w->kind == K_DATA ? 16u << 20 : 2u << 20);
    /* the line scan on slice L, whose bytes stay in cache: the limit for
     * the slice rows, where the full file may be bound by memory bandwidth */
    memL = measure("memchr", run_memchr, w, w->buf, slices[1], 0);
    for (i = 0; i < nlib; i++)
        measure_lib(&libs[i], w, slices);
    run_jobs();

    print_header();
    print_row("memchr line scan", mem, mem, hand);
    print_row("hand-written", hand, mem, hand);
    memL->items = nlib ? libs[0].sw[1]->items : 0;
    print_row("memchr slice L", memL, mem, hand);
    for (i = 0; i < nlib; i++)
        print_lib(&libs[i], mem, hand, slices);
    for (i = 0; i < nlib; i++) {
        print_lib_summary(&libs[i], mem, hand, memL);
        if (libs[i].whole->items != hand->items)
            printf("note: hand-written counted %llu %s, %s %llu\n",
                   (unsigned long long)hand->items, kind_unit[w->kind], libs[i].system,
                   (unsigned long long)libs[i].whole->items);
    }
    if (nlib == 0)
        printf("not measured: the library on %s (the body scanner had not landed)\n",
               kind_name[w->kind]);
    else if (w->kind != K_REPLIES && !session_runner(w->kind))
        printf("not measured: smtpp+session (the session validator had not landed)\n");
    if (HAVE_ALLOC_COUNT)
        printf("heap allocations while parsing: %llu (malloc %llu, calloc %llu, realloc %llu)\n",
               (unsigned long long)(allocs_total() - alloc0), (unsigned long long)n_malloc,
               (unsigned long long)n_calloc, (unsigned long long)n_realloc);
    else
        printf("heap allocations while parsing: not counted (not glibc, or a sanitizer build)\n");

    print_result(w, mem);
    print_result(w, hand);
    {
        workload sl = *w;
        sl.len = slices[1];
        print_result(&sl, memL);
    }
    for (i = 0; i < nlib; i++)
        result_lib(&libs[i], w, slices);
    fflush(stdout);
}

/* ---- Main ----------------------------------------------------------------------------- */

static void print_system(void)
{
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[256];
    time_t t = time(NULL);
    printf("smtpp_bench: libsmtpp %s (header %d.%d.%d)", smtpp_version_string(),
           SMTPP_VERSION_MAJOR, SMTPP_VERSION_MINOR, SMTPP_VERSION_PATCH);
#if defined(__VERSION__)
    printf(", compiler %s", __VERSION__);
#endif
#if defined(__OPTIMIZE__)
    printf(", optimized");
#else
    printf(", NOT optimized");
#endif
    printf("\n");
    if (f) {
        while (fgets(line, sizeof line, f))
            if (!strncmp(line, "model name", 10)) {
                printf("cpu: %s", strchr(line, ':') ? strchr(line, ':') + 2 : line);
                break;
            }
        fclose(f);
    }
    printf("date: %s", ctime(&t));
    printf("passes %d, shortest pass %.3f s; MB = 10^6 bytes; ratios are throughput "
           "ratios (>1 = faster than the reference)\n", opt_passes, opt_min_time);
    printf("sizeof: smtpp_parser %zu, smtpp_command %zu, smtpp_reply_parser %zu, "
           "smtpp_reply %zu, smtpp_tracker %zu, smtpp_ehlo %zu\n",
           sizeof(smtpp_parser), sizeof(smtpp_command), sizeof(smtpp_reply_parser),
           sizeof(smtpp_reply), sizeof(smtpp_tracker), sizeof(smtpp_ehlo));
#if defined(SMTPP_BENCH_DATA) || defined(SMTPP_BENCH_SESSION)
    printf("sizeof: smtpp_session %zu, smtpp_data %zu, smtpp_config %zu (shared); "
           "per connection, parser + session: %zu (target <= 256)\n",
           sizeof(smtpp_session), sizeof(smtpp_data), sizeof(smtpp_config),
           sizeof(smtpp_parser) + sizeof(smtpp_session));
#endif
}

static size_t parse_size(const char *s)
{
    char *e;
    double v = strtod(s, &e);
    if (*e == 'k' || *e == 'K') v *= 1024;
    else if (*e == 'm' || *e == 'M') v *= 1048576;
    return (size_t)v;
}

static void usage(void);

/* -c LIST: the read sizes of the chunked runs. */
static void parse_chunks(const char *s)
{
    opt_nchunks = 0;
    opt_chunks_set = 1;
    for (;;) {
        size_t c = parse_size(s);
        if (c == 0 || opt_nchunks == MAX_CHUNKS) usage();
        opt_chunks[opt_nchunks++] = c;
        if (!(s = strchr(s, ','))) break;
        s++;
    }
}

static void usage(void)
{
    fprintf(stderr, "usage: smtpp_bench [-d DIR] [-p PASSES] [-t SEC] [-w SEC] [-s BYTES] [-S BYTES] "
                    "[-c BYTES[,BYTES...]] [-C] [--once BYTES] [--profile SEC] [-P] "
                    "[commands|data|replies:FILE ...]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *dir = ".";
    workload w[64];
    int nw = 0, i;
    char *paths[3];

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (!strcmp(a, "-P")) {
            opt_padded = 1;
            continue;
        }
        if (!strcmp(a, "-C")) {
            opt_cold = 1;
            continue;
        }
        if (a[0] == '-') {
            if (i + 1 >= argc) usage();
            if (!strcmp(a, "-d")) dir = argv[++i];
            else if (!strcmp(a, "-p")) opt_passes = atoi(argv[++i]);
            else if (!strcmp(a, "-t")) opt_min_time = atof(argv[++i]);
            else if (!strcmp(a, "-w")) opt_settle = atof(argv[++i]);
            else if (!strcmp(a, "-s")) opt_slice_small = parse_size(argv[++i]);
            else if (!strcmp(a, "-S")) opt_slice_large = parse_size(argv[++i]);
            else if (!strcmp(a, "-c")) parse_chunks(argv[++i]);
            else if (!strcmp(a, "--once")) opt_once = parse_size(argv[++i]);
            else if (!strcmp(a, "--profile")) opt_profile = atof(argv[++i]);
            else usage();
            continue;
        }
        if (nw == 64) usage();
        if (!strncmp(a, "commands:", 9)) { w[nw].kind = K_COMMANDS; w[nw].file = a + 9; }
        else if (!strncmp(a, "data:", 5)) { w[nw].kind = K_DATA; w[nw].file = a + 5; }
        else if (!strncmp(a, "replies:", 8)) { w[nw].kind = K_REPLIES; w[nw].file = a + 8; }
        else usage();
        nw++;
    }
    if (opt_passes < 1) opt_passes = 1;
    if (nw == 0) {
        static const char *const names[3] = { "commands.txt", "data.txt", "replies.txt" };
        for (i = 0; i < 3; i++) {
            FILE *f;
            paths[i] = malloc(strlen(dir) + 16);
            sprintf(paths[i], "%s/%s", dir, names[i]);
            if ((f = fopen(paths[i], "rb")) == NULL) continue;
            fclose(f);
            w[nw].kind = (enum kind)i;
            w[nw].file = paths[i];
            nw++;
        }
        if (nw == 0) {
            fprintf(stderr, "smtpp_bench: no streams in %s; run smtpp_bench_gen -o %s first\n",
                    dir, dir);
            return 2;
        }
    }
#if defined(SMTPP_BENCH_SESSION)
    bench_cfg_init();
#endif
    print_system();
    for (i = 0; i < nw; i++) {
        w[i].out = NULL;
        w[i].outcap = 0;
        if (load(&w[i]) != 0) {
            fprintf(stderr, "smtpp_bench: %s: %s\n", w[i].file, strerror(errno));
            return 1;
        }
        run_workload(&w[i]);
        free(w[i].buf);
        free(w[i].out);
    }
    printf("\nchecksum %016llx\n", (unsigned long long)checksum);
    return results_differ;
}
