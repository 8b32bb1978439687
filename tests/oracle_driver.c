/* The library's side of the grammar-oracle test (tests/oracle/README.md).
 *
 * Reads records from stdin: one flags octet (bit 0: SMTPP_ACCEPT_UNKNOWN_PARAMS;
 * bit 1: SMTPP_LENIENT_SPACE_AFTER_COLON, _TRAILING_SPACE, _LOCAL_DOTS and
 * _LONG_LOCAL),
 * a 4-octet little-endian length, then that many octets: what a client sent.
 * Parses each record three ways with a fresh parser:
 *   - whole, unpadded: the general path, or the lane in its bounded form
 *     or on a padded copy of the region's tail (parser/command_lane.h,
 *     "What it reads");
 *   - one octet at a time: the incremental path;
 *   - when the record ends with CRLF, followed by one long NOOP line (the
 *     padding of tests/feed.h), so that the AVX2 lane can take its lines.
 * The three must give the same results (tests/describe.h's canonical
 * description, every field); when they do not, the output says so.  Then
 * it writes one line per record:
 *   F<finish> then, per command, TAB and either ERR|<error name> or
 *   OK|<fields>, in the form tests/oracle/oracle.mjs writes its verdicts;
 * or X|<first description>|<second description> when the ways differ.
 * The parser's line limit is the -m argument (default 2048). */
#define _POSIX_C_SOURCE 200809L
#include "describe.h"

#include <smtpp/smtpp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAD 360

static unsigned max_line = 2048;

/* dput's escaping: "\hh" for octets < 0x20, >= 0x7f, "\" and "|". */
static void esc(FILE *o, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '\\' || c == '|') fprintf(o, "\\%02x", c);
        else fputc(c, o);
    }
}

/* "=" and the escaped slice, or "!" when it is absent. */
static void value(FILE *o, smtpp_str s)
{
    if (!s.p) { fputc('!', o); return; }
    fputc('=', o);
    esc(o, s.p, s.n);
}

static void slice(FILE *o, const char *k, smtpp_str s)
{
    fprintf(o, "|%s", k);
    value(o, s);
}

/* The oracle's form of one result. */
static void summary(FILE *o, const smtpp_command *c)
{
    unsigned i;
    if (c->error) {
        fprintf(o, "ERR|%s", smtpp_error_name((smtpp_error)c->error));
        return;
    }
    fprintf(o, "OK|v=%s", smtpp_verb_name((smtpp_verb)c->verb));
    if (c->verb == SMTPP_VERB_HELO || c->verb == SMTPP_VERB_EHLO) {
        slice(o, "dom", c->path.domain);
        slice(o, "lit", c->path.literal);
        fprintf(o, "|dk=%u", c->path.domain_kind);
        return;
    }
    if (c->verb != SMTPP_VERB_MAIL && c->verb != SMTPP_VERB_RCPT) return;
    fprintf(o, "|k=%u", c->path.kind);
    slice(o, "raw", c->path.raw);
    slice(o, "route", c->path.route);
    slice(o, "mbox", c->path.mailbox);
    slice(o, "local", c->path.local);
    slice(o, "dom", c->path.domain);
    slice(o, "lit", c->path.literal);
    fprintf(o, "|dk=%u|q=%u|u8=%u", c->path.domain_kind, c->path.quoted, c->path.utf8);
    for (i = 0; i < SMTPP_PARAM__COUNT; i++) {
        const smtpp_params *p = &c->p;
        if (!(p->present & (1u << i))) continue;
        fprintf(o, "|T%u", i);
        switch (i) {
        case SMTPP_PARAM_SIZE: fprintf(o, "=%llu", (unsigned long long)p->size); break;
        case SMTPP_PARAM_BODY: fprintf(o, "=%u", p->body); break;
        case SMTPP_PARAM_RET: fprintf(o, "=%u", p->ret); break;
        case SMTPP_PARAM_ENVID: value(o, p->envid); break;
        case SMTPP_PARAM_AUTH: value(o, p->auth); break;
        case SMTPP_PARAM_MT_PRIORITY: fprintf(o, "=%d", p->mt_priority); break;
        case SMTPP_PARAM_NOTIFY: fprintf(o, "=%u", p->notify); break;
        case SMTPP_PARAM_ORCPT:
            value(o, p->orcpt_type);
            value(o, p->orcpt);
            break;
        case SMTPP_PARAM_HOLDFOR: fprintf(o, "=%u", p->holdfor); break;
        case SMTPP_PARAM_HOLDUNTIL: value(o, p->holduntil); break;
        case SMTPP_PARAM_BY: fprintf(o, "=%d;%c%u", p->by_time, p->by_mode, p->by_trace); break;
        default: break;
        }
    }
    for (i = 0; i < c->nparams; i++) {
        fprintf(o, "|p%d", c->params[i].id);
        value(o, c->params[i].keyword);
        value(o, c->params[i].value);
    }
}

typedef struct run {
    smtpp_command *cmds; /* results, in order */
    char **descs;        /* describe_command of each */
    size_t n, cap;
    int finish;
    char *whole;         /* all descriptions */
} run;

static void run_push(run *r, const smtpp_command *c)
{
    static char b[1 << 16];
    dbuf d = { b, 0, sizeof b };
    b[0] = 0;
    if (r->n == r->cap) {
        r->cap = r->cap ? 2 * r->cap : 8;
        r->cmds = realloc(r->cmds, r->cap * sizeof *r->cmds);
        r->descs = realloc(r->descs, r->cap * sizeof *r->descs);
        if (!r->cmds || !r->descs) abort();
    }
    describe_command(&d, c);
    r->cmds[r->n] = *c;
    r->descs[r->n] = strdup(b);
    r->n++;
}

static void run_free(run *r)
{
    size_t i;
    for (i = 0; i < r->n; i++) free(r->descs[i]);
    free(r->cmds);
    free(r->descs);
    memset(r, 0, sizeof *r);
}

/* Parses buf[0..n) delivered step octets at a time (step 0: whole).  The
 * results' slices point into buf, which stays put: the region is always a
 * suffix of buf[0..have). */
static void parse(unsigned flags, const char *buf, size_t n, size_t step, run *r)
{
    smtpp_parser p;
    size_t start = 0, have = step ? 0 : n;
    smtpp_parser_init(&p, flags);
    p.max_line = max_line;
    for (;;) {
        for (;;) {
            smtpp_command c;
            size_t used = 0;
            int rc = smtpp_parse_command(&p, buf + start, have - start, &c, &used);
            if (used > have - start) abort();
            start += used;
            if (rc == SMTPP_AGAIN) break;
            run_push(r, &c);
        }
        if (have == n) break;
        have = have + step > n ? n : have + step;
    }
    r->finish = smtpp_parser_finish(&p, have - start);
}

static int same(const run *a, const run *b, size_t n)
{
    size_t i;
    for (i = 0; i < n; i++)
        if (strcmp(a->descs[i], b->descs[i]) != 0) return 0;
    return 1;
}

static void mismatch(const char *what, const run *a, const run *b)
{
    size_t i;
    printf("X|%s|", what);
    for (i = 0; i < a->n; i++) esc(stdout, a->descs[i], strlen(a->descs[i]));
    printf("F%d|", a->finish);
    for (i = 0; i < b->n; i++) esc(stdout, b->descs[i], strlen(b->descs[i]));
    printf("F%d\n", b->finish);
}

int main(int argc, char **argv)
{
    static char in[1 << 20];
    unsigned char hdr[5];
    if (argc == 3 && strcmp(argv[1], "-m") == 0) max_line = (unsigned)atoi(argv[2]);
    while (fread(hdr, 1, 5, stdin) == 5) {
        unsigned flags = (hdr[0] & 1) ? SMTPP_ACCEPT_UNKNOWN_PARAMS : 0;
        if (hdr[0] & 2)
            flags |= SMTPP_LENIENT_SPACE_AFTER_COLON | SMTPP_LENIENT_TRAILING_SPACE |
                     SMTPP_LENIENT_LOCAL_DOTS | SMTPP_LENIENT_LONG_LOCAL;
        size_t n = (size_t)hdr[1] | (size_t)hdr[2] << 8 | (size_t)hdr[3] << 16 |
                   (size_t)hdr[4] << 24;
        char *exact;
        run whole = { 0 }, bytes = { 0 };
        size_t i;
        if (n > sizeof in - PAD - 16 || fread(in, 1, n, stdin) != n) {
            fprintf(stderr, "oracle_driver: bad record\n");
            return 2;
        }
        /* a heap block of exactly n octets, so ASan sees any over-read */
        exact = malloc(n ? n : 1);
        if (!exact) abort();
        memcpy(exact, in, n);
        parse(flags, exact, n, 0, &whole);
        parse(flags, exact, n, 1, &bytes);
        if (whole.n != bytes.n || whole.finish != bytes.finish || !same(&whole, &bytes, whole.n)) {
            mismatch("whole/bytes", &whole, &bytes);
            goto next;
        }
        if (n >= 2 && in[n - 2] == '\r' && in[n - 1] == '\n') {
            run pad = { 0 };
            size_t pn = n + 5 + PAD + 2;
            char *pb = malloc(pn);
            if (!pb) abort();
            memcpy(pb, in, n);
            memcpy(pb + n, "NOOP ", 5);
            memset(pb + n + 5, 'x', PAD);
            memcpy(pb + n + 5 + PAD, "\r\n", 2);
            parse(flags, pb, pn, 0, &pad);
            if (pad.n != whole.n + 1 || pad.finish != 0 || whole.finish != 0 ||
                !same(&whole, &pad, whole.n) || pad.cmds[whole.n].verb != SMTPP_VERB_NOOP) {
                mismatch("whole/padded", &whole, &pad);
                run_free(&pad);
                free(pb);
                goto next;
            }
            run_free(&pad);
            free(pb);
        }
        printf("F%d", whole.finish);
        for (i = 0; i < whole.n; i++) {
            putchar('\t');
            summary(stdout, &whole.cmds[i]);
        }
        putchar('\n');
    next:
        run_free(&whole);
        run_free(&bytes);
        free(exact);
    }
    return 0;
}
