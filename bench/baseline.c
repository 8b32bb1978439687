/* The two references the benchmark measures the library against, in the
 * same process and on the same bytes:
 *
 *  1. a plain memchr scan for line ends: what any line-based parser has to
 *     do at the least (glibc's memchr is vectorized);
 *  2. a straightforward hand-written parser of the kind people embed in
 *     their servers and clients: split lines with memchr, compare verbs
 *     with strncasecmp, find the path with strchr, copy message lines minus
 *     a leading dot.  It validates nothing: no path grammar, no parameter
 *     grammar, no bare CR/LF or NUL checks, no UTF-8 checks.
 *
 * The hand-written parser is written to be reasonably quick, not naive: it
 * never copies a command line (it terminates it in place), and it checks
 * the most frequent verbs first.
 */
#include "bench.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

void ref_memchr_lines(const char *buf, size_t len, bench_out *o)
{
    const char *p = buf, *end = buf + len, *lf;
    uint64_t n = 0, sum = 0;
    while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        sum += (uint64_t)(lf - p);
        n++;
        p = lf + 1;
    }
    o->sum += sum + n;
    o->items += n;
}

enum hw_verb { HW_UNKNOWN, HW_HELO, HW_EHLO, HW_MAIL, HW_RCPT, HW_DATA, HW_RSET,
               HW_NOOP, HW_QUIT, HW_VRFY, HW_STARTTLS, HW_AUTH, HW_BDAT };

/* Parses one NUL-terminated command line l (without its CRLF). */
static uint64_t hw_command(char *l, int *verb)
{
    uint64_t sum = 0;
    char *lt, *gt, *q;

    if (strncasecmp(l, "RCPT TO:", 8) == 0) *verb = HW_RCPT;
    else if (strncasecmp(l, "MAIL FROM:", 10) == 0) *verb = HW_MAIL;
    else if (strncasecmp(l, "EHLO ", 5) == 0) *verb = HW_EHLO;
    else if (strncasecmp(l, "HELO ", 5) == 0) *verb = HW_HELO;
    else if (strcasecmp(l, "DATA") == 0) *verb = HW_DATA;
    else if (strcasecmp(l, "RSET") == 0) *verb = HW_RSET;
    else if (strncasecmp(l, "NOOP", 4) == 0) *verb = HW_NOOP;
    else if (strcasecmp(l, "QUIT") == 0) *verb = HW_QUIT;
    else if (strncasecmp(l, "VRFY ", 5) == 0) *verb = HW_VRFY;
    else if (strcasecmp(l, "STARTTLS") == 0) *verb = HW_STARTTLS;
    else if (strncasecmp(l, "AUTH ", 5) == 0) *verb = HW_AUTH;
    else if (strncasecmp(l, "BDAT ", 5) == 0) *verb = HW_BDAT;
    else *verb = HW_UNKNOWN;

    switch (*verb) {
    case HW_MAIL:
    case HW_RCPT:
        lt = strchr(l, '<');
        gt = lt ? strchr(lt, '>') : NULL;
        if (!gt) return 0;                  /* "syntax error" */
        sum += (uint64_t)(gt - lt - 1);     /* the path */
        sum += (unsigned char)lt[1];
        q = gt + 1;
        while ((q = strchr(q, ' ')) != NULL) {
            q++;
            if (strncasecmp(q, "SIZE=", 5) == 0)
                sum += strtoull(q + 5, NULL, 10);
            else if (strncasecmp(q, "BODY=", 5) == 0)
                sum += (unsigned char)q[5];
            else if (strncasecmp(q, "NOTIFY=", 7) == 0)
                sum += (unsigned char)q[7];
            sum++;
        }
        break;
    case HW_HELO:
    case HW_EHLO:
        sum += strlen(l + 5);
        break;
    default:
        break;
    }
    return sum + (uint64_t)*verb;
}

void ref_commands_handwritten(char *buf, size_t len, bench_out *o)
{
    char *p = buf, *end = buf + len, *lf, *e, saved;
    uint64_t n = 0, sum = 0;
    int verb;
    while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        e = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
        saved = *e;
        *e = '\0';
        sum += hw_command(p, &verb);
        *e = saved;
        n++;
        p = lf + 1;
    }
    o->sum += sum;
    o->items += n;
}

void ref_data_handwritten(char *buf, size_t len, char *out, size_t cap, bench_out *o)
{
    char *p = buf, *end = buf + len, *lf, *e, saved;
    uint64_t n = 0, sum = 0;
    size_t w = 0;
    int verb, body = 0;
    while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        if (body) {
            const char *src = p;
            size_t k;
            if (p[0] == '.') {
                if (lf - p == 2 && p[1] == '\r') {      /* CRLF . CRLF */
                    sum += w + (w ? (unsigned char)out[w / 2] : 0);
                    n++;
                    w = 0;
                    body = 0;
                    p = lf + 1;
                    continue;
                }
                src++;                              /* dot-unstuffing */
            }
            k = (size_t)(lf + 1 - src);
            if (w + k > cap) w = 0;                 /* never with cap >= message */
            memcpy(out + w, src, k);
            w += k;
        } else {
            e = (lf > p && lf[-1] == '\r') ? lf - 1 : lf;
            saved = *e;
            *e = '\0';
            sum += hw_command(p, &verb);
            *e = saved;
            if (verb == HW_DATA) body = 1;
        }
        p = lf + 1;
    }
    o->sum += sum;
    o->items += n;
}

void ref_replies_handwritten(const char *buf, size_t len, bench_out *o)
{
    const char *p = buf, *end = buf + len, *lf;
    uint64_t n = 0, sum = 0, lines = 0;
    while (p < end && (lf = memchr(p, '\n', (size_t)(end - p))) != NULL) {
        size_t ll = (size_t)(lf - p);
        int code;
        lines++;
        if (ll < 4 || (unsigned)(p[0] - '0') > 9 || (unsigned)(p[1] - '0') > 9 ||
            (unsigned)(p[2] - '0') > 9) {
            o->errors++;
            p = lf + 1;
            continue;
        }
        code = (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
        if (ll > 6 && (p[4] == '2' || p[4] == '4' || p[4] == '5') && p[5] == '.') {
            char *q;
            unsigned long s = strtoul(p + 6, &q, 10), d = 0;
            if (*q == '.') d = strtoul(q + 1, &q, 10);
            sum += (unsigned long)(p[4] - '0') * 1000000 + s * 1000 + d;
        }
        if (p[3] != '-') {                  /* the last line of a reply */
            sum += (uint64_t)code + lines;
            lines = 0;
            n++;
        }
        p = lf + 1;
    }
    o->sum += sum;
    o->items += n;
}
