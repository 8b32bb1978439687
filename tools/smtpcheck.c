/* smtpcheck: replays an SMTP stream through libsmtpp and shows what the
 * library makes of it.
 *
 *   smtpcheck [OPTIONS] [FILE|-]          a client-side stream (what a client
 *                                         sends): each command parsed, the
 *                                         reply the library says it deserves
 *   smtpcheck --replies [OPTIONS] [FILE|-] a server-side stream: each reply
 *
 * Without FILE the bundled sample session is read.  The server it plays is
 * a capable one (PIPELINING, SIZE, 8BITMIME, BINARYMIME, CHUNKING, DSN,
 * SMTPUTF8, ENHANCEDSTATUSCODES, STARTTLS, AUTH PLAIN LOGIN) that accepts
 * every valid sender, recipient and credential (with --auth USER:PASS only
 * that pair: 535 5.7.8 otherwise; a malformed PLAIN message gets 501
 * 5.5.2 either way); options take extensions away and set limits
 * (smtpcheck --help).  After STARTTLS the stream goes
 * on as if TLS were up.
 *
 * Exit status: 0 when no command was refused (no reply >= 400), 1 when one
 * was (or, with --replies, when a reply was malformed), 2 on a usage or
 * I/O error. */
#define _POSIX_C_SOURCE 200809L
#include <smtpp/smtpp.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef SMTPCHECK_SAMPLE
#define SMTPCHECK_SAMPLE "examples/sample-session.txt"
#endif

#define HOSTNAME "mx.smtpcheck.test"

/* ---- Options ---------------------------------------------------------------- */

typedef struct options {
    int json, replies, burst;
    uint32_t max_line;       /* 0: the parser's default */
    unsigned parser_flags;
    unsigned reply_flags;    /* --replies: enum smtpp_reply_option */
    smtpp_config cfg;
    const char *file;
    const char *auth_user, *auth_pass;   /* --auth USER:PASS, or NULL */
    size_t auth_user_n;
} options;

static const struct ext_flag {
    const char *name;
    int ext;
} ext_flags[] = {
    { "--no-pipelining", SMTPP_EXT_PIPELINING },
    { "--no-size", SMTPP_EXT_SIZE },
    { "--no-8bitmime", SMTPP_EXT_8BITMIME },
    { "--no-binarymime", SMTPP_EXT_BINARYMIME },
    { "--no-chunking", SMTPP_EXT_CHUNKING },
    { "--no-dsn", SMTPP_EXT_DSN },
    { "--no-smtputf8", SMTPP_EXT_SMTPUTF8 },
    { "--no-enhancedstatuscodes", SMTPP_EXT_ENHANCEDSTATUSCODES },
    { "--no-starttls", SMTPP_EXT_STARTTLS },
    { "--no-auth", SMTPP_EXT_AUTH },
    { "--vrfy", -SMTPP_EXT_VRFY },   /* negative: turns the extension on */
    { "--expn", -SMTPP_EXT_EXPN },
};

static const struct flag_opt {
    const char *name;
    unsigned flag;
    int cfg;   /* 1: smtpp_config flag, 0: parser option */
} flag_opts[] = {
    { "--lenient-bare-lf", SMTPP_LENIENT_BARE_LF, 0 },
    { "--lenient-space-after-colon", SMTPP_LENIENT_SPACE_AFTER_COLON, 0 },
    { "--lenient-no-brackets", SMTPP_LENIENT_NO_BRACKETS, 0 },
    { "--lenient-local-dots", SMTPP_LENIENT_LOCAL_DOTS, 0 },
    { "--lenient-long-local", SMTPP_LENIENT_LONG_LOCAL, 0 },
    { "--lenient-trailing-space", SMTPP_LENIENT_TRAILING_SPACE, 0 },
    { "--accept-unknown-params", SMTPP_ACCEPT_UNKNOWN_PARAMS, 0 },
    { "--lmtp", SMTPP_CFG_LMTP, 1 },
    { "--require-auth", SMTPP_CFG_REQUIRE_AUTH, 1 },
    { "--require-tls", SMTPP_CFG_REQUIRE_TLS, 1 },
    { "--auth-needs-tls", SMTPP_CFG_AUTH_NEEDS_TLS, 1 },
    { "--sync-report-only", SMTPP_CFG_SYNC_REPORT_ONLY, 1 },
    { "--pass-bare", SMTPP_CFG_PASS_BARE, 1 },
    { "--normalise-bare", SMTPP_CFG_NORMALISE_BARE, 1 },
    { "--refuse-nul", SMTPP_CFG_REFUSE_NUL, 1 },
};

static void usage(FILE *f)
{
    size_t i;
    fprintf(f,
            "usage: smtpcheck [OPTIONS] [FILE|-]\n"
            "       smtpcheck --replies [--json] [--strict-enhanced-syntax] [FILE|-]\n"
            "Replays a client-side SMTP stream (default: the bundled sample session)\n"
            "through libsmtpp's parser and session validator and prints, for each\n"
            "command, the parsed form and the reply the library says it deserves.\n"
            "\n"
            "  --json             one JSON object per reply the server would send\n"
            "  --replies          read a server-side stream and print each reply\n"
            "  --strict-enhanced-syntax  (--replies) a reply whose text starts with\n"
            "                     a malformed enhanced code, or one of another class,\n"
            "                     is malformed (default: that text is plain text)\n"
            "  --burst            the client sent everything at once without waiting\n"
            "                     for replies (checks the pipelining rules)\n"
            "  --size N           SIZE limit in octets (default 10485760; 0: none)\n"
            "  --max-rcpts N      recipients per transaction (default 1000)\n"
            "  --max-errors N     errors before 421 (default 20; 0: none)\n"
            "  --max-line N       command line limit in octets (default 512)\n"
            "  --max-text-line N  message line limit in octets (default: none)\n"
            "  --hostname NAME    the server's name (default " HOSTNAME ")\n"
            "  --auth USER:PASS   only these credentials succeed (AUTH PLAIN, LOGIN);\n"
            "                     others get 535 5.7.8.  Default: any credentials\n");
    for (i = 0; i < sizeof ext_flags / sizeof ext_flags[0]; i++)
        fprintf(f, "  %s\n", ext_flags[i].name);
    for (i = 0; i < sizeof flag_opts / sizeof flag_opts[0]; i++)
        fprintf(f, "  %s\n", flag_opts[i].name);
    fprintf(f, "Exit status: 0 no command refused, 1 some refused (--replies: a reply\n"
               "malformed), 2 usage or I/O error.\n");
}

static int number_arg(const char *opt, const char *s, unsigned long long max,
                      unsigned long long *out)
{
    char *end;
    if (!s || !*s || *s == '-') goto bad;
    errno = 0;
    *out = strtoull(s, &end, 10);
    if (errno || *end || *out > max) goto bad;
    return 0;
bad:
    fprintf(stderr, "smtpcheck: %s needs a number up to %llu (see --help)\n", opt, max);
    return -1;
}

static int parse_args(int argc, char **argv, options *o)
{
    int i;
    size_t k;
    smtpp_config *c = &o->cfg;

    memset(o, 0, sizeof *o);
    smtpp_config_init(c, HOSTNAME);
    c->exts |= SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING) | SMTPP_EXT_BIT(SMTPP_EXT_SIZE) |
               SMTPP_EXT_BIT(SMTPP_EXT_8BITMIME) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME) |
               SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_DSN) |
               SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) |
               SMTPP_EXT_BIT(SMTPP_EXT_ENHANCEDSTATUSCODES) |
               SMTPP_EXT_BIT(SMTPP_EXT_STARTTLS) | SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    c->auth_mechs = SMTPP_AUTH_PLAIN | SMTPP_AUTH_LOGIN;
    c->max_size = 10485760;

    for (i = 1; i < argc; i++) {
        const char *a = argv[i];
        unsigned long long n;
        int found = 0;
        if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
            usage(stdout);
            exit(0);
        } else if (!strcmp(a, "--version")) {
            printf("smtpcheck (libsmtpp %s)\n", smtpp_version_string());
            exit(0);
        } else if (!strcmp(a, "--json")) {
            o->json = 1;
        } else if (!strcmp(a, "--replies")) {
            o->replies = 1;
        } else if (!strcmp(a, "--strict-enhanced-syntax")) {
            o->reply_flags |= SMTPP_REPLY_STRICT_ENHANCED_SYNTAX;
        } else if (!strcmp(a, "--burst")) {
            o->burst = 1;
        } else if (!strcmp(a, "--size") || !strcmp(a, "--max-rcpts") ||
                   !strcmp(a, "--max-errors") || !strcmp(a, "--max-text-line") ||
                   !strcmp(a, "--max-line")) {
            int is_size = !strcmp(a, "--size");
            if (number_arg(a, i + 1 < argc ? argv[++i] : NULL,
                           is_size ? ~0ull : 0xffffffffull, &n))
                return -1;
            if (is_size) c->max_size = n;
            else if (!strcmp(a, "--max-rcpts")) c->max_rcpts = (uint32_t)n;
            else if (!strcmp(a, "--max-errors")) c->max_errors = (uint32_t)n;
            else if (!strcmp(a, "--max-text-line")) c->max_text_line = (uint32_t)n;
            else o->max_line = (uint32_t)n;
        } else if (!strcmp(a, "--hostname")) {
            if (i + 1 >= argc || !argv[i + 1][0]) {
                fprintf(stderr, "smtpcheck: --hostname needs a name\n");
                return -1;
            }
            c->hostname = argv[++i];
        } else if (!strcmp(a, "--auth")) {
            const char *v = i + 1 < argc ? argv[++i] : NULL, *colon = v ? strchr(v, ':') : NULL;
            if (!colon || colon == v || !colon[1]) {
                fprintf(stderr, "smtpcheck: --auth needs USER:PASS (both non-empty)\n");
                return -1;
            }
            o->auth_user = v;
            o->auth_user_n = (size_t)(colon - v);
            o->auth_pass = colon + 1;
        } else if (!strcmp(a, "-") || a[0] != '-') {
            if (o->file) {
                fprintf(stderr, "smtpcheck: only one input file may be given\n");
                return -1;
            }
            o->file = a;
        } else {
            for (k = 0; k < sizeof ext_flags / sizeof ext_flags[0]; k++)
                if (!strcmp(a, ext_flags[k].name)) {
                    if (ext_flags[k].ext < 0)
                        c->exts |= SMTPP_EXT_BIT(-ext_flags[k].ext);
                    else
                        c->exts &= ~SMTPP_EXT_BIT(ext_flags[k].ext);
                    found = 1;
                }
            for (k = 0; k < sizeof flag_opts / sizeof flag_opts[0]; k++)
                if (!strcmp(a, flag_opts[k].name)) {
                    if (flag_opts[k].cfg)
                        c->flags |= flag_opts[k].flag;
                    else
                        o->parser_flags |= flag_opts[k].flag;
                    found = 1;
                }
            if (!found) {
                fprintf(stderr, "smtpcheck: unknown option %s (see --help)\n", a);
                return -1;
            }
        }
    }
    if (!(c->exts & SMTPP_EXT_BIT(SMTPP_EXT_SIZE))) c->max_size = 0;
    return 0;
}

/* ---- Input -------------------------------------------------------------------- */

/* Reads a whole file (or stdin for "-") into a malloc'ed buffer. */
static char *read_all(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    size_t cap = 1 << 16, n = 0, got;
    char *buf;
    if (!f) {
        fprintf(stderr, "smtpcheck: cannot open %s: %s\n", path, strerror(errno));
        return NULL;
    }
    buf = malloc(cap);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *nb = cap < ((size_t)1 << 30) ? realloc(buf, cap * 2) : NULL;
            if (!nb) {
                free(buf);
                buf = NULL;
                fprintf(stderr, "smtpcheck: %s is too large\n", path);
                break;
            }
            buf = nb;
            cap *= 2;
        }
    }
    if (buf && ferror(f)) {
        fprintf(stderr, "smtpcheck: cannot read %s: %s\n", path, strerror(errno));
        free(buf);
        buf = NULL;
    }
    if (f != stdin) fclose(f);
    *len = n;
    return buf;
}

/* ---- Printing ----------------------------------------------------------------- */

/* Length of the well-formed UTF-8 sequence at s[0..n), or 0. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0], min, cp;
    size_t len, i;
    if (c < 0x80) return 1;
    if (c >= 0xc2 && c <= 0xdf) len = 2, min = 0x80, cp = c & 0x1f;
    else if (c >= 0xe0 && c <= 0xef) len = 3, min = 0x800, cp = c & 0x0f;
    else if (c >= 0xf0 && c <= 0xf4) len = 4, min = 0x10000, cp = c & 0x07;
    else return 0;
    if (n < len) return 0;
    for (i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80) return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return 0;
    return len;
}

/* A JSON string: control bytes and bytes that are not UTF-8 as \u00XX. */
static void json_str(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, k;
    putchar('"');
    while (i < n) {
        unsigned c = s[i];
        if (c == '"' || c == '\\') {
            printf("\\%c", c);
            i++;
        } else if (c == '\n') {
            fputs("\\n", stdout);
            i++;
        } else if (c == '\r') {
            fputs("\\r", stdout);
            i++;
        } else if (c == '\t') {
            fputs("\\t", stdout);
            i++;
        } else if (c < 0x20 || c == 0x7f) {
            printf("\\u%04x", c);
            i++;
        } else if ((k = utf8_len(s + i, n - i)) == 0) {
            printf("\\u%04x", c);   /* not UTF-8: the byte as a code point */
            i++;
        } else {
            fwrite(s + i, 1, k, stdout);
            i += k;
        }
    }
    putchar('"');
}

static void json_cstr(const char *s)
{
    if (s) json_str(s, strlen(s));
    else fputs("null", stdout);
}

/* Plain text: printable ASCII and UTF-8 as is, other bytes as \xNN. */
static void text_str(const char *p, size_t n)
{
    const unsigned char *s = (const unsigned char *)p;
    size_t i = 0, k;
    while (i < n) {
        if (s[i] >= 0x20 && s[i] < 0x7f && s[i] != '\\') {
            putchar(s[i++]);
        } else if (s[i] >= 0x80 && (k = utf8_len(s + i, n - i)) > 0) {
            fwrite(s + i, 1, k, stdout);
            i += k;
        } else {
            printf("\\x%02x", s[i++]);
        }
    }
}

/* The parsed form of a command, as examples/parse_session.c prints it. */
static void print_parsed(const smtpp_command *c)
{
    unsigned i;
    printf("   = %s", c->verb ? smtpp_verb_name((smtpp_verb)c->verb) : "?");
    if (c->error) {
        printf(" refused: %s at byte %u (%s)\n", smtpp_error_name((smtpp_error)c->error),
               c->error_offset, smtpp_error_reason((smtpp_error)c->error));
        return;
    }
    switch (c->path.kind) {
    case SMTPP_PATH_NULL:
        printf(" path=<> (null)");
        break;
    case SMTPP_PATH_POSTMASTER:
        printf(" path=<");
        text_str(c->path.local.p, c->path.local.n);
        printf("> (postmaster)");
        break;
    case SMTPP_PATH_MAILBOX:
        printf(" local=");
        text_str(c->path.local.p, c->path.local.n);
        printf("%s domain=", c->path.quoted ? " (quoted)" : "");
        text_str(c->path.domain.p, c->path.domain.n);
        if (c->path.utf8) printf(" (utf8)");
        break;
    default:
        if (c->verb == SMTPP_VERB_BDAT) {
            printf(" size=%llu%s", (unsigned long long)c->bdat_size, c->bdat_last ? " LAST" : "");
        } else if (c->arg.p) {
            printf(" arg=");
            text_str(c->arg.p, c->arg.n);
        }
        if (c->auth_initial.p) printf(" initial-response=(%zu octets)", c->auth_initial.n);
    }
    for (i = 0; i < c->nparams; i++) {
        const smtpp_param *p = &c->params[i];
        putchar(' ');
        text_str(p->keyword.p, p->keyword.n);
        if (p->value.p) {
            putchar('=');
            text_str(p->value.p, p->value.n);
        }
    }
    putchar('\n');
}

/* ---- The client-side replay ---------------------------------------------------- */

typedef struct replay {
    const options *o;
    smtpp_session s;
    smtpp_parser p;
    int refused;             /* a reply >= 400 was sent */
    /* the client line the next replies answer */
    char line[1024];
    size_t line_n;
    int line_cut;            /* line[] holds only the start of the line */
    const smtpp_command *cmd; /* the command being answered, or NULL */
    /* an AUTH exchange */
    uint32_t mech;
    int login_step;
    smtpp_str resp;          /* the decoded response being answered */
    char login_user[1024];   /* LOGIN: the user name of the first response */
    size_t login_user_n;
    int login_user_cut;
    /* the message or chunk just read */
    uint64_t octets, lines;
} replay;

static void set_line(replay *r, const char *p, size_t n)
{
    r->line_cut = n > sizeof r->line;
    if (n > sizeof r->line) n = sizeof r->line;
    memcpy(r->line, p, n);
    r->line_n = n;
}

/* Prints one reply the server sends (bytes as formatted by the library) and
 * reads it back with the library's reply parser for the JSON fields. */
static void emit(replay *r, const char *after, const char *reply, long len,
                 const smtpp_verdict *v)
{
    smtpp_reply_parser rp;
    smtpp_reply rep;
    smtpp_reply_line rl;
    size_t used, pos = 0;
    int first = 1;

    if (len <= 0) {
        fprintf(stderr, "smtpcheck: internal error: the formatter refused a reply (%ld)\n", len);
        exit(2);
    }
    smtpp_reply_parser_init(&rp, 0);
    if (smtpp_parse_reply(&rp, reply, (size_t)len, &rep, &used) != SMTPP_DONE || rep.error) {
        fprintf(stderr, "smtpcheck: internal error: the library cannot read its own reply\n");
        exit(2);
    }
    if (rep.code >= 400) r->refused = 1;

    if (!r->o->json) {
        if (v && rep.code >= 400 && !v->parse_error)
            printf("   ! %s: %s\n", smtpp_verdict_name((smtpp_verdict_id)v->id), v->text);
        while (smtpp_reply_next_line(&rep, &pos, &rl)) {
            printf("S: ");
            text_str(rl.line.p, rl.line.n);
            putchar('\n');
        }
        if (v && v->close) printf("   (the server closes the connection)\n");
        return;
    }

    printf("{\"command\":");
    if (!strcmp(after, "greeting")) fputs("null", stdout);
    else json_str(r->line, r->line_n);
    printf(",\"code\":%u,\"enhanced\":", rep.code);
    if (rep.enhanced.cls) {
        char e[SMTPP_ENHANCED_MAX];
        smtpp_enhanced_format(rep.enhanced, e, sizeof e);
        json_cstr(e);
    } else {
        fputs("null", stdout);
    }
    {
        /* the text of every line, joined by LF */
        char text[8192];
        size_t tn = 0;
        while (smtpp_reply_next_line(&rep, &pos, &rl)) {
            size_t k = rl.text.n;
            if (!first && tn < sizeof text) text[tn++] = '\n';
            if (k > sizeof text - tn) k = sizeof text - tn;
            memcpy(text + tn, rl.text.p, k);
            tn += k;
            first = 0;
        }
        printf(",\"text\":");
        json_str(text, tn);
    }
    printf(",\"lines\":%u,\"after\":\"%s\"", rep.nlines, after);
    if (v && v->id) {
        printf(",\"verdict\":");
        json_cstr(smtpp_verdict_name((smtpp_verdict_id)v->id) + 8);
    }
    if (v && v->parse_error) {
        printf(",\"error\":");
        json_cstr(smtpp_error_name((smtpp_error)v->parse_error));
        printf(",\"offset\":%u", r->cmd ? r->cmd->error_offset : 0);
    }
    if (rep.code >= 400 && v) {
        printf(",\"reason\":");
        json_cstr(v->parse_error ? smtpp_error_reason((smtpp_error)v->parse_error) : v->text);
    }
    if (!strcmp(after, "message") || !strcmp(after, "chunk"))
        printf(",\"octets\":%llu", (unsigned long long)r->octets);
    if (v && v->close) printf(",\"close\":true");
    printf("}\n");
}

/* Sends the reply of a REPLY verdict (v->count times: LMTP). */
static void reply_verdict(replay *r, const char *after, const smtpp_verdict *v)
{
    char buf[1024];
    uint32_t i, n = v->count ? v->count : 1;
    long len = smtpp_session_format(&r->s, v, buf, sizeof buf);
    for (i = 0; i < n; i++) emit(r, after, buf, len, v);
}

/* A verdict of this tool's own, for the replies the library leaves to the
 * server (AUTH challenges). */
static smtpp_verdict own_verdict(const smtpp_verdict *v, smtpp_verdict_id id, int code,
                                 const char *text)
{
    smtpp_verdict out = *v;
    out.id = (uint8_t)id;
    out.code = (uint16_t)code;
    out.enhanced = smtpp_verdict_enhanced(id);
    out.text = text ? text : smtpp_verdict_text(id);
    return out;
}

static int same(const char *a, size_t an, const char *b, size_t bn)
{
    return an == bn && (an == 0 || memcmp(a, b, an) == 0);
}

/* 1 when user/pass may log in: any pair without --auth, else that one. */
static int creds_ok(const options *o, const char *user, size_t un, const char *pass, size_t pn)
{
    if (!o->auth_user) return 1;
    return same(user, un, o->auth_user, o->auth_user_n) &&
           same(pass, pn, o->auth_pass, strlen(o->auth_pass));
}

/* The answer to a decoded PLAIN message (RFC 4616). */
static smtpp_verdict plain_verdict(const replay *r, const smtpp_verdict *v, const char *msg,
                                   size_t n)
{
    static const char *const why[] = {
        "", "Malformed PLAIN message: not authzid NUL authcid NUL passwd",
        "Malformed PLAIN message: empty user name or password",
        "Malformed PLAIN message: not UTF-8",
        "Malformed PLAIN message: identity over 255 octets",
    };
    smtpp_plain pl;
    smtpp_plain_result res = smtpp_sasl_plain(msg, n, &pl);
    if (res != SMTPP_PLAIN_OK)
        return own_verdict(v, SMTPP_V_AUTH_MALFORMED, 501,
                           (unsigned)res < sizeof why / sizeof why[0] ? why[res] : NULL);
    /* an authorization identity other than the user's own is not granted */
    if ((pl.authzid.n && !same(pl.authzid.p, pl.authzid.n, pl.authcid.p, pl.authcid.n)) ||
        !creds_ok(r->o, pl.authcid.p, pl.authcid.n, pl.passwd.p, pl.passwd.n))
        return own_verdict(v, SMTPP_V_AUTH_FAILED, 535, NULL);
    return own_verdict(v, SMTPP_V_AUTH_OK, 235, NULL);
}

/* LOGIN: keeps the user name of the first response. */
static void login_user(replay *r, const char *p, size_t n)
{
    r->login_user_cut = n > sizeof r->login_user;
    if (n > sizeof r->login_user) n = sizeof r->login_user;
    memcpy(r->login_user, p, n);
    r->login_user_n = n;
}

/* LOGIN: the answer to the password. */
static smtpp_verdict login_verdict(const replay *r, const smtpp_verdict *v, const char *pass,
                                   size_t pn)
{
    if (!r->login_user_n || !pn)
        return own_verdict(v, SMTPP_V_AUTH_FAILED, 535, NULL);
    if (r->login_user_cut || !creds_ok(r->o, r->login_user, r->login_user_n, pass, pn))
        return own_verdict(v, SMTPP_V_AUTH_FAILED, 535, NULL);
    return own_verdict(v, SMTPP_V_AUTH_OK, 235, NULL);
}

/* The server's answer to a DECIDE verdict: this tool accepts everything,
 * so it is the proposed reply, except where the server must write it
 * itself (greetings of HELO/EHLO, the steps of an AUTH exchange). */
static void decide(replay *r, const char *after, int verb, const smtpp_verdict *v)
{
    char buf[4096], text[600], initial[12288];
    smtpp_verdict out = *v;
    long len;
    uint32_t i, n = v->count ? v->count : 1;

    if (v->id == SMTPP_V_AUTH_CHALLENGE && r->cmd) {
        /* AUTH mech [initial-response]: PLAIN takes one response, LOGIN two */
        r->mech = smtpp_auth_mech_bit(r->cmd->arg);
        r->login_step = 1;
        if (r->cmd->auth_initial.p) {
            /* the parser checked the base64: it decodes */
            long dn = smtpp_base64_decode(r->cmd->auth_initial, initial, sizeof initial);
            if (dn < 0) {
                out = own_verdict(v, SMTPP_V_AUTH_LINE_TOO_LONG, 500, NULL);
            } else if (r->mech == SMTPP_AUTH_LOGIN) {
                r->login_step = 2;
                login_user(r, initial, (size_t)dn);
                out = own_verdict(v, SMTPP_V_AUTH_CHALLENGE, 334, "UGFzc3dvcmQ6");
            } else {
                out = plain_verdict(r, v, initial, (size_t)dn);
            }
        } else {
            out = own_verdict(v, SMTPP_V_AUTH_CHALLENGE, 334,
                              r->mech == SMTPP_AUTH_LOGIN ? "VXNlcm5hbWU6" : "");
        }
    } else if (v->id == SMTPP_V_AUTH_OK && r->mech == SMTPP_AUTH_LOGIN && r->login_step == 1) {
        r->login_step = 2;
        login_user(r, r->resp.p, r->resp.n);
        out = own_verdict(v, SMTPP_V_AUTH_CHALLENGE, 334, "UGFzc3dvcmQ6");
    } else if (v->id == SMTPP_V_AUTH_OK && r->mech == SMTPP_AUTH_LOGIN) {
        out = login_verdict(r, v, r->resp.p, r->resp.n);
    } else if (v->id == SMTPP_V_AUTH_OK) {
        out = plain_verdict(r, v, r->resp.p, r->resp.n);
    }

    if (v->id == SMTPP_V_HELLO && verb == SMTPP_VERB_HELO) {
        snprintf(text, sizeof text, "%s Hello", r->o->cfg.hostname);
        len = smtpp_format_reply_str(buf, sizeof buf, 250, NULL, text, 0);
    } else if (v->id == SMTPP_V_HELLO) {
        len = smtpp_session_ehlo(&r->s, buf, sizeof buf, "Hello");
    } else {
        len = smtpp_session_format(&r->s, &out, buf, sizeof buf);
    }
    if (len > (long)sizeof buf) len = -1;
    for (i = 0; i < n; i++) {
        emit(r, after, buf, len, &out);
        if (smtpp_session_sent(&r->s, (smtpp_verb)verb, out.code) != 0) {
            fprintf(stderr, "smtpcheck: internal error: session out of step\n");
            exit(2);
        }
    }
    if (verb == SMTPP_VERB_STARTTLS && out.code == 220 && !r->o->json)
        printf("   (TLS is taken to be up from here on)\n");
}

static void client_line(replay *r, const char *what)
{
    if (r->o->json) return;
    printf("C: ");
    if (what) printf("%s", what);
    else text_str(r->line, r->line_n);
    if (r->line_cut) printf("... (line cut here)");
    putchar('\n');
}

/* Replays a client stream.  Returns the exit status. */
static int replay_client(const options *o, const char *in, size_t len)
{
    static replay r;
    smtpp_verdict v;
    size_t pos = 0, used;
    int other_reader = 0, done = 0;
    char sasl[16384], what[128];

    memset(&r, 0, sizeof r);
    r.o = o;
    smtpp_session_init(&r.s, &o->cfg);
    smtpp_parser_init(&r.p, o->parser_flags);
    if (o->max_line) r.p.max_line = o->max_line;
    smtpp_parser_configure(&r.p, &o->cfg);   /* MAIL/RCPT grow with the extensions */

    while (!done) {
        int rc;
        switch (smtpp_session_next(&r.s)) {
        case SMTPP_NEXT_GREETING: {
            char buf[600], text[512];
            smtpp_session_greeting(&r.s, 220, 0, &v);
            snprintf(text, sizeof text, "%s ESMTP %s", o->cfg.hostname, v.text);
            r.line_n = 0;
            emit(&r, "greeting", buf,
                 smtpp_format_reply_str(buf, sizeof buf, v.code, NULL, text, 0), &v);
            break;
        }
        case SMTPP_NEXT_COMMAND: {
            smtpp_command cmd;
            unsigned fl;
            if (other_reader) smtpp_parser_reset(&r.p);
            other_reader = 0;
            rc = smtpp_parse_command(&r.p, in + pos, len - pos, &cmd, &used);
            if (rc == SMTPP_AGAIN) {
                pos += used;
                if (used == 0 || pos == len) done = 1;
                break;
            }
            if (cmd.line.p) {
                set_line(&r, cmd.line.p, cmd.line.n);
            } else {
                r.line_n = 0;
                r.line_cut = 1;
            }
            client_line(&r, NULL);
            if (!o->json) print_parsed(&cmd);
            fl = (o->burst && pos + used < len) ? SMTPP_CHECK_MORE_INPUT : 0;
            pos += used; /* the slices in cmd stay valid: in[] does not move */
            r.cmd = &cmd;
            smtpp_session_check(&r.s, &cmd, fl, &v);
            switch (v.action) {
            case SMTPP_ACT_REPLY: reply_verdict(&r, "command", &v); break;
            case SMTPP_ACT_DECIDE: decide(&r, "command", cmd.verb, &v); break;
            case SMTPP_ACT_BODY: r.octets = r.lines = 0; break;
            default:
                if (!o->json) printf("   (the server closes the connection)\n");
                done = 1;
            }
            r.cmd = NULL;
            break;
        }
        case SMTPP_NEXT_MESSAGE: {
            smtpp_str sl;
            size_t k;
            int bdat = r.s.state == SMTPP_ST_BDAT;
            if (!other_reader) r.octets = r.lines = 0;
            other_reader = 1;
            rc = smtpp_session_data(&r.s, in + pos, len - pos, &sl, &used);
            pos += used;
            r.octets += sl.n;
            for (k = 0; k < sl.n; k++) r.lines += sl.p[k] == '\n';
            if (rc == SMTPP_AGAIN) {
                if (!o->json) printf("   (input ended inside the %s)\n", bdat ? "chunk" : "message");
                r.refused = 1;
                done = 1;
            } else if (rc == SMTPP_DONE) {
                if (bdat)
                    snprintf(what, sizeof what, "<chunk: %llu octets>",
                             (unsigned long long)r.octets);
                else
                    snprintf(what, sizeof what, "<message: %llu lines, %llu octets after unstuffing>",
                             (unsigned long long)r.lines, (unsigned long long)r.octets);
                client_line(&r, what);
                smtpp_session_data_end(&r.s, &v);
                if (v.action == SMTPP_ACT_DECIDE)
                    decide(&r, bdat ? "chunk" : "message", bdat ? SMTPP_VERB_BDAT : SMTPP_VERB_DATA, &v);
                else
                    reply_verdict(&r, bdat ? "chunk" : "message", &v);
            } else if (rc < 0) {
                fprintf(stderr, "smtpcheck: internal error: message reader out of step\n");
                return 2;
            }
            break;
        }
        case SMTPP_NEXT_SASL: {
            smtpp_str resp;
            other_reader = 1;
            rc = smtpp_session_auth_line(&r.s, in + pos, len - pos, &used, sasl, sizeof sasl,
                                         &resp, &v);
            if (rc == SMTPP_AGAIN) {
                pos += used;
                if (!o->json) printf("   (input ended inside an AUTH response)\n");
                r.refused = 1;
                done = 1;
                break;
            }
            {
                size_t n = used;
                while (n && (in[pos + n - 1] == '\n' || in[pos + n - 1] == '\r')) n--;
                set_line(&r, in + pos, n);
            }
            pos += used;
            client_line(&r, NULL);
            if (!o->json && v.action == SMTPP_ACT_DECIDE) {
                printf("   = SASL response \"");
                text_str(resp.p, resp.n);
                printf("\"\n");
            }
            r.resp = resp;
            if (v.action == SMTPP_ACT_DECIDE)
                decide(&r, "sasl", SMTPP_VERB_AUTH, &v);
            else
                reply_verdict(&r, "sasl", &v);
            break;
        }
        default:
            done = 1;
        }
    }
    if (smtpp_session_next(&r.s) == SMTPP_NEXT_COMMAND &&
        smtpp_parser_finish(&r.p, len - pos)) {
        if (!o->json) printf("   (input ended inside a command line: it is no command)\n");
    } else if (pos < len && !o->json) {
        printf("   (%zu octets after the end of the session are not processed)\n", len - pos);
    }
    return r.refused ? 1 : 0;
}

/* ---- The server-side replay ------------------------------------------------------ */

static int replay_server(const options *o, const char *in, size_t len)
{
    smtpp_reply_parser rp;
    size_t pos = 0, used;
    int bad = 0;
    unsigned flags = o->reply_flags;

    if (o->parser_flags & SMTPP_LENIENT_BARE_LF) flags |= SMTPP_REPLY_LENIENT_BARE_LF;
    smtpp_reply_parser_init(&rp, flags);
    for (;;) {
        smtpp_reply rep;
        smtpp_reply_line rl;
        smtpp_ehlo ehlo;
        size_t lp = 0, cp = 0;
        char enh[SMTPP_ENHANCED_MAX] = "";
        unsigned k;
        int rc = smtpp_parse_reply(&rp, in + pos, len - pos, &rep, &used);
        int caps;
        if (rc == SMTPP_AGAIN) {
            pos += used;
            if (used == 0 || pos == len) break;
            continue;
        }
        if (rep.error) {
            bad = 1;
            if (o->json) {
                printf("{\"code\":%u,\"error\":", rep.code);
                json_cstr(smtpp_reply_error_name((smtpp_reply_error)rep.error));
                printf(",\"reason\":");
                json_cstr(smtpp_reply_error_reason((smtpp_reply_error)rep.error));
                printf(",\"line\":%u,\"offset\":%u,\"raw\":", rep.error_line, rep.error_offset);
                json_str(rep.raw.p, rep.raw.n);
                printf("}\n");
            } else {
                printf("! malformed reply: %s (%s), line %u, offset %u: ",
                       smtpp_reply_error_reason((smtpp_reply_error)rep.error),
                       smtpp_reply_error_name((smtpp_reply_error)rep.error), rep.error_line,
                       rep.error_offset);
                text_str(rep.raw.p, rep.raw.n);
                putchar('\n');
            }
            pos += used;
            continue;
        }
        if (rep.enhanced.cls) smtpp_enhanced_format(rep.enhanced, enh, sizeof enh);
        caps = rep.code == 250 && rep.nlines > 1 && smtpp_ehlo_parse(&rep, &ehlo) == 0;
        if (o->json) {
            int first = 1;
            printf("{\"code\":%u,\"enhanced\":", rep.code);
            if (enh[0]) json_cstr(enh);
            else fputs("null", stdout);
            printf(",\"lines\":%u,\"text\":[", rep.nlines);
            while (smtpp_reply_next_line(&rep, &lp, &rl)) {
                if (!first) putchar(',');
                json_str(rl.text.p, rl.text.n);
                first = 0;
            }
            putchar(']');
            if (rep.enhanced_mixed) printf(",\"enhanced_mixed\":true");
            if (rep.enhanced_ignored) printf(",\"enhanced_ignored\":true");
            if (caps) {
                smtpp_ehlo_line el;
                printf(",\"domain\":");
                json_str(ehlo.domain.p, ehlo.domain.n);
                printf(",\"capabilities\":{");
                first = 1;
                while (smtpp_ehlo_next(&ehlo, &cp, &el)) {
                    if (!first) putchar(',');
                    json_str(el.keyword.p, el.keyword.n);
                    putchar(':');
                    if (el.params.p) json_str(el.params.p, el.params.n);
                    else fputs("null", stdout);
                    first = 0;
                }
                putchar('}');
            }
            printf("}\n");
        } else {
            printf("%u %-9s %u line%s", rep.code, enh[0] ? enh : "-", rep.nlines,
                   rep.nlines == 1 ? " " : "s");
            for (k = 0; smtpp_reply_next_line(&rep, &lp, &rl); k++) {
                printf("%s", k ? "\n                    | " : " | ");
                text_str(rl.text.p, rl.text.n);
            }
            putchar('\n');
            if (rep.enhanced_ignored)
                printf("                    (not a valid enhanced code of this reply: kept as text)\n");
            if (caps) {
                smtpp_ehlo_line el;
                printf("                    capabilities:");
                while (smtpp_ehlo_next(&ehlo, &cp, &el)) {
                    putchar(' ');
                    text_str(el.keyword.p, el.keyword.n);
                    if (el.params.p) {
                        putchar('=');
                        text_str(el.params.p, el.params.n);
                    }
                }
                putchar('\n');
            }
        }
        pos += used;
    }
    if (smtpp_reply_parser_finish(&rp, len - pos)) {
        bad = 1;
        if (o->json)
            printf("{\"error\":\"truncated\",\"reason\":\"input ended inside a reply\"}\n");
        else
            printf("! input ended inside a reply\n");
    }
    return bad;
}

/* ---- main -------------------------------------------------------------------------- */

static const char *default_sample(void)
{
    static const char *const candidates[] = {
#ifdef SMTPCHECK_SAMPLE_SRC
        SMTPCHECK_SAMPLE_SRC,
#endif
#ifdef SMTPCHECK_SAMPLE_INSTALLED
        SMTPCHECK_SAMPLE_INSTALLED,
#endif
        SMTPCHECK_SAMPLE
    };
    size_t i;
    for (i = 0; i < sizeof candidates / sizeof candidates[0]; i++) {
        FILE *f = fopen(candidates[i], "rb");
        if (f) {
            fclose(f);
            return candidates[i];
        }
    }
    return candidates[0];
}

int main(int argc, char **argv)
{
    options o;
    size_t len;
    char *in;
    int rc;

    if (parse_args(argc, argv, &o)) return 2;
    if (!o.file) o.file = default_sample();
    in = read_all(o.file, &len);
    if (!in) return 2;
    rc = o.replies ? replay_server(&o, in, len) : replay_client(&o, in, len);
    free(in);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        fprintf(stderr, "smtpcheck: cannot write the output\n");
        return 2;
    }
    return rc;
}
