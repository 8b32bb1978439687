/* EHLO/LHLO capabilities: keyword and SASL-mechanism lookup (re2c,
 * case-insensitive), and the capability parser on top of the reply
 * iterator. */
#include "smtpp/smtpp.h"

#include <string.h>

typedef unsigned char eh_uchar;

/*!re2c
  re2c:define:YYCTYPE = "eh_uchar";
  re2c:yyfill:enable = 0;
  re2c:sentinel = 10;
*/

/* Longest keyword or mechanism name looked up; longer ones are unknown. */
#define EH_MAXWORD 64

static const char *const ext_names[SMTPP_EXT__COUNT] = {
#define SMTPP_X_(name, keyword) keyword,
    SMTPP_EXT_MAP(SMTPP_X_)
#undef SMTPP_X_
};

const char *smtpp_ext_name(smtpp_ext id)
{
    return (unsigned)id < SMTPP_EXT__COUNT ? ext_names[id] : "";
}

/* s: a word followed by LF.  One rule per row of SMTPP_EXT_MAP (reply.h;
 * re2c cannot read the map: test_ehlo looks every row's keyword up). */
static int eh_match_ext(const eh_uchar *s)
{
    const eh_uchar *YYCURSOR = s, *YYMARKER = s;
    /*!re2c
      'SIZE' "\n"                { return SMTPP_EXT_SIZE; }
      'PIPELINING' "\n"          { return SMTPP_EXT_PIPELINING; }
      '8BITMIME' "\n"            { return SMTPP_EXT_8BITMIME; }
      'BINARYMIME' "\n"          { return SMTPP_EXT_BINARYMIME; }
      'CHUNKING' "\n"            { return SMTPP_EXT_CHUNKING; }
      'DSN' "\n"                 { return SMTPP_EXT_DSN; }
      'SMTPUTF8' "\n"            { return SMTPP_EXT_SMTPUTF8; }
      'ENHANCEDSTATUSCODES' "\n" { return SMTPP_EXT_ENHANCEDSTATUSCODES; }
      'STARTTLS' "\n"            { return SMTPP_EXT_STARTTLS; }
      'AUTH' "\n"                { return SMTPP_EXT_AUTH; }
      'REQUIRETLS' "\n"          { return SMTPP_EXT_REQUIRETLS; }
      'MT-PRIORITY' "\n"         { return SMTPP_EXT_MT_PRIORITY; }
      'FUTURERELEASE' "\n"       { return SMTPP_EXT_FUTURERELEASE; }
      'DELIVERBY' "\n"           { return SMTPP_EXT_DELIVERBY; }
      'ETRN' "\n"                { return SMTPP_EXT_ETRN; }
      'ATRN' "\n"                { return SMTPP_EXT_ATRN; }
      'XCLIENT' "\n"             { return SMTPP_EXT_XCLIENT; }
      'XFORWARD' "\n"            { return SMTPP_EXT_XFORWARD; }
      'LIMITS' "\n"              { return SMTPP_EXT_LIMITS; }
      'VRFY' "\n"                { return SMTPP_EXT_VRFY; }
      'EXPN' "\n"                { return SMTPP_EXT_EXPN; }
      'HELP' "\n"                { return SMTPP_EXT_HELP; }
      *                          { (void)YYMARKER; return -1; }
    */
}

static uint32_t eh_match_mech(const eh_uchar *s)
{
    const eh_uchar *YYCURSOR = s, *YYMARKER = s;
    /*!re2c
      'PLAIN' "\n"              { return SMTPP_AUTH_PLAIN; }
      'LOGIN' "\n"              { return SMTPP_AUTH_LOGIN; }
      'CRAM-MD5' "\n"           { return SMTPP_AUTH_CRAM_MD5; }
      'DIGEST-MD5' "\n"         { return SMTPP_AUTH_DIGEST_MD5; }
      'XOAUTH2' "\n"            { return SMTPP_AUTH_XOAUTH2; }
      'OAUTHBEARER' "\n"        { return SMTPP_AUTH_OAUTHBEARER; }
      'SCRAM-SHA-1' "\n"        { return SMTPP_AUTH_SCRAM_SHA_1; }
      'SCRAM-SHA-1-PLUS' "\n"   { return SMTPP_AUTH_SCRAM_SHA_1_PLUS; }
      'SCRAM-SHA-256' "\n"      { return SMTPP_AUTH_SCRAM_SHA_256; }
      'SCRAM-SHA-256-PLUS' "\n" { return SMTPP_AUTH_SCRAM_SHA_256_PLUS; }
      'EXTERNAL' "\n"           { return SMTPP_AUTH_EXTERNAL; }
      'GSSAPI' "\n"             { return SMTPP_AUTH_GSSAPI; }
      'ANONYMOUS' "\n"          { return SMTPP_AUTH_ANONYMOUS; }
      'NTLM' "\n"               { return SMTPP_AUTH_NTLM; }
      *                         { (void)YYMARKER; return SMTPP_AUTH_OTHER; }
    */
}

/* Copies w into buf with an LF after it, so the lexers above have their
 * sentinel whatever w is a slice of.  Returns 0 when w cannot match. */
static int eh_word(smtpp_str w, eh_uchar buf[EH_MAXWORD + 1])
{
    if (w.p == NULL || w.n == 0 || w.n > EH_MAXWORD || memchr(w.p, '\n', w.n) != NULL)
        return 0;
    memcpy(buf, w.p, w.n);
    buf[w.n] = '\n';
    return 1;
}

int smtpp_ext_lookup(smtpp_str keyword)
{
    eh_uchar buf[EH_MAXWORD + 1];
    return eh_word(keyword, buf) ? eh_match_ext(buf) : -1;
}

uint32_t smtpp_auth_mech_bit(smtpp_str name)
{
    eh_uchar buf[EH_MAXWORD + 1];
    size_t i;
    if (name.p == NULL || name.n == 0 || name.n > 20)
        return 0;
    for (i = 0; i < name.n; i++) { /* RFC 4422 3.1, case aside */
        char c = name.p[i];
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
              || c == '-' || c == '_'))
            return 0;
    }
    eh_word(name, buf);
    return eh_match_mech(buf);
}

/* ---- Numbers ------------------------------------------------------------ */

/* All of s is 1..maxdig decimal digits; the value fits *v.  Returns 1. */
static int eh_u64(smtpp_str s, unsigned maxdig, uint64_t *v)
{
    uint64_t x = 0;
    size_t i;
    if (s.p == NULL || s.n == 0 || s.n > maxdig)
        return 0;
    for (i = 0; i < s.n; i++) {
        unsigned d;
        if (s.p[i] < '0' || s.p[i] > '9')
            return 0;
        d = (unsigned)(s.p[i] - '0');
        if (x > (UINT64_MAX - d) / 10)
            return 0;
        x = x * 10 + d;
    }
    *v = x;
    return 1;
}

static int eh_u32(smtpp_str s, unsigned maxdig, uint32_t *v)
{
    uint64_t x;
    if (!eh_u64(s, maxdig, &x) || x > UINT32_MAX)
        return 0;
    *v = (uint32_t)x;
    return 1;
}

static int eh_ieq(smtpp_str s, const char *w)
{
    size_t i, n = strlen(w);
    if (s.n != n)
        return 0;
    for (i = 0; i < n; i++) {
        char c = s.p[i];
        if (c >= 'a' && c <= 'z')
            c = (char)(c - 'a' + 'A');
        if (c != w[i])
            return 0;
    }
    return 1;
}

/* ---- Lines -------------------------------------------------------------- */

static int eh_is_alnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* Splits one capability line's text into keyword and parameters. */
static void eh_split(smtpp_str text, smtpp_ehlo_line *out)
{
    size_t i = 0;
    memset(out, 0, sizeof *out);
    out->ext = -1;
    if (text.n > 0 && eh_is_alnum(text.p[0])) {
        i = 1;
        while (i < text.n && (eh_is_alnum(text.p[i]) || text.p[i] == '-'))
            i++;
    }
    out->keyword.p = text.p;
    out->keyword.n = i;
    if (i > 0 && i == text.n) {
        /* keyword alone */
    } else if (i > 0 && text.p[i] == ' ') {
        out->params.p = text.p + i + 1;
        out->params.n = text.n - i - 1;
    } else if (i > 0 && text.p[i] == '=' && eh_ieq(out->keyword, "AUTH")) {
        out->legacy = 1;
        out->params.p = text.p + i + 1;
        out->params.n = text.n - i - 1;
    } else {
        /* malformed: the keyword is whatever precedes the first SP */
        size_t j = 0;
        while (j < text.n && text.p[j] != ' ')
            j++;
        out->bad = 1;
        out->keyword.n = j;
        if (j < text.n) {
            out->params.p = text.p + j + 1;
            out->params.n = text.n - j - 1;
        }
        return;
    }
    out->ext = smtpp_ext_lookup(out->keyword);
}

int smtpp_ehlo_next(const smtpp_ehlo *e, size_t *pos, smtpp_ehlo_line *out)
{
    smtpp_reply_line l;
    if (*pos == 0 && !smtpp_reply_next_line(&e->_reply, pos, &l))
        return 0; /* skip the greeting line */
    if (!smtpp_reply_next_line(&e->_reply, pos, &l))
        return 0;
    eh_split(l.text, out);
    return 1;
}

int smtpp_ehlo_next_unknown(const smtpp_ehlo *e, size_t *pos, smtpp_ehlo_line *out)
{
    while (smtpp_ehlo_next(e, pos, out))
        if (out->ext < 0 && !out->bad)
            return 1;
    return 0;
}

static smtpp_str eh_first_word(smtpp_str s, smtpp_str *rest)
{
    size_t pos = 0;
    smtpp_str w = { NULL, 0 };
    if (!smtpp_next_word(s, &pos, &w))
        w.p = NULL, w.n = 0;
    if (rest) {
        while (pos < s.n && s.p[pos] == ' ')
            pos++;
        rest->p = pos < s.n ? s.p + pos : NULL;
        rest->n = pos < s.n ? s.n - pos : 0;
    }
    return w;
}

static void eh_limits(smtpp_ehlo *e, smtpp_str params)
{
    size_t pos = 0;
    smtpp_str w;
    int bad = 0;
    while (smtpp_next_word(params, &pos, &w)) {
        const char *eq = memchr(w.p, '=', w.n);
        smtpp_str name, val;
        uint32_t v;
        if (eq == NULL || eq == w.p) {
            bad = 1;
            continue;
        }
        name.p = w.p;
        name.n = (size_t)(eq - w.p);
        val.p = eq + 1;
        val.n = w.n - name.n - 1;
        if (eh_ieq(name, "RCPTMAX")) {
            if (eh_u32(val, 9, &v) && v > 0) e->limits_rcptmax = v; else bad = 1;
        } else if (eh_ieq(name, "MAILMAX")) {
            if (eh_u32(val, 9, &v) && v > 0) e->limits_mailmax = v; else bad = 1;
        } else if (eh_ieq(name, "RCPTDOMAINMAX")) {
            if (eh_u32(val, 9, &v) && v > 0) e->limits_rcptdomainmax = v; else bad = 1;
        } /* other limits: kept in e->limits only */
    }
    if (bad)
        e->nbad++;
}

int smtpp_ehlo_parse(const smtpp_reply *r, smtpp_ehlo *e)
{
    size_t pos = 0;
    smtpp_reply_line first;
    smtpp_ehlo_line l;
    int have_modern_auth = 0;

    memset(e, 0, sizeof *e);
    if (r->error || r->code != 250 || r->raw.p == NULL)
        return -1;
    e->_reply = *r;
    if (!smtpp_reply_next_line(r, &pos, &first)) {
        memset(e, 0, sizeof *e);
        return -1;
    }
    e->domain = eh_first_word(first.text, &e->greet);

    pos = 0;
    while (smtpp_ehlo_next(e, &pos, &l)) {
        smtpp_str w, rest;
        if (l.bad) {
            e->nbad++;
            continue;
        }
        if (l.ext < 0) {
            e->nunknown++;
            continue;
        }
        e->exts |= 1u << l.ext;
        switch (l.ext) {
        case SMTPP_EXT_SIZE:
            w = eh_first_word(l.params, &rest);
            if (w.p != NULL) {
                if (rest.p == NULL && eh_u64(w, 20, &e->size))
                    e->size_given = 1;
                else
                    e->nbad++;
            }
            break;
        case SMTPP_EXT_AUTH: {
            size_t wp = 0;
            int bad = 0;
            while (smtpp_next_word(l.params, &wp, &w)) {
                uint32_t bit = smtpp_auth_mech_bit(w);
                if (bit == 0)
                    bad = 1;
                e->auth_mechs |= bit;
            }
            if (bad)
                e->nbad++;
            if (l.legacy) {
                e->auth_legacy = 1;
                if (!have_modern_auth)
                    e->auth = l.params;
            } else {
                have_modern_auth = 1;
                e->auth = l.params;
            }
            break;
        }
        case SMTPP_EXT_MT_PRIORITY:
            e->mt_priority = eh_first_word(l.params, NULL);
            break;
        case SMTPP_EXT_FUTURERELEASE: {
            smtpp_str dt;
            w = eh_first_word(l.params, &rest);
            dt = eh_first_word(rest, &rest);
            if (w.p != NULL && dt.p != NULL && rest.p == NULL
                && eh_u32(w, 9, &e->futurerelease_interval)) {
                e->futurerelease_datetime = dt;
                e->futurerelease_given = 1;
            } else {
                e->nbad++;
            }
            break;
        }
        case SMTPP_EXT_DELIVERBY:
            w = eh_first_word(l.params, &rest);
            if (w.p != NULL) {
                if (rest.p == NULL && eh_u32(w, 9, &e->deliverby_min))
                    e->deliverby_given = 1;
                else
                    e->nbad++;
            }
            break;
        case SMTPP_EXT_XCLIENT:
            e->xclient = l.params;
            break;
        case SMTPP_EXT_XFORWARD:
            e->xforward = l.params;
            break;
        case SMTPP_EXT_LIMITS:
            e->limits = l.params;
            eh_limits(e, l.params);
            break;
        default:
            break;
        }
    }
    return 0;
}
