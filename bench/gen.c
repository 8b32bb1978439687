/* smtpp_bench_gen: writes deterministic, realistic SMTP streams for the
 * benchmark.  No downloads, no randomness from the environment: the same
 * seed and sizes give the same bytes on every machine (integer arithmetic
 * only, no libm).
 *
 *   smtpp_bench_gen [-o DIR] [-s SEED] [-c MiB] [-d MiB] [-r MiB]
 *
 * Writes, in DIR (default "."):
 *   commands.txt  pipelined client sessions without message bodies: EHLO
 *                 (rarely HELO), MAIL FROM with SIZE/BODY/SMTPUTF8/RET/ENVID,
 *                 1-20 RCPT TO with NOTIFY/ORCPT, NOOP, RSET, QUIT.  Address
 *                 mix: ordinary names, role accounts, plus-tags, VERP and SRS
 *                 bounce addresses, ESP return paths (up to 64-octet local
 *                 parts), rare quoted local parts and address literals, and
 *                 UTF-8 addresses inside SMTPUTF8 transactions.
 *   data.txt      client sessions with messages: EHLO, then transactions
 *                 MAIL/RCPT/DATA, a dot-stuffed body (headers with folded
 *                 Received and DKIM lines, text lines of varied length, some
 *                 starting with '.', HTML parts with long lines, base64
 *                 attachments), CRLF.CRLF; then QUIT.
 *   replies.txt   the server side of such sessions: greetings, multi-line
 *                 EHLO replies in the styles of Postfix, Gmail, Exchange and
 *                 Exim, replies with enhanced codes, 354, 4xx and 5xx
 *                 (including multi-line rejections).
 * Every stream is valid under the library's strict defaults (CRLF line ends,
 * lines under 512 octets with CRLF, local parts of at most 64 octets), so
 * every item the benchmark parses is a success path.
 *
 * Defaults: 32 MiB of commands, 256 MiB of data, 32 MiB of replies, seed 1.
 * A size of 0 skips that stream.  Sizes are approximate: each stream stops
 * at the first session boundary past the size.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- Random numbers: xoshiro256** seeded with splitmix64 ------------------- */

typedef struct rng { uint64_t s[4]; } rng;

static uint64_t splitmix(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static void rng_seed(rng *r, uint64_t seed)
{
    int i;
    for (i = 0; i < 4; i++) r->s[i] = splitmix(&seed);
}

static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t rnext(rng *r)
{
    uint64_t *s = r->s, res = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;
    s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3];
    s[2] ^= t; s[3] = rotl(s[3], 45);
    return res;
}

/* Uniform in [0, n). */
static uint32_t below(rng *r, uint32_t n) { return (uint32_t)(((rnext(r) >> 32) * n) >> 32); }
/* Uniform in [lo, hi]. */
static uint32_t range(rng *r, uint32_t lo, uint32_t hi) { return lo + below(r, hi - lo + 1); }
/* True with probability pm / 1000. */
static int permille(rng *r, uint32_t pm) { return below(r, 1000) < pm; }
#define PICK(r, arr) (arr[below((r), (uint32_t)(sizeof(arr) / sizeof(arr[0])))])

/* ---- Output buffer ------------------------------------------------------------ */

typedef struct obuf { char *p; size_t n, cap; } obuf;

static void ob_reserve(obuf *b, size_t extra)
{
    if (b->n + extra <= b->cap) return;
    while (b->n + extra > b->cap) b->cap = b->cap ? b->cap * 2 : 65536;
    b->p = realloc(b->p, b->cap);
    if (!b->p) { perror("realloc"); exit(1); }
}
static void ob_put(obuf *b, const char *s, size_t n) { ob_reserve(b, n); memcpy(b->p + b->n, s, n); b->n += n; }
static void ob_puts(obuf *b, const char *s) { ob_put(b, s, strlen(s)); }
static void ob_putc(obuf *b, char c) { ob_reserve(b, 1); b->p[b->n++] = c; }
static void ob_crlf(obuf *b) { ob_put(b, "\r\n", 2); }
static void ob_num(obuf *b, uint64_t v)
{
    char t[24];
    int i = 24;
    do { t[--i] = (char)('0' + v % 10); v /= 10; } while (v);
    ob_put(b, t + i, (size_t)(24 - i));
}
static void ob_rand(obuf *b, rng *r, const char *alphabet, size_t n)
{
    size_t k = strlen(alphabet), i;
    ob_reserve(b, n);
    for (i = 0; i < n; i++) b->p[b->n++] = alphabet[below(r, (uint32_t)k)];
}

static const char HEX[] = "0123456789abcdef";
static const char ALNUM[] = "abcdefghijklmnopqrstuvwxyz0123456789";
static const char B64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
static const char QID[] = "BCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789";

/* ---- Vocabulary --------------------------------------------------------------- */

static const char *const FIRST[] = {
    "john", "mary", "alice", "bob", "carol", "dave", "eve", "frank", "grace", "heidi",
    "ivan", "judy", "mallory", "oscar", "peggy", "trent", "victor", "walter", "anna",
    "maria", "james", "robert", "linda", "michael", "sarah", "thomas", "laura", "kevin",
    "nicole", "daniel", "sophie", "lucas", "emma", "noah", "olivia", "liam", "mia",
    "hiroshi", "yuki", "wei", "priya", "arjun", "fatima", "omar", "lars", "ingrid" };
static const char *const LAST[] = {
    "smith", "johnson", "williams", "brown", "jones", "garcia", "miller", "davis",
    "rodriguez", "martinez", "hernandez", "lopez", "wilson", "anderson", "taylor",
    "moore", "jackson", "martin", "lee", "thompson", "white", "harris", "clark",
    "lewis", "walker", "young", "allen", "king", "wright", "scott", "mueller",
    "schmidt", "schneider", "fischer", "rossi", "russo", "dubois", "lefebvre",
    "tanaka", "suzuki", "kim", "park", "nguyen", "chen", "wang", "kowalski" };
static const char *const ROLE[] = {
    "info", "sales", "support", "noreply", "no-reply", "admin", "billing", "hr",
    "contact", "office", "webmaster", "postmaster", "abuse", "newsletter", "news",
    "notifications", "alerts", "jobs", "team", "hello", "accounts", "invoices" };
static const char *const BIGDOM[] = {
    "gmail.com", "outlook.com", "hotmail.com", "yahoo.com", "icloud.com", "aol.com",
    "gmx.de", "web.de", "orange.fr", "free.fr", "libero.it", "yandex.ru", "mail.ru",
    "qq.com", "163.com", "protonmail.com", "comcast.net", "btinternet.com",
    "t-online.de", "naver.com" };
static const char *const WORD[] = {
    "the", "of", "and", "to", "in", "is", "you", "that", "it", "he", "was", "for",
    "on", "are", "as", "with", "his", "they", "at", "be", "this", "have", "from",
    "or", "one", "had", "by", "word", "but", "not", "what", "all", "were", "we",
    "when", "your", "can", "said", "there", "use", "an", "each", "which", "she",
    "do", "how", "their", "if", "will", "up", "other", "about", "out", "many",
    "then", "them", "these", "so", "some", "her", "would", "make", "like", "him",
    "into", "time", "has", "look", "two", "more", "write", "go", "see", "number",
    "meeting", "invoice", "attached", "please", "regards", "thanks", "project",
    "schedule", "tomorrow", "report", "quarterly", "update", "review", "customer",
    "delivery", "shipment", "account", "password", "security", "release", "server",
    "configuration", "deployment", "budget", "proposal", "contract", "agreement",
    "information", "confidential", "unsubscribe", "newsletter", "discount", "offer" };
static const char *const TLD[] = { "com", "net", "org", "de", "fr", "co.uk", "io", "nl",
                                   "it", "es", "com.au", "ca", "ch", "se", "jp" };
static const char *const HOSTPFX[] = { "mail", "mx", "smtp", "mx1", "mx2", "out", "relay",
                                       "mta", "email", "lists", "bounce", "mailer" };
static const char *const UTF8_LOCAL[] = {
    "jos\xc3\xa9", "fran\xc3\xa7ois", "m\xc3\xbcller", "j\xc3\xb6rg.m\xc3\xbcller",
    "\xe7\x94\xa8\xe6\x88\xb7", "\xd0\xbf\xd0\xbe\xd0\xbb\xd1\x8c\xd0\xb7\xd0\xbe\xd0\xb2\xd0\xb0\xd1\x82\xd0\xb5\xd0\xbb\xd1\x8c",
    "\xce\xb4\xce\xbf\xce\xba\xce\xb9\xce\xbc\xce\xae", "\xe0\xa4\xaa\xe0\xa4\xb0\xe0\xa5\x80\xe0\xa4\x95\xe0\xa5\x8d\xe0\xa4\xb7\xe0\xa4\xbe",
    "\xe3\x81\x9f\xe3\x81\xaa\xe3\x81\x8b", "s\xc3\xb8ren", "\xc3\xa5sa.berg" };
static const char *const UTF8_DOMAIN[] = {
    "m\xc3\xbcnchen.de", "\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a",
    "\xd0\xbf\xd1\x80\xd0\xb8\xd0\xbc\xd0\xb5\xd1\x80.\xd1\x80\xd1\x84",
    "b\xc3\xbc\x72o.example", "exa\xc3\xb1o.es", "\xe3\x83\x86\xe3\x82\xb9\xe3\x83\x88.jp" };

/* ---- Addresses ---------------------------------------------------------------- */

static void put_corp_domain(obuf *b, rng *r)
{
    if (permille(r, 300)) { ob_puts(b, PICK(r, HOSTPFX)); ob_putc(b, '.'); }
    ob_puts(b, PICK(r, WORD));
    if (permille(r, 500)) ob_puts(b, PICK(r, LAST));
    else if (permille(r, 300)) { ob_putc(b, '-'); ob_puts(b, PICK(r, WORD)); }
    ob_putc(b, '.');
    ob_puts(b, PICK(r, TLD));
}

static void put_domain(obuf *b, rng *r)
{
    if (permille(r, 450)) ob_puts(b, PICK(r, BIGDOM));
    else put_corp_domain(b, r);
}

/* A local part of at most 64 octets (strict RFC 5321). */
static void put_local(obuf *b, rng *r)
{
    size_t start = b->n;
    uint32_t k = below(r, 1000);
    if (k < 420) {                         /* first.last and variants */
        ob_puts(b, PICK(r, FIRST));
        switch (below(r, 5)) {
        case 0: ob_putc(b, '.'); ob_puts(b, PICK(r, LAST)); break;
        case 1: ob_putc(b, '_'); ob_puts(b, PICK(r, LAST)); break;
        case 2: ob_puts(b, PICK(r, LAST)); break;
        case 3: ob_num(b, range(r, 1, 1999)); break;
        default: ob_putc(b, '.'); ob_putc(b, (char)('a' + below(r, 26))); ob_putc(b, '.');
                 ob_puts(b, PICK(r, LAST)); break;
        }
        if (permille(r, 40)) { ob_putc(b, '+'); ob_puts(b, PICK(r, WORD)); }
    } else if (k < 560) {                  /* role accounts */
        ob_puts(b, PICK(r, ROLE));
    } else if (k < 700) {                  /* VERP: list-bounces+user=domain */
        ob_puts(b, PICK(r, WORD));
        ob_puts(b, permille(r, 500) ? "-bounces+" : "-return-");
        if (permille(r, 500)) { ob_num(b, range(r, 1000, 99999999)); ob_putc(b, '-'); }
        ob_puts(b, PICK(r, FIRST));
        ob_putc(b, '=');
        ob_puts(b, PICK(r, BIGDOM));
    } else if (k < 800) {                  /* SRS0 / SRS1 */
        if (permille(r, 800)) {
            ob_puts(b, "SRS0=");
            ob_rand(b, r, B64 + 0, 4);
            ob_putc(b, '=');
            ob_rand(b, r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 2);
            ob_putc(b, '=');
            ob_puts(b, PICK(r, BIGDOM));
            ob_putc(b, '=');
            ob_puts(b, PICK(r, FIRST));
        } else {
            ob_puts(b, "SRS1=");
            ob_rand(b, r, ALNUM, 4);
            ob_putc(b, '=');
            ob_puts(b, PICK(r, WORD));
            ob_puts(b, ".net==");
            ob_rand(b, r, ALNUM, 4);
            ob_putc(b, '=');
            ob_rand(b, r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", 2);
            ob_putc(b, '=');
            ob_puts(b, PICK(r, BIGDOM));
            ob_putc(b, '=');
            ob_puts(b, PICK(r, FIRST));
        }
    } else if (k < 900) {                  /* ESP return paths */
        switch (below(r, 3)) {
        case 0: /* SES style: 0100018b...-uuid-000000 (60 octets) */
            ob_puts(b, "010001");
            ob_rand(b, r, HEX, 10); ob_putc(b, '-');
            ob_rand(b, r, HEX, 8); ob_putc(b, '-');
            ob_rand(b, r, HEX, 4); ob_putc(b, '-');
            ob_rand(b, r, HEX, 4); ob_putc(b, '-');
            ob_rand(b, r, HEX, 4); ob_putc(b, '-');
            ob_rand(b, r, HEX, 12);
            ob_puts(b, "-000000");
            break;
        case 1: /* Mailchimp style */
            ob_puts(b, "bounce-mc.us");
            ob_num(b, range(r, 1, 21));
            ob_putc(b, '_');
            ob_num(b, range(r, 10000000, 99999999));
            ob_putc(b, '.');
            ob_num(b, range(r, 1000000, 9999999));
            ob_putc(b, '-');
            ob_rand(b, r, HEX, 10);
            break;
        default: /* SendGrid style */
            ob_puts(b, "bounces+");
            ob_num(b, range(r, 1000000, 99999999));
            ob_putc(b, '-');
            ob_rand(b, r, HEX, 4);
            ob_putc(b, '-');
            ob_puts(b, PICK(r, FIRST));
            ob_putc(b, '=');
            ob_puts(b, PICK(r, WORD));
            ob_puts(b, ".com");
            break;
        }
    } else if (k < 903) {                  /* quoted local parts (rare) */
        ob_putc(b, '"');
        ob_puts(b, PICK(r, FIRST));
        ob_puts(b, permille(r, 500) ? " " : "@");
        ob_puts(b, PICK(r, LAST));
        if (permille(r, 300)) ob_puts(b, "\\\"x");
        ob_putc(b, '"');
    } else {                               /* short or numeric */
        ob_putc(b, (char)('a' + below(r, 26)));
        ob_num(b, range(r, 1, 999999));
    }
    if (b->n - start > 64) {               /* keep strict RFC 5321 */
        b->n = start;
        ob_puts(b, PICK(r, FIRST));
    }
}

/* Appends a mailbox (no brackets).  Returns 1 when it has UTF-8. */
static int put_mailbox(obuf *b, rng *r, int utf8_ok)
{
    int utf8 = 0;
    if (utf8_ok && permille(r, 400)) {
        ob_puts(b, PICK(r, UTF8_LOCAL));
        utf8 = 1;
    } else {
        put_local(b, r);
    }
    ob_putc(b, '@');
    if (utf8_ok && permille(r, 300)) {
        ob_puts(b, PICK(r, UTF8_DOMAIN));
        utf8 = 1;
    } else if (permille(r, 4)) {
        ob_puts(b, "[192.0.2.");
        ob_num(b, range(r, 1, 254));
        ob_putc(b, ']');
    } else if (permille(r, 2)) {
        ob_puts(b, "[IPv6:2001:db8::");
        ob_rand(b, r, HEX, range(r, 1, 4));
        ob_putc(b, ']');
    } else {
        put_domain(b, r);
    }
    return utf8;
}

/* xtext (RFC 3461) of b[from..n) appended to b. */
static void put_xtext_of(obuf *b, size_t from, size_t to)
{
    size_t i;
    for (i = from; i < to; i++) {
        unsigned char c = (unsigned char)b->p[i];
        if (c < 33 || c > 126 || c == '+' || c == '=') {
            char t[3] = { '+', "0123456789ABCDEF"[c >> 4], "0123456789ABCDEF"[c & 15] };
            ob_put(b, t, 3);
        } else {
            ob_putc(b, (char)c);
        }
    }
}

static void put_client_host(obuf *b, rng *r)
{
    switch (below(r, 8)) {
    case 0: ob_puts(b, "mail-"); ob_rand(b, r, "abcdefghijklmnopqrstuvwxyz", 2);
            ob_num(b, range(r, 1, 9)); ob_puts(b, "-f"); ob_num(b, range(r, 1, 250));
            ob_puts(b, ".google.com"); break;
    case 1: ob_putc(b, 'a'); ob_num(b, range(r, 1, 99)); ob_putc(b, '-');
            ob_num(b, range(r, 1, 250)); ob_puts(b, ".smtp-out.amazonses.com"); break;
    case 2: ob_puts(b, "[203.0.113."); ob_num(b, range(r, 1, 254)); ob_putc(b, ']'); break;
    case 3: ob_puts(b, "localhost.localdomain"); break;
    case 4: ob_puts(b, "EUR0"); ob_num(b, range(r, 1, 5)); ob_putc(b, '-');
            ob_rand(b, r, "ABCDEFGHIJKLMNOPQRSTUVWXYZ", 2); ob_num(b, range(r, 1, 9));
            ob_puts(b, "-obe.outbound.protection.outlook.com"); break;
    default: ob_puts(b, PICK(r, HOSTPFX)); ob_num(b, range(r, 1, 40)); ob_putc(b, '.');
             put_corp_domain(b, r); break;
    }
}

/* ---- Commands ------------------------------------------------------------------ */

static uint32_t rcpt_count(rng *r)
{
    uint32_t k = below(r, 100);
    if (k < 60) return 1;
    if (k < 80) return range(r, 2, 3);
    if (k < 92) return range(r, 4, 8);
    return range(r, 9, 20);
}

static void verb(obuf *b, rng *r, const char *upper, const char *lower)
{
    ob_puts(b, permille(r, 20) ? lower : upper);
}

/* One MAIL command (and its RCPTs); ehlo: ESMTP parameters allowed. */
static void put_envelope(obuf *b, rng *r, int ehlo, uint64_t size_hint, uint32_t nrcpt)
{
    size_t line;
    int dsn = ehlo && permille(r, 120);
    int utf8 = ehlo && permille(r, 30);
    uint32_t i;

    line = b->n;
    verb(b, r, "MAIL FROM:<", "mail from:<");
    if (!permille(r, 50)) put_mailbox(b, r, utf8);
    ob_putc(b, '>');
    if (ehlo) {
        if (permille(r, 700)) { ob_puts(b, " SIZE="); ob_num(b, size_hint); }
        if (permille(r, 500)) ob_puts(b, permille(r, 900) ? " BODY=8BITMIME" : " BODY=7BIT");
        if (utf8) ob_puts(b, " SMTPUTF8");
        if (dsn) {
            ob_puts(b, permille(r, 700) ? " RET=HDRS" : " RET=FULL");
            ob_puts(b, " ENVID=");
            ob_rand(b, r, QID, range(r, 8, 32));
        }
    }
    ob_crlf(b);
    if (b->n - line > 510) { fprintf(stderr, "gen: MAIL line too long\n"); exit(1); }

    for (i = 0; i < nrcpt; i++) {
        size_t mb;
        int u8;
        line = b->n;
        verb(b, r, "RCPT TO:<", "rcpt to:<");
        mb = b->n;
        u8 = put_mailbox(b, r, utf8);
        size_t mbe = b->n;
        ob_putc(b, '>');
        if (dsn) {
            uint32_t k = below(r, 4);
            ob_puts(b, k == 0 ? " NOTIFY=NEVER" : k == 1 ? " NOTIFY=SUCCESS,FAILURE"
                       : k == 2 ? " NOTIFY=FAILURE" : " NOTIFY=SUCCESS,FAILURE,DELAY");
            if (!u8 && permille(r, 700)) {
                ob_puts(b, " ORCPT=rfc822;");
                put_xtext_of(b, mb, mbe);
            }
        }
        ob_crlf(b);
        if (b->n - line > 510) { fprintf(stderr, "gen: RCPT line too long\n"); exit(1); }
    }
}

static void put_hello(obuf *b, rng *r, int ehlo)
{
    if (ehlo) verb(b, r, "EHLO ", "ehlo ");
    else verb(b, r, "HELO ", "helo ");
    put_client_host(b, r);
    ob_crlf(b);
}

static void gen_commands(obuf *b, rng *r, size_t target)
{
    while (b->n < target) {
        int ehlo = !permille(r, 30);
        uint32_t ntx = 1 + below(r, 2) + (permille(r, 300) ? below(r, 6) : 0), t;
        put_hello(b, r, ehlo);
        for (t = 0; t < ntx; t++) {
            if (permille(r, 80)) ob_puts(b, "NOOP\r\n");
            put_envelope(b, r, ehlo, range(r, 800, 3000000), rcpt_count(r));
            ob_puts(b, "RSET\r\n");
        }
        ob_puts(b, "QUIT\r\n");
    }
}

/* ---- Message bodies --------------------------------------------------------- */

/* Appends one body line (without CRLF, taken from l[0..n)), dot-stuffed. */
static void body_line(obuf *b, const char *l, size_t n)
{
    if (n && l[0] == '.') ob_putc(b, '.');
    ob_put(b, l, n);
    ob_crlf(b);
}

static void put_date(obuf *b, rng *r)
{
    static const char *const DAY[] = { "Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun" };
    static const char *const MON[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul",
                                       "Aug", "Sep", "Oct", "Nov", "Dec" };
    char t[8];
    ob_puts(b, PICK(r, DAY)); ob_puts(b, ", ");
    ob_num(b, range(r, 1, 28)); ob_putc(b, ' ');
    ob_puts(b, PICK(r, MON)); ob_puts(b, " 2024 ");
    snprintf(t, sizeof t, "%02u:%02u", (unsigned)below(r, 24), (unsigned)below(r, 60));
    ob_puts(b, t);
    snprintf(t, sizeof t, ":%02u", (unsigned)below(r, 60));
    ob_puts(b, t);
    ob_puts(b, permille(r, 500) ? " +0000" : " -0500");
}

/* Text of roughly `bytes` octets, wrapped at 60-78 columns, in paragraphs;
 * some lines start with '.', some are quoted replies, some carry UTF-8. */
static void put_text(obuf *b, obuf *tmp, rng *r, size_t bytes, int utf8)
{
    size_t start = b->n;
    while (b->n - start < bytes) {
        uint32_t width = range(r, 50, 78);
        int quoted = permille(r, 100);
        uint32_t lines = range(r, 1, 12), i;
        for (i = 0; i < lines; i++) {
            tmp->n = 0;
            if (quoted) ob_puts(tmp, "> ");
            if (permille(r, 15)) {          /* lines that start with '.' */
                static const char *const DOT[] = { "...", ".", ". ", ".NET ", ".htaccess ",
                                                   ".. ", "..and " };
                ob_puts(tmp, PICK(r, DOT));
            }
            while (tmp->n < width) {
                if (utf8 && permille(r, 30)) ob_puts(tmp, "caf\xc3\xa9");
                else ob_puts(tmp, PICK(r, WORD));
                ob_putc(tmp, permille(r, 60) ? ',' : ' ');
                if (permille(r, 40)) ob_putc(tmp, ' ');
            }
            if (permille(r, 30)) tmp->n = 0;   /* a short or empty line */
            body_line(b, tmp->p, tmp->n);
        }
        body_line(b, "", 0);
    }
}

/* HTML: a few very long lines (up to 998 octets) and many medium ones. */
static void put_html(obuf *b, obuf *tmp, rng *r, size_t bytes)
{
    size_t start = b->n;
    body_line(b, "<!DOCTYPE html><html><head><meta charset=\"utf-8\"></head><body>", 63);
    while (b->n - start < bytes) {
        uint32_t width = permille(r, 150) ? range(r, 300, 990) : range(r, 40, 140);
        tmp->n = 0;
        ob_puts(tmp, permille(r, 500) ? "<p style=\"margin:0;font-family:Arial\">" : "<td class=\"c\">");
        while (tmp->n < width - 12) { ob_puts(tmp, PICK(r, WORD)); ob_putc(tmp, ' '); }
        tmp->n = width - 12 < tmp->n ? width - 12 : tmp->n;
        ob_puts(tmp, "</p></td>");
        body_line(b, tmp->p, tmp->n);
    }
    body_line(b, "</body></html>", 14);
}

static void put_base64(obuf *b, rng *r, size_t bytes)
{
    size_t lines = bytes / 78 + 1, i;
    for (i = 0; i + 1 < lines; i++) { ob_rand(b, r, B64, 76); ob_crlf(b); }
    ob_rand(b, r, B64, 40);
    ob_puts(b, "==\r\n");
}

static void put_header_folded_b64(obuf *b, rng *r, const char *name, size_t n)
{
    ob_puts(b, name);
    while (n > 0) {
        size_t k = n > 70 ? 70 : n;
        ob_puts(b, "\r\n\t");
        ob_rand(b, r, B64, k);
        n -= k;
    }
    ob_crlf(b);
}

/* A whole message body, dot-stuffed, without the final ".". */
static void put_message(obuf *b, obuf *tmp, rng *r, const char *from, size_t fromlen,
                        const char *to, size_t tolen)
{
    uint32_t kind = below(r, 100);
    uint32_t hops = range(r, 1, 4), i;
    char boundary[40];
    int utf8 = permille(r, 150);
    size_t text;

    for (i = 0; i < hops; i++) {
        ob_puts(b, "Received: from ");
        put_client_host(b, r);
        ob_puts(b, " (");
        put_client_host(b, r);
        ob_puts(b, " [198.51.100.");
        ob_num(b, range(r, 1, 254));
        ob_puts(b, "])\r\n\tby ");
        ob_puts(b, PICK(r, HOSTPFX));
        ob_putc(b, '.');
        put_corp_domain(b, r);
        ob_puts(b, " (Postfix) with ESMTPS id ");
        ob_rand(b, r, QID, 15);
        ob_puts(b, "\r\n\tfor <");
        ob_put(b, to, tolen);
        ob_puts(b, ">; ");
        put_date(b, r);
        ob_crlf(b);
    }
    if (permille(r, 700)) {
        ob_puts(b, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=");
        put_corp_domain(b, r);
        ob_puts(b, "; s=s1;\r\n\th=from:to:subject:date:message-id:mime-version; bh=");
        ob_rand(b, r, B64, 43);
        ob_puts(b, "=;");
        put_header_folded_b64(b, r, "\tb=", 342);
    }
    ob_puts(b, "From: \""); ob_puts(b, PICK(r, FIRST)); ob_putc(b, ' ');
    ob_puts(b, PICK(r, LAST)); ob_puts(b, "\" <"); ob_put(b, from, fromlen); ob_puts(b, ">\r\n");
    ob_puts(b, "To: <"); ob_put(b, to, tolen); ob_puts(b, ">\r\n");
    ob_puts(b, "Subject: ");
    for (i = range(r, 2, 9); i > 0; i--) { ob_puts(b, PICK(r, WORD)); if (i > 1) ob_putc(b, ' '); }
    ob_puts(b, "\r\nDate: "); put_date(b, r);
    ob_puts(b, "\r\nMessage-ID: <"); ob_rand(b, r, ALNUM, 24); ob_putc(b, '@');
    put_corp_domain(b, r); ob_puts(b, ">\r\nMIME-Version: 1.0\r\n");

    /* sizes: 60% small text, 25% text+html, 15% with an attachment */
    text = range(r, 300, 6000) + (permille(r, 200) ? range(r, 5000, 30000) : 0);
    if (kind < 60) {
        ob_puts(b, utf8 ? "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
                        : "Content-Type: text/plain; charset=us-ascii\r\n\r\n");
        put_text(b, tmp, r, text, utf8);
        return;
    }
    snprintf(boundary, sizeof boundary, "b1_%08x%08x", (unsigned)rnext(r), (unsigned)rnext(r));
    ob_puts(b, kind < 85 ? "Content-Type: multipart/alternative; boundary=\""
                         : "Content-Type: multipart/mixed; boundary=\"");
    ob_puts(b, boundary);
    ob_puts(b, "\"\r\n\r\nThis is a multi-part message in MIME format.\r\n\r\n--");
    ob_puts(b, boundary);
    ob_puts(b, "\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
    put_text(b, tmp, r, text, utf8);
    ob_puts(b, "--"); ob_puts(b, boundary);
    ob_puts(b, "\r\nContent-Type: text/html; charset=utf-8\r\n\r\n");
    put_html(b, tmp, r, range(r, 2000, 40000));
    if (kind >= 85) {
        uint32_t natt = permille(r, 800) ? 1 : range(r, 2, 3), k;
        for (k = 0; k < natt; k++) {
            /* attachment sizes: mostly 20-300 KB, sometimes up to 3 MB */
            size_t sz = permille(r, 850) ? range(r, 20000, 300000) : range(r, 300000, 3000000);
            ob_puts(b, "--"); ob_puts(b, boundary);
            ob_puts(b, "\r\nContent-Type: application/pdf; name=\"");
            ob_puts(b, PICK(r, WORD)); ob_puts(b, ".pdf\"\r\nContent-Disposition: attachment\r\n"
                                              "Content-Transfer-Encoding: base64\r\n\r\n");
            put_base64(b, r, sz * 4 / 3);
        }
    }
    ob_puts(b, "--"); ob_puts(b, boundary); ob_puts(b, "--\r\n");
}

static void gen_data(obuf *b, rng *r, size_t target)
{
    obuf msg = { 0 }, tmp = { 0 }, addr = { 0 };
    while (b->n < target) {
        uint32_t ntx = range(r, 1, 6), t;
        put_hello(b, r, 1);
        for (t = 0; t < ntx; t++) {
            size_t fl, tl;
            addr.n = 0;
            put_mailbox(&addr, r, 0);
            fl = addr.n;
            put_mailbox(&addr, r, 0);
            tl = addr.n - fl;
            msg.n = 0;
            put_message(&msg, &tmp, r, addr.p, fl, addr.p + fl, tl);
            /* the envelope, with the real SIZE */
            put_envelope(b, r, 1, msg.n, permille(r, 800) ? 1 : range(r, 2, 3));
            ob_puts(b, "DATA\r\n");
            ob_put(b, msg.p, msg.n);
            ob_puts(b, ".\r\n");
        }
        ob_puts(b, "QUIT\r\n");
    }
    free(msg.p); free(tmp.p); free(addr.p);
}

/* ---- Replies ---------------------------------------------------------------------- */

enum style { POSTFIX, GMAIL, EXCHANGE, EXIM, NSTYLES };

static void put_server_name(obuf *b, rng *r, int style)
{
    switch (style) {
    case GMAIL: ob_puts(b, "mx.google.com"); break;
    case EXCHANGE: ob_puts(b, "AM7EUR0"); ob_num(b, range(r, 1, 6));
                   ob_puts(b, "FT0"); ob_num(b, range(r, 10, 99));
                   ob_puts(b, ".mail.protection.outlook.com"); break;
    default: ob_puts(b, PICK(r, HOSTPFX)); ob_putc(b, '.'); put_corp_domain(b, r); break;
    }
}

static void reply1(obuf *b, const char *code_enh_text) { ob_puts(b, code_enh_text); ob_crlf(b); }

static void put_ehlo_reply(obuf *b, rng *r, int style)
{
    ob_puts(b, "250-");
    put_server_name(b, r, style);
    switch (style) {
    case GMAIL:
        ob_puts(b, " at your service, [203.0.113."); ob_num(b, range(r, 1, 254)); ob_puts(b, "]\r\n");
        ob_puts(b, "250-SIZE 157286400\r\n250-8BITMIME\r\n250-STARTTLS\r\n"
                   "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n");
        break;
    case EXCHANGE:
        ob_puts(b, " Hello [203.0.113."); ob_num(b, range(r, 1, 254)); ob_puts(b, "]\r\n");
        ob_puts(b, "250-SIZE 157286400\r\n250-PIPELINING\r\n250-DSN\r\n250-ENHANCEDSTATUSCODES\r\n"
                   "250-STARTTLS\r\n250-8BITMIME\r\n250-BINARYMIME\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n");
        break;
    case EXIM:
        ob_puts(b, " Hello "); put_client_host(b, r); ob_puts(b, " [203.0.113.");
        ob_num(b, range(r, 1, 254)); ob_puts(b, "]\r\n");
        ob_puts(b, "250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-PIPE_CONNECT\r\n"
                   "250-AUTH PLAIN LOGIN\r\n250-CHUNKING\r\n250-STARTTLS\r\n250-PRDR\r\n250 HELP\r\n");
        break;
    default:
        ob_crlf(b);
        ob_puts(b, "250-PIPELINING\r\n250-SIZE 52428800\r\n");
        if (permille(r, 500)) ob_puts(b, "250-VRFY\r\n250-ETRN\r\n");
        ob_puts(b, "250-STARTTLS\r\n");
        if (permille(r, 400)) ob_puts(b, "250-AUTH PLAIN LOGIN CRAM-MD5\r\n250-AUTH=PLAIN LOGIN CRAM-MD5\r\n");
        ob_puts(b, "250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n");
        break;
    }
}

static void put_greeting(obuf *b, rng *r, int style)
{
    ob_puts(b, "220 ");
    put_server_name(b, r, style);
    switch (style) {
    case GMAIL: ob_puts(b, " ESMTP "); ob_rand(b, r, ALNUM, 20); ob_puts(b, " - gsmtp\r\n"); break;
    case EXCHANGE: ob_puts(b, " Microsoft ESMTP MAIL Service ready at "); put_date(b, r); ob_crlf(b); break;
    case EXIM: ob_puts(b, " ESMTP Exim 4.96 "); put_date(b, r); ob_crlf(b); break;
    default: ob_puts(b, " ESMTP Postfix (Debian/GNU)\r\n"); break;
    }
}

static void put_queued(obuf *b, rng *r, int style)
{
    switch (style) {
    case GMAIL: ob_puts(b, "250 2.0.0 OK  17"); ob_num(b, range(r, 10000000, 99999999));
                ob_putc(b, ' '); ob_rand(b, r, ALNUM, 20); ob_puts(b, " - gsmtp\r\n"); break;
    case EXCHANGE: ob_puts(b, "250 2.6.0 <"); ob_rand(b, r, ALNUM, 24); ob_puts(b, "@example.com> [InternalId=");
                   ob_num(b, range(r, 100000000, 999999999)); ob_puts(b, "] Queued mail for delivery\r\n"); break;
    case EXIM: ob_puts(b, "250 OK id="); ob_rand(b, r, ALNUM, 6); ob_putc(b, '-');
               ob_rand(b, r, ALNUM, 6); ob_puts(b, "-DK\r\n"); break;
    default: ob_puts(b, "250 2.0.0 Ok: queued as "); ob_rand(b, r, QID, 15); ob_crlf(b); break;
    }
}

static void put_rcpt_reply(obuf *b, rng *r, int style)
{
    uint32_t k = below(r, 1000);
    if (k < 900) {
        reply1(b, style == EXIM ? "250 Accepted" : style == GMAIL ? "250 2.1.5 OK - gsmtp"
                  : style == EXCHANGE ? "250 2.1.5 Recipient OK" : "250 2.1.5 Ok");
    } else if (k < 950) {
        ob_puts(b, "550 5.1.1 <"); put_mailbox(b, r, 0);
        ob_puts(b, ">: Recipient address rejected: User unknown in local recipient table\r\n");
    } else if (k < 975) {
        ob_puts(b, "450 4.2.0 <"); put_mailbox(b, r, 0);
        ob_puts(b, ">: Recipient address rejected: Greylisted, see https://postgrey.schweikert.ch/help/example.html\r\n");
    } else if (k < 990) {
        reply1(b, "452 4.5.3 Error: too many recipients");
    } else {
        ob_puts(b, "550-5.1.1 The email account that you tried to reach does not exist. Please try\r\n"
                   "550-5.1.1 double-checking the recipient's email address for typos or\r\n"
                   "550-5.1.1 unnecessary spaces. For more information, go to\r\n"
                   "550 5.1.1  https://support.google.com/mail/?p=NoSuchUser ");
        ob_rand(b, r, ALNUM, 20);
        ob_puts(b, " - gsmtp\r\n");
    }
}

static void gen_replies(obuf *b, rng *r, size_t target)
{
    while (b->n < target) {
        int style = (int)below(r, NSTYLES);
        uint32_t ntx = 1 + below(r, 2) + (permille(r, 300) ? below(r, 6) : 0), t, i;
        if (permille(r, 20)) {          /* refused at connect */
            if (permille(r, 500)) {
                ob_puts(b, "554-"); put_server_name(b, r, style);
                ob_puts(b, "\r\n554-Your IP is listed on a DNS blocklist; see\r\n"
                           "554 https://www.spamhaus.org/query/ip/203.0.113.9\r\n");
            } else {
                reply1(b, "421 4.7.0 Try again later, closing connection.");
            }
            continue;
        }
        put_greeting(b, r, style);
        put_ehlo_reply(b, r, style);
        for (t = 0; t < ntx; t++) {
            uint32_t n = rcpt_count(r);
            if (permille(r, 80)) reply1(b, style == EXIM ? "250 OK" : "250 2.0.0 Ok");
            if (permille(r, 15)) {
                ob_puts(b, "550 5.7.1 <"); put_mailbox(b, r, 0);
                ob_puts(b, ">: Sender address rejected: Access denied\r\n");
                continue;
            }
            reply1(b, style == EXIM ? "250 OK" : style == GMAIL ? "250 2.1.0 OK - gsmtp"
                      : style == EXCHANGE ? "250 2.1.0 Sender OK" : "250 2.1.0 Ok");
            for (i = 0; i < n; i++) put_rcpt_reply(b, r, style);
            reply1(b, style == GMAIL ? "354  Go ahead - gsmtp"
                      : style == EXCHANGE ? "354 Start mail input; end with <CRLF>.<CRLF>"
                      : style == EXIM ? "354 Enter message, ending with \".\" on a line by itself"
                      : "354 End data with <CR><LF>.<CR><LF>");
            if (permille(r, 30)) {
                ob_puts(b, "554-5.7.1 [203.0.113.9      19] Our system has detected that this message is\r\n"
                           "554-5.7.1 likely unsolicited mail. To reduce the amount of spam sent to Gmail,\r\n"
                           "554-5.7.1 this message has been blocked. For more information, go to\r\n"
                           "554 5.7.1  https://support.google.com/mail/?p=UnsolicitedMessageError - gsmtp\r\n");
            } else if (permille(r, 10)) {
                reply1(b, "451 4.3.0 Error: queue file write error");
            } else {
                put_queued(b, r, style);
            }
            if (t + 1 < ntx) reply1(b, style == EXIM ? "250 Reset OK" : "250 2.0.0 Ok");
        }
        reply1(b, style == GMAIL ? "221 2.0.0 closing connection - gsmtp"
                  : style == EXIM ? "221 mail.example.net closing connection" : "221 2.0.0 Bye");
    }
}

/* ---- Main ------------------------------------------------------------------------ */

static void write_file(const char *dir, const char *name, const obuf *b)
{
    char path[4096];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", dir, name);
    f = fopen(path, "wb");
    if (!f || fwrite(b->p, 1, b->n, f) != b->n || fclose(f) != 0) {
        fprintf(stderr, "gen: %s: %s\n", path, strerror(errno));
        exit(1);
    }
    printf("%-14s %12zu bytes\n", name, b->n);
}

static void usage(void)
{
    fprintf(stderr, "usage: smtpp_bench_gen [-o DIR] [-s SEED] [-c MiB] [-d MiB] [-r MiB]\n");
    exit(2);
}

int main(int argc, char **argv)
{
    const char *dir = ".";
    uint64_t seed = 1;
    double mib_c = 32, mib_d = 256, mib_r = 32;
    int i;

    for (i = 1; i < argc; i++) {
        if (i + 1 >= argc) usage();
        if (!strcmp(argv[i], "-o")) dir = argv[++i];
        else if (!strcmp(argv[i], "-s")) seed = strtoull(argv[++i], NULL, 10);
        else if (!strcmp(argv[i], "-c")) mib_c = atof(argv[++i]);
        else if (!strcmp(argv[i], "-d")) mib_d = atof(argv[++i]);
        else if (!strcmp(argv[i], "-r")) mib_r = atof(argv[++i]);
        else usage();
    }
    {   /* one independent stream per file, so sizes do not shift the others */
        obuf b = { 0 };
        rng r;
        if (mib_c > 0) {
            rng_seed(&r, seed * 3 + 0);
            gen_commands(&b, &r, (size_t)(mib_c * 1048576.0));
            write_file(dir, "commands.txt", &b);
        }
        b.n = 0;
        if (mib_d > 0) {
            rng_seed(&r, seed * 3 + 1);
            gen_data(&b, &r, (size_t)(mib_d * 1048576.0));
            write_file(dir, "data.txt", &b);
        }
        b.n = 0;
        if (mib_r > 0) {
            rng_seed(&r, seed * 3 + 2);
            gen_replies(&b, &r, (size_t)(mib_r * 1048576.0));
            write_file(dir, "replies.txt", &b);
        }
        free(b.p);
    }
    return 0;
}
