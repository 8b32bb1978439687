/* smtpp_bench_edges: what the edges of a read cost the command parser,
 * call by call, with warm caches and the same input every time (so every
 * branch is predicted: this is the work, not the mispredictions).
 *
 *   taskset -c 1 smtpp_bench_edges [ROUNDS]
 *
 * Each case calls smtpp_parse_command() N times on a fixed region, ROUNDS
 * times (default 7), and prints the median time per call and its ratio to
 * a line in the middle of a long region ("steady"):
 *
 *   steady   a usual line with the hints known (the usual form, inline)
 *   again    a partial line, nothing new since the last call (AGAIN)
 *   first    the first line of a new read: no hint, so the framing searches
 *            the read's last octets, then hands the call back to the lane
 *   bounded  the same, the line followed by 20 octets of the next one: the
 *            lane's bounded form (the LF has fewer than 63 octets after it)
 *   tail     the same, with 2 octets after the line: too few for the
 *            bounded form's windows, so the lane runs on a padded copy
 *   padded   "first" on a parser with SMTPP_INPUT_PADDED
 *
 * A new read is made with smtpp_parser_reset() (what the hints are after
 * one).  The streams of smtpp_bench put these costs in context: a 1 KiB
 * read of its command stream holds about 26 lines, and ends in one
 * "again", one "first" and one or two lines near the end (bench/README.md,
 * "Commands at 1 KiB"). */
#define _POSIX_C_SOURCE 200809L   /* clock_gettime() */

#include "smtpp/smtpp.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define N 1000000
#define MAX_ROUNDS 31

static const char line[] = "RCPT TO:<someone@example.com>\r\n";
#define LINE (sizeof line - 1)
#define MAILBOX (sizeof "someone@example.com" - 1)

static char region[4096 + SMTPP_INPUT_PADDING];
static size_t region_len;
static volatile unsigned long sink;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

/* One case: ns per call, one round. */
typedef double (*bench_case)(void);

/* What a case does before each call. */
enum { STEADY, AGAIN, FIRST };

/* ns per call of one case, one round: N calls on the first len octets of
 * the region (AGAIN: of the line), on a parser with these options.
 * Inlined into each case with kind a constant, so that the loop holds
 * nothing else. */
static inline __attribute__((always_inline)) double run(int kind, size_t len, unsigned flags)
{
    const char *buf = kind == AGAIN ? line : region;
    smtpp_parser p;
    smtpp_command c;
    size_t used, at = 0;
    unsigned long s = 0, want = 0;
    double t0, t1;
    int i;
    smtpp_parser_init(&p, flags);
    t0 = now();
    for (i = 0; i < N; i++) {
        int r;
        if (kind == FIRST) smtpp_parser_reset(&p);   /* a new read */
        r = smtpp_parse_command(&p, buf + at, len - at, &c, &used);
        s += (unsigned)r + (kind == AGAIN ? used : c.path.mailbox.n);
        if (kind == STEADY) {
            /* back to the start well before the region's last lines (a
             * reset every hundred lines or so) */
            at += used;
            if (len - at < 512) {
                at = 0;
                smtpp_parser_reset(&p);
            }
        }
    }
    t1 = now();
    sink += s;
    /* each call gave what it should: every line taken, the partial one
     * AGAIN with nothing consumed */
    if (kind == AGAIN) want = (unsigned long)N * SMTPP_AGAIN;
    else want = (unsigned long)N * (SMTPP_DONE + MAILBOX);
    if (s != want) {
        fprintf(stderr, "smtpp_bench_edges: a call did not give the expected result\n");
        exit(1);
    }
    return (t1 - t0) / N * 1e9;
}

static double run_steady(void)
{
    return run(STEADY, region_len, 0);
}

static double run_again(void)
{
    return run(AGAIN, LINE - 10, 0);
}

static double run_first(void)
{
    return run(FIRST, region_len, 0);
}

static double run_bounded(void)
{
    return run(FIRST, LINE + 20, 0);
}

static double run_tail(void)
{
    return run(FIRST, LINE + 2, 0);
}

static double run_padded(void)
{
    return run(FIRST, region_len, SMTPP_INPUT_PADDED);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    static const struct {
        const char *name;
        bench_case fn;
    } cases[] = {
        { "steady", run_steady }, { "again", run_again },   { "first", run_first },
        { "bounded", run_bounded }, { "tail", run_tail }, { "padded", run_padded },
    };
    enum { NCASES = sizeof cases / sizeof cases[0] };
    double t[NCASES][MAX_ROUNDS], med[NCASES];
    int rounds = argc > 1 ? atoi(argv[1]) : 7, r, k;
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "usage: smtpp_bench_edges [ROUNDS (1-%d)]\n", MAX_ROUNDS);
        return 2;
    }
    /* identical lines, then zeros: the padding after the region */
    while (region_len + LINE <= 4096) {
        memcpy(region + region_len, line, LINE);
        region_len += LINE;
    }
    /* the rounds interleave the cases, so that a slow phase of the machine
     * falls on all of them alike */
    for (r = 0; r < rounds; r++)
        for (k = 0; k < NCASES; k++) t[k][r] = cases[k].fn();
    printf("%-8s %10s %8s\n", "case", "ns/call", "x steady");
    for (k = 0; k < NCASES; k++) {
        qsort(t[k], (size_t)rounds, sizeof t[k][0], cmp_double);
        med[k] = t[k][rounds / 2];
    }
    for (k = 0; k < NCASES; k++)
        printf("%-8s %10.2f %8.2f\n", cases[k].name, med[k], med[k] / med[0]);
    return 0;
}
