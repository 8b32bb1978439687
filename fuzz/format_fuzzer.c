/* Fuzz target for the reply formatter (smtpp_format_reply,
 * smtpp_format_reply_str), checked by parsing what it writes.
 *
 * Input layout:
 *   bytes 0-1  reply code: 200 + (byte 1 % 400), or when bit 7 of byte 0 is
 *              set, ((byte 0 & 3) << 8 | byte 1), any number 0-1023
 *   byte 2     enhanced code: 0 none; 1 class of the code, subject byte 3
 *              % 8, detail byte 4 % 32; 2 any digits from bytes 3 and 4;
 *              3 a string of bytes 3-4 and the text's first bytes
 *   byte 5     bit 0 SMTPP_FMT_SPLIT, bit 1 SMTPP_FMT_NO_WRAP, bit 2 use
 *              smtpp_format_reply_str
 *   byte 6     separator: the text is cut into slices (lines) at this byte
 *              (0: one slice)
 *   rest       the text
 *
 * Oracles:
 *   - the length without a buffer equals the length written; a buffer one
 *     byte short is not overrun (it is a heap block of exactly that size);
 *   - refusals match the input: a bad code is SMTPP_FMT_E_CODE, control
 *     characters (CR/LF without SPLIT) SMTPP_FMT_E_CHAR, and an accepted
 *     text has none;
 *   - what is written parses as exactly one good reply with the same code,
 *     every line at most 512 octets, every line with the enhanced code given;
 *   - no byte lost or injected: the line texts, spaces removed, are the
 *     input text with its spaces and line breaks removed;
 *   - without wrapping, the lines are exactly the slices (split at line
 *     breaks with SPLIT).
 */
#include "fuzz.h"

#define HDR 7

/* 1 when the text of a formatted line starts where the caller's text
 * starts a line (a slice, or with SPLIT the text after a line break): such a
 * line begins with the caller's own words, passed through as they are.  Text
 * that starts with "d.d.d " there is read back as an enhanced code by design
 * (do not start text so when giving no enhanced code); only lines the
 * formatter started itself, by wrapping, must never read back so
 * (regressions/format/wrapped-text-read-back-as-enhanced-code). */
static int caller_line_start(const smtpp_str *t, size_t nt, unsigned flags, const char *line,
                             size_t n)
{
    size_t k, i, m = n < 12 ? n : 12;
    for (k = 0; k < nt; k++)
        for (i = 0; i <= t[k].n; i++) {
            int start = i == 0 || ((flags & SMTPP_FMT_SPLIT) && t[k].p[i - 1] == '\n');
            if (start && t[k].n - i >= m && memcmp(t[k].p + i, line, m) == 0) return 1;
        }
    return 0;
}

static int code_ok(int code)
{
    return code >= 200 && code <= 599 && (code / 10) % 10 <= 5;
}

/* Bytes of the text without spaces, CR and LF. */
static size_t squeeze(const smtpp_str *t, size_t nt, char *out, int drop_crlf)
{
    size_t i, k, o = 0;
    for (k = 0; k < nt; k++)
        for (i = 0; i < t[k].n; i++) {
            char c = t[k].p[i];
            if (c == ' ' || (drop_crlf && (c == '\r' || c == '\n'))) continue;
            out[o++] = c;
        }
    return o;
}

/* 0 when the text is acceptable, else 1. */
static int bad_chars(const smtpp_str *t, size_t nt, unsigned flags)
{
    size_t i, k;
    for (k = 0; k < nt; k++)
        for (i = 0; i < t[k].n; i++) {
            uint8_t c = (uint8_t)t[k].p[i];
            if (c == '\t' || (c >= 0x20 && c != 0x7f)) continue;
            if ((flags & SMTPP_FMT_SPLIT) && c == '\n') continue;
            if ((flags & SMTPP_FMT_SPLIT) && c == '\r' && i + 1 < t[k].n && t[k].p[i + 1] == '\n')
                continue;
            return 1;
        }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    int code;
    char enh[40];
    const char *enhp = NULL;
    smtpp_enhanced want = { 0, 0, 0 };
    unsigned flags;
    int use_str;
    smtpp_str texts[64];
    size_t nt = 0, i, start, n;
    const char *text;
    char *copy, *buf, *sq_in, *sq_out, *zt = NULL;
    long len, len2;

    if (size < HDR) return 0;
    code = (data[0] & 0x80) ? ((data[0] & 3) << 8 | data[1]) : 200 + data[1] % 400;
    flags = data[5] & 3u;
    use_str = (data[5] >> 2) & 1;
    n = size - HDR;
    copy = fuzz_dup(data + HDR, n);
    text = copy;
    switch (data[2] & 3) {
    case 0: break;
    case 1:
        snprintf(enh, sizeof enh, "%d.%d.%d", code / 100 % 10, data[3] % 8, data[4] % 32);
        enhp = enh;
        break;
    case 2:
        snprintf(enh, sizeof enh, "%d.%d.%d", data[3] % 10, data[4], data[3] * 7 % 1200);
        enhp = enh;
        break;
    default: {
        size_t k = 0, j;
        enh[k++] = (char)data[3];
        enh[k++] = (char)data[4];
        for (j = 0; j < n && j < 8; j++)
            if (copy[j]) enh[k++] = copy[j];
        enh[k] = 0;
        enhp = enh;
        break;
    }
    }
    if (enhp && smtpp_enhanced_parse(enhp, strlen(enhp), &want) != strlen(enhp))
        want.cls = 0;

    /* the text, cut into slices at the separator */
    if (use_str) {
        zt = (char *)malloc(n + 1);
        if (!zt) abort();
        memcpy(zt, copy, n);
        zt[n] = 0;
        n = strlen(zt); /* up to the first NUL */
        texts[0].p = zt;
        texts[0].n = n;
        nt = 1;
    } else if (data[6] == 0) {
        texts[0].p = text;
        texts[0].n = n;
        nt = n ? 1 : 0;
    } else {
        for (start = 0, i = 0; i <= n && nt < 64; i++) {
            if (i == n || (uint8_t)text[i] == data[6]) {
                texts[nt].p = text + start;
                texts[nt].n = i - start;
                nt++;
                start = i + 1;
            }
        }
        if (nt == 64) nt = 63;
    }

    if (use_str)
        len = smtpp_format_reply_str(NULL, 0, code, enhp, zt, flags);
    else
        len = smtpp_format_reply(NULL, 0, code, enhp, texts, nt, flags);

    if (!code_ok(code)) {
        FUZZ_CHECK(len == SMTPP_FMT_E_CODE, "code %d accepted: %ld", code, len);
        goto out;
    }
    FUZZ_CHECK(len != SMTPP_FMT_E_CODE, "code %d refused", code);
    if (len == SMTPP_FMT_E_ENHANCED) {
        FUZZ_CHECK(enhp && (want.cls == 0 || want.cls != code / 100),
                   "enhanced code %s refused for %d", enhp, code);
        goto out;
    }
    if (enhp && (want.cls == 0 || want.cls != code / 100))
        FUZZ_FAIL("bad enhanced code \"%s\" for %d not refused: %ld", enhp, code, len);
    if (len == SMTPP_FMT_E_CHAR) {
        FUZZ_CHECK(bad_chars(texts, nt, flags), "text refused (E_CHAR) without a bad character");
        goto out;
    }
    FUZZ_CHECK(!bad_chars(texts, nt, flags), "text with a control character accepted: %ld", len);
    if (len == SMTPP_FMT_E_TOO_LONG) {
        FUZZ_CHECK(flags & SMTPP_FMT_NO_WRAP, "TOO_LONG without NO_WRAP");
        goto out;
    }
    FUZZ_CHECK(len > 0, "format result %ld", len);

    buf = (char *)malloc((size_t)len);
    if (!buf) abort();
    len2 = use_str ? smtpp_format_reply_str(buf, (size_t)len, code, enhp, zt, flags)
                   : smtpp_format_reply(buf, (size_t)len, code, enhp, texts, nt, flags);
    FUZZ_CHECK(len2 == len, "length %ld, then %ld", len, len2);
    {
        /* one byte short: must not write past it */
        char *shortb = (char *)malloc((size_t)len - 1 ? (size_t)len - 1 : 1);
        if (!shortb) abort();
        len2 = use_str ? smtpp_format_reply_str(shortb, (size_t)len - 1, code, enhp, zt, flags)
                       : smtpp_format_reply(shortb, (size_t)len - 1, code, enhp, texts, nt, flags);
        FUZZ_CHECK(len2 == len, "short buffer: %ld, not %ld", len2, len);
        free(shortb);
    }
    {
        smtpp_reply_parser p;
        smtpp_reply r;
        smtpp_reply_line l;
        size_t used = 0, pos = 0, k = 0, a, b;
        smtpp_str got[2048];
        smtpp_reply_parser_init(&p, 0); /* caller text like "5.01.1" stays text */
        p.max_lines = 100000;
        p.max_line = SMTPP_FMT_MAX_LINE;
        FUZZ_CHECK(smtpp_parse_reply(&p, buf, (size_t)len, &r, &used) == SMTPP_DONE,
                   "formatted reply incomplete");
        FUZZ_CHECK(r.error == 0 && used == (size_t)len, "formatted reply refused: %s, %zu of %ld\n%.*s",
                   smtpp_reply_error_name((smtpp_reply_error)r.error), used, len, (int)len, buf);
        FUZZ_CHECK(r.code == code, "code %u, formatted %d", r.code, code);
        int injected = 0;
        while (smtpp_reply_next_line(&r, &pos, &l)) {
            FUZZ_CHECK(l.line.n + 2 <= SMTPP_FMT_MAX_LINE, "line of %zu octets", l.line.n + 2);
            if (want.cls == 0 && l.enhanced.cls != 0 && l.line.n > 4 &&
                caller_line_start(texts, nt, flags, l.line.p + 4, l.line.n - 4)) {
                injected = 1;
                break;
            }
            FUZZ_CHECK(l.enhanced.cls == want.cls && l.enhanced.subject == want.subject &&
                       l.enhanced.detail == want.detail,
                       "line %zu: enhanced code differs from \"%s\"\n%.*s", k, enhp ? enhp : "",
                       (int)len, buf);
            if (k < 2048) got[k] = l.text;
            k++;
        }
        if (k <= 2048 && !injected) {
            sq_in = (char *)malloc(n + 1);
            sq_out = (char *)malloc((size_t)len + 1);
            if (!sq_in || !sq_out) abort();
            a = squeeze(texts, nt, sq_in, (flags & SMTPP_FMT_SPLIT) != 0);
            b = squeeze(got, k, sq_out, 0);
            FUZZ_CHECK(a == b && memcmp(sq_in, sq_out, a) == 0,
                       "text changed (%zu vs %zu non-space bytes):\n%.*s", a, b, (int)len, buf);
            if ((flags & SMTPP_FMT_NO_WRAP) && !(flags & SMTPP_FMT_SPLIT)) {
                FUZZ_CHECK(k == (nt ? nt : 1), "%zu lines for %zu slices", k, nt);
                for (i = 0; i < nt; i++)
                    FUZZ_CHECK(fuzz_slice_eq(got[i], texts[i]), "line %zu differs from its slice", i);
            }
            free(sq_in);
            free(sq_out);
        }
    }
    free(buf);
out:
    free(zt);
    free(copy);
    return 0;
}
