/* Reply parser: table-driven vectors, each also run at every split, one
 * byte at a time and before a guard page; iterator; limits; options. */
#include "test_reply_util.h"

#define LONG_MAX_LINE 0

typedef struct vec {
    const char *name;
    const char *in;
    size_t len;          /* 0: strlen(in) */
    rp_opts o;
    const char *want;    /* the transcript */
} vec;

#define D { 0, 0, 0 }
#define F(fl) { (fl), 0, 0 }

static const vec vecs[] = {
    { "single", "250 OK\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 first=[OK] last=[OK] lines=-[OK] raw=[250 OK\\x0d\\x0a];\nFIN=0" },
    { "multi", "250-mx.example\r\n250-PIPELINING\r\n250 8BITMIME\r\n", 0, D,
      "OK 250 n=3 enh=- mixed=0 first=[mx.example] last=[8BITMIME] "
      "lines=-[mx.example]|-[PIPELINING]|-[8BITMIME] "
      "raw=[250-mx.example\\x0d\\x0a250-PIPELINING\\x0d\\x0a250 8BITMIME\\x0d\\x0a];\nFIN=0" },
    { "code only", "250\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 first=[] last=[] lines=-[] raw=[250\\x0d\\x0a];\nFIN=0" },
    { "empty texts", "250-\r\n250 \r\n", 0, D,
      "OK 250 n=2 enh=- mixed=0 first=[] last=[] lines=-[]|-[] raw=[250-\\x0d\\x0a250 \\x0d\\x0a];\nFIN=0" },
    { "enhanced", "550 5.1.1 No such user\r\n", 0, D,
      "OK 550 n=1 enh=5.1.1 mixed=0 first=[No such user] last=[No such user] "
      "lines=5.1.1[No such user] raw=[550 5.1.1 No such user\\x0d\\x0a];\nFIN=0" },
    { "enhanced only", "250 2.0.0\r\n", 0, D,
      "OK 250 n=1 enh=2.0.0 mixed=0 first=[] last=[] lines=2.0.0[] raw=[250 2.0.0\\x0d\\x0a];\nFIN=0" },
    { "enhanced big fields", "452 4.123.999 x\r\n", 0, D,
      "OK 452 n=1 enh=4.123.999 mixed=0 first=[x] last=[x] lines=4.123.999[x] "
      "raw=[452 4.123.999 x\\x0d\\x0a];\nFIN=0" },
    /* two-digit fields, as deployed servers send them (RFC 7372: 5.7.26
     * DMARC failure, 4.7.25 reverse DNS) */
    { "enhanced two-digit detail", "550 5.7.26 Unauthenticated email\r\n", 0, D,
      "OK 550 n=1 enh=5.7.26 mixed=0 first=[Unauthenticated email] last=[Unauthenticated email] "
      "lines=5.7.26[Unauthenticated email] raw=[550 5.7.26 Unauthenticated email\\x0d\\x0a];\nFIN=0" },
    { "enhanced two-digit subject", "250-2.10.25 a\r\n250 2.10.25\r\n", 0, D,
      "OK 250 n=2 enh=2.10.25 mixed=0 first=[a] last=[] lines=2.10.25[a]|2.10.25[] "
      "raw=[250-2.10.25 a\\x0d\\x0a250 2.10.25\\x0d\\x0a];\nFIN=0" },
    { "enhanced every line", "550-5.7.1 a\r\n550 5.7.1 b\r\n", 0, D,
      "OK 550 n=2 enh=5.7.1 mixed=0 first=[a] last=[b] lines=5.7.1[a]|5.7.1[b] "
      "raw=[550-5.7.1 a\\x0d\\x0a550 5.7.1 b\\x0d\\x0a];\nFIN=0" },
    { "enhanced missing later", "550-5.7.1 a\r\n550 b\r\n", 0, D,
      "OK 550 n=2 enh=- mixed=1 first=[a] last=[b] lines=5.7.1[a]|-[b] "
      "raw=[550-5.7.1 a\\x0d\\x0a550 b\\x0d\\x0a];\nFIN=0" },
    { "enhanced differs later", "550-5.7.1 a\r\n550 5.7.2 b\r\n", 0, D,
      "OK 550 n=2 enh=- mixed=1 first=[a] last=[b] lines=5.7.1[a]|5.7.2[b] "
      "raw=[550-5.7.1 a\\x0d\\x0a550 5.7.2 b\\x0d\\x0a];\nFIN=0" },
    { "enhanced strict mismatch", "550-5.7.1 a\r\n550 b\r\n221 x\r\n", 0, F(SMTPP_REPLY_STRICT_ENHANCED),
      "ERR ENHANCED_MISMATCH code=550 nlines=1 line=1 off=17 raw=[550-5.7.1 a\\x0d\\x0a550 b\\x0d\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "enhanced strict ok", "550-5.7.1 a\r\n550 5.7.1 b\r\n", 0, F(SMTPP_REPLY_STRICT_ENHANCED),
      "OK 550 n=2 enh=5.7.1 mixed=0 first=[a] last=[b] lines=5.7.1[a]|5.7.1[b] "
      "raw=[550-5.7.1 a\\x0d\\x0a550 5.7.1 b\\x0d\\x0a];\nFIN=0" },
    { "3xx keeps dotted text", "354 2.0.0 go\r\n", 0, D,
      "OK 354 n=1 enh=- mixed=0 first=[2.0.0 go] last=[2.0.0 go] lines=-[2.0.0 go] "
      "raw=[354 2.0.0 go\\x0d\\x0a];\nFIN=0" },
    { "dotted text not a code", "250 2.0.0x y\r\n250 1.2.3 v\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 first=[2.0.0x y] last=[2.0.0x y] lines=-[2.0.0x y] "
      "raw=[250 2.0.0x y\\x0d\\x0a];\n"
      "OK 250 n=1 enh=- mixed=0 first=[1.2.3 v] last=[1.2.3 v] lines=-[1.2.3 v] "
      "raw=[250 1.2.3 v\\x0d\\x0a];\nFIN=0" },
    { "incomplete dotted text", "250 2.0 x\r\n250 2. y\r\n250 4.z\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 first=[2.0 x] last=[2.0 x] lines=-[2.0 x] raw=[250 2.0 x\\x0d\\x0a];\n"
      "OK 250 n=1 enh=- mixed=0 first=[2. y] last=[2. y] lines=-[2. y] raw=[250 2. y\\x0d\\x0a];\n"
      "OK 250 n=1 enh=- mixed=0 first=[4.z] last=[4.z] lines=-[4.z] raw=[250 4.z\\x0d\\x0a];\nFIN=0" },
    { "pipelined", "250 a\r\n250 b\r\n354 go\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 first=[a] last=[a] lines=-[a] raw=[250 a\\x0d\\x0a];\n"
      "OK 250 n=1 enh=- mixed=0 first=[b] last=[b] lines=-[b] raw=[250 b\\x0d\\x0a];\n"
      "OK 354 n=1 enh=- mixed=0 first=[go] last=[go] lines=-[go] raw=[354 go\\x0d\\x0a];\nFIN=0" },
    /* RFC 5321 4.2: textstring = 1*(%d09 / %d32-126): HT is text, the
     * other controls and DEL are not ("control char", "DEL char" below) */
    { "tab and 8-bit text", "250 a\tb \xc3\xa9\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 first=[a\\x09b \\xc3\\xa9] last=[a\\x09b \\xc3\\xa9] "
      "lines=-[a\\x09b \\xc3\\xa9] raw=[250 a\\x09b \\xc3\\xa9\\x0d\\x0a];\nFIN=0" },
    { "unfinished line", "250 a", 0, D, "FIN=1" },
    { "unfinished reply", "250-a\r\n", 0, D, "FIN=1" },
    { "empty input", "", 0, D, "FIN=0" },
    /* ---- every error reason ---- */
    { "bare LF", "250 ok\n221 x\r\n", 0, D,
      "ERR BARE_LF code=250 nlines=0 line=0 off=6 raw=[250 ok\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "bare LF after code", "250\n", 0, D,
      "ERR BARE_LF code=250 nlines=0 line=0 off=3 raw=[250\\x0a];\nFIN=0" },
    { "bare LF lenient", "250-a\n250 ok\n", 0, F(SMTPP_REPLY_LENIENT_BARE_LF),
      "OK 250 n=2 enh=- mixed=0 first=[a] last=[ok] lines=-[a]|-[ok] raw=[250-a\\x0a250 ok\\x0a];\nFIN=0" },
    { "bare LF in multi-line skips rest", "250-a\n250-b\r\n250 c\r\n221 x\r\n", 0, D,
      "ERR BARE_LF code=250 nlines=0 line=0 off=5 raw=[250-a\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "bare CR", "250 o\rk\r\n", 0, D,
      "ERR BARE_CR code=250 nlines=0 line=0 off=5 raw=[250 o\\x0dk\\x0d\\x0a];\nFIN=0" },
    { "NUL in text", "250 o\0k\r\n", 9, D,
      "ERR NUL code=250 nlines=0 line=0 off=5 raw=[250 o\\x00k\\x0d\\x0a];\nFIN=0" },
    { "NUL in code", "2\00050 x\r\n", 8, D,
      "ERR NUL code=0 nlines=0 line=0 off=1 raw=[2\\x0050 x\\x0d\\x0a];\nFIN=0" },
    { "NUL as separator", "250\0x\r\n", 7, D,
      "ERR NUL code=250 nlines=0 line=0 off=3 raw=[250\\x00x\\x0d\\x0a];\nFIN=0" },
    { "control char", "250 o\x01k\r\n", 0, D,
      "ERR CONTROL code=250 nlines=0 line=0 off=5 raw=[250 o\\x01k\\x0d\\x0a];\nFIN=0" },
    { "DEL char", "250 o\x7fk\r\n", 0, D,
      "ERR CONTROL code=250 nlines=0 line=0 off=5 raw=[250 o\\x7fk\\x0d\\x0a];\nFIN=0" },
    { "no code", "hello\r\n", 0, D,
      "ERR BAD_CODE code=0 nlines=0 line=0 off=0 raw=[hello\\x0d\\x0a];\nFIN=0" },
    { "short code", "25\r\n", 0, D,
      "ERR BAD_CODE code=0 nlines=0 line=0 off=2 raw=[25\\x0d\\x0a];\nFIN=0" },
    { "letter in code", "2a0 x\r\n", 0, D,
      "ERR BAD_CODE code=0 nlines=0 line=0 off=1 raw=[2a0 x\\x0d\\x0a];\nFIN=0" },
    { "empty line", "\r\n250 ok\r\n", 0, D,
      "ERR BAD_CODE code=0 nlines=0 line=0 off=0 raw=[\\x0d\\x0a];\n"
      "OK 250 n=1 enh=- mixed=0 first=[ok] last=[ok] lines=-[ok] raw=[250 ok\\x0d\\x0a];\nFIN=0" },
    { "code 1xx", "199 x\r\n", 0, D,
      "ERR CODE_RANGE code=0 nlines=0 line=0 off=0 raw=[199 x\\x0d\\x0a];\nFIN=0" },
    { "code 6xx", "600 x\r\n", 0, D,
      "ERR CODE_RANGE code=0 nlines=0 line=0 off=0 raw=[600 x\\x0d\\x0a];\nFIN=0" },
    { "second digit above 5", "260 x\r\n559 y\r\n", 0, D,
      "ERR CODE_RANGE code=0 nlines=0 line=0 off=0 raw=[260 x\\x0d\\x0a];\n"
      "OK 559 n=1 enh=- mixed=0 first=[y] last=[y] lines=-[y] raw=[559 y\\x0d\\x0a];\nFIN=0" },
    { "too long line with bad code", "2600000000000000000000\r\n", 0, { 0, 16, 0 },
      "ERR LINE_TOO_LONG code=0 nlines=0 line=0 off=16 raw=[2600000000000000];\nFIN=0" },
    { "code 0xx", "050-x\r\n250 y\r\n", 0, D,
      "ERR CODE_RANGE code=0 nlines=0 line=0 off=0 raw=[050-x\\x0d\\x0a];\nFIN=0" },
    { "bad separator", "250x\r\n", 0, D,
      "ERR BAD_SEPARATOR code=250 nlines=0 line=0 off=3 raw=[250x\\x0d\\x0a];\nFIN=0" },
    { "four digits", "2500 x\r\n", 0, D,
      "ERR BAD_SEPARATOR code=250 nlines=0 line=0 off=3 raw=[2500 x\\x0d\\x0a];\nFIN=0" },
    { "CR after code", "250\rx\r\n", 0, D,
      "ERR BAD_SEPARATOR code=250 nlines=0 line=0 off=3 raw=[250\\x0dx\\x0d\\x0a];\nFIN=0" },
    { "code mismatch", "250-a\r\n251 b\r\n", 0, D,
      "ERR CODE_MISMATCH code=250 nlines=1 line=1 off=7 raw=[250-a\\x0d\\x0a251 b\\x0d\\x0a];\nFIN=0" },
    { "code mismatch skips rest", "250-a\r\n251-b\r\n250 c\r\n221 x\r\n", 0, D,
      "ERR CODE_MISMATCH code=250 nlines=1 line=1 off=7 raw=[250-a\\x0d\\x0a251-b\\x0d\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "error skip ends at short line", "2x0-a\r\n25\r\n221 x\r\n", 0, D,
      "ERR BAD_CODE code=0 nlines=0 line=0 off=1 raw=[2x0-a\\x0d\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "error skip unfinished", "2x0-a\r\n250-b\r\n", 0, D,
      "ERR BAD_CODE code=0 nlines=0 line=0 off=1 raw=[2x0-a\\x0d\\x0a];\nFIN=1" },
    { "too many lines", "250-1\r\n250-2\r\n250-3\r\n250-4\r\n250 5\r\n221 x\r\n", 0, { 0, 0, 3 },
      "ERR TOO_MANY_LINES code=250 nlines=3 line=3 off=21 "
      "raw=[250-1\\x0d\\x0a250-2\\x0d\\x0a250-3\\x0d\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "lines at the cap", "250-1\r\n250-2\r\n250 3\r\n", 0, { 0, 0, 3 },
      "OK 250 n=3 enh=- mixed=0 first=[1] last=[3] lines=-[1]|-[2]|-[3] "
      "raw=[250-1\\x0d\\x0a250-2\\x0d\\x0a250 3\\x0d\\x0a];\nFIN=0" },
    /* ---- enhanced-code tokens that are not a code of the reply (reply.h):
     * plain text by default, an error under STRICT_ENHANCED_SYNTAX ---- */
    { "bad enhanced leading zero", "550 5.01.1 x\r\n", 0, D,
      "OK 550 n=1 enh=- mixed=0 ignored=1 first=[5.01.1 x] last=[5.01.1 x] lines=-![5.01.1 x] "
      "raw=[550 5.01.1 x\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced leading zero strict", "550 5.01.1 x\r\n", 0, F(SMTPP_REPLY_STRICT_ENHANCED_SYNTAX),
      "ERR BAD_ENHANCED code=550 nlines=0 line=0 off=4 raw=[550 5.01.1 x\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced detail 4 digits", "550 5.1.1000 x\r\n", 0, D,
      "OK 550 n=1 enh=- mixed=0 ignored=1 first=[5.1.1000 x] last=[5.1.1000 x] lines=-![5.1.1000 x] "
      "raw=[550 5.1.1000 x\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced detail 4 digits strict", "550 5.1.1000 x\r\n", 0,
      F(SMTPP_REPLY_STRICT_ENHANCED_SYNTAX),
      "ERR BAD_ENHANCED code=550 nlines=0 line=0 off=4 raw=[550 5.1.1000 x\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced subject 4 digits", "451 4.1000.1 later\r\n", 0, D,
      "OK 451 n=1 enh=- mixed=0 ignored=1 first=[4.1000.1 later] last=[4.1000.1 later] "
      "lines=-![4.1000.1 later] raw=[451 4.1000.1 later\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced subject 4 digits strict", "451 4.1000.1 later\r\n", 0,
      F(SMTPP_REPLY_STRICT_ENHANCED_SYNTAX),
      "ERR BAD_ENHANCED code=451 nlines=0 line=0 off=4 raw=[451 4.1000.1 later\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced at line end", "250 2.0.00\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 ignored=1 first=[2.0.00] last=[2.0.00] lines=-![2.0.00] "
      "raw=[250 2.0.00\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced lenient is the default", "550 5.01.1 x\r\n", 0, F(SMTPP_REPLY_LENIENT_ENHANCED),
      "OK 550 n=1 enh=- mixed=0 ignored=1 first=[5.01.1 x] last=[5.01.1 x] lines=-![5.01.1 x] "
      "raw=[550 5.01.1 x\\x0d\\x0a];\nFIN=0" },
    /* RFC 2034, section 4: "All status codes returned by the server must
     * agree with the primary response code, that is, a 2xx response must
     * incorporate a 2.X.X code" (and 4xx 4.X.X, 5xx 5.X.X). */
    { "enhanced class", "250 5.0.0 x\r\n", 0, D,
      "OK 250 n=1 enh=- mixed=0 ignored=1 first=[5.0.0 x] last=[5.0.0 x] lines=-![5.0.0 x] "
      "raw=[250 5.0.0 x\\x0d\\x0a];\nFIN=0" },
    { "enhanced class strict", "250 5.0.0 x\r\n", 0, F(SMTPP_REPLY_STRICT_ENHANCED_SYNTAX),
      "ERR ENHANCED_CLASS code=250 nlines=0 line=0 off=4 raw=[250 5.0.0 x\\x0d\\x0a];\nFIN=0" },
    { "enhanced class 550 with 2.0.0", "550 2.0.0 refused\r\n221 x\r\n", 0, D,
      "OK 550 n=1 enh=- mixed=0 ignored=1 first=[2.0.0 refused] last=[2.0.0 refused] "
      "lines=-![2.0.0 refused] raw=[550 2.0.0 refused\\x0d\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "3xx token never ignored", "354 5.01.1 go\r\n", 0, F(SMTPP_REPLY_STRICT_ENHANCED_SYNTAX),
      "OK 354 n=1 enh=- mixed=0 first=[5.01.1 go] last=[5.01.1 go] lines=-[5.01.1 go] "
      "raw=[354 5.01.1 go\\x0d\\x0a];\nFIN=0" },
    /* multi-line: a line whose token is text has no code (reply.h) */
    { "enhanced class on later line", "450-4.2.0 a\r\n450 5.2.0 b\r\n", 0, D,
      "OK 450 n=2 enh=- mixed=1 ignored=1 first=[a] last=[5.2.0 b] lines=4.2.0[a]|-![5.2.0 b] "
      "raw=[450-4.2.0 a\\x0d\\x0a450 5.2.0 b\\x0d\\x0a];\nFIN=0" },
    { "enhanced class on later line strict", "450-4.2.0 a\r\n450 5.2.0 b\r\n", 0,
      F(SMTPP_REPLY_STRICT_ENHANCED_SYNTAX),
      "ERR ENHANCED_CLASS code=450 nlines=1 line=1 off=17 "
      "raw=[450-4.2.0 a\\x0d\\x0a450 5.2.0 b\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced on later line", "550-5.1.1 a\r\n550 5.01.1 b\r\n", 0, D,
      "OK 550 n=2 enh=- mixed=1 ignored=1 first=[a] last=[5.01.1 b] lines=5.1.1[a]|-![5.01.1 b] "
      "raw=[550-5.1.1 a\\x0d\\x0a550 5.01.1 b\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced on first line only", "550-5.01.1 a\r\n550-5.1.1 b\r\n550 5.1.1 c\r\n", 0, D,
      "OK 550 n=3 enh=- mixed=1 ignored=1 first=[5.01.1 a] last=[c] "
      "lines=-![5.01.1 a]|5.1.1[b]|5.1.1[c] "
      "raw=[550-5.01.1 a\\x0d\\x0a550-5.1.1 b\\x0d\\x0a550 5.1.1 c\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced on every line", "550-5.01.1 a\r\n550 5.01.1 b\r\n", 0, D,
      "OK 550 n=2 enh=- mixed=0 ignored=1 first=[5.01.1 a] last=[5.01.1 b] "
      "lines=-![5.01.1 a]|-![5.01.1 b] "
      "raw=[550-5.01.1 a\\x0d\\x0a550 5.01.1 b\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced later, RFC 2034 strict", "550-5.1.1 a\r\n550 5.01.1 b\r\n221 x\r\n", 0,
      F(SMTPP_REPLY_STRICT_ENHANCED),
      "ERR ENHANCED_MISMATCH code=550 nlines=1 line=1 off=17 "
      "raw=[550-5.1.1 a\\x0d\\x0a550 5.01.1 b\\x0d\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced every line, RFC 2034 strict", "550-5.01.1 a\r\n550 5.01.1 b\r\n", 0,
      F(SMTPP_REPLY_STRICT_ENHANCED),
      "OK 550 n=2 enh=- mixed=0 ignored=1 first=[5.01.1 a] last=[5.01.1 b] "
      "lines=-![5.01.1 a]|-![5.01.1 b] "
      "raw=[550-5.01.1 a\\x0d\\x0a550 5.01.1 b\\x0d\\x0a];\nFIN=0" },
    { "bad enhanced mid-reply strict skips rest",
      "550-5.1.1 a\r\n550-5.01.1 b\r\n550 5.1.1 c\r\n221 x\r\n", 0,
      F(SMTPP_REPLY_STRICT_ENHANCED_SYNTAX),
      "ERR BAD_ENHANCED code=550 nlines=1 line=1 off=17 "
      "raw=[550-5.1.1 a\\x0d\\x0a550-5.01.1 b\\x0d\\x0a];\n"
      "OK 221 n=1 enh=- mixed=0 first=[x] last=[x] lines=-[x] raw=[221 x\\x0d\\x0a];\nFIN=0" },
    { "ignored does not carry to the next reply", "550 5.01.1 a\r\n550 5.1.1 b\r\n", 0, D,
      "OK 550 n=1 enh=- mixed=0 ignored=1 first=[5.01.1 a] last=[5.01.1 a] lines=-![5.01.1 a] "
      "raw=[550 5.01.1 a\\x0d\\x0a];\n"
      "OK 550 n=1 enh=5.1.1 mixed=0 first=[b] last=[b] lines=5.1.1[b] raw=[550 5.1.1 b\\x0d\\x0a];\nFIN=0" },
    { "ignored does not carry, multi-line", "550-5.01.1 a\r\n550 x\r\n250-2.0.0 a\r\n250 2.0.0 b\r\n",
      0, D,
      "OK 550 n=2 enh=- mixed=0 ignored=1 first=[5.01.1 a] last=[x] lines=-![5.01.1 a]|-[x] "
      "raw=[550-5.01.1 a\\x0d\\x0a550 x\\x0d\\x0a];\n"
      "OK 250 n=2 enh=2.0.0 mixed=0 first=[a] last=[b] lines=2.0.0[a]|2.0.0[b] "
      "raw=[250-2.0.0 a\\x0d\\x0a250 2.0.0 b\\x0d\\x0a];\nFIN=0" },
};

START_TEST(test_vectors)
{
    const vec *v = &vecs[_i];
    size_t n = v->len ? v->len : strlen(v->in);
    char *got = check_all(&v->o, v->in, n);
    if (strcmp(got, v->want) != 0)
        ck_abort_msg("vector '%s':\n got: %s\nwant: %s", v->name, got, v->want);
    free(got);
    guard_page_run(&v->o, v->in, n);
}
END_TEST

/* ---- Line limit ------------------------------------------------------------ */

static char *line_of(size_t total, const char *end, const char *sep)
{
    /* "250<sep>xxxx...<end>" of exactly total octets */
    size_t ne = strlen(end), k;
    char *s = malloc(total + 1);
    ck_assert_ptr_nonnull(s);
    memcpy(s, "250", 3);
    s[3] = sep[0];
    for (k = 4; k < total - ne; k++)
        s[k] = (char)('a' + k % 26);
    memcpy(s + total - ne, end, ne);
    s[total] = '\0';
    return s;
}

START_TEST(test_line_limit_exact)
{
    rp_opts o = D;
    char *s = line_of(512, "\r\n", " ");
    smtpp_reply_parser p;
    smtpp_reply r;
    size_t used;
    char *t;
    smtpp_reply_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_reply(&p, s, 512, &r, &used), SMTPP_DONE);
    ck_assert_int_eq(r.error, 0);
    ck_assert_uint_eq(used, 512);
    ck_assert_uint_eq(r.first.n, 512 - 6);
    t = check_all(&o, s, 512);
    ck_assert_ptr_nonnull(strstr(t, "OK 250 n=1"));
    free(t);
    free(s);
}
END_TEST

START_TEST(test_line_limit_exceeded)
{
    rp_opts o = D;
    char *s = line_of(513, "\r\n", " ");
    char *both = malloc(513 + 9 + 1);
    char *t;
    memcpy(both, s, 513);
    memcpy(both + 513, "221 bye\r\n", 10);
    t = check_all(&o, both, 513 + 9);
    /* reported at the limit; the rest is discarded; the next reply parses */
    ck_assert_ptr_nonnull(strstr(t, "ERR LINE_TOO_LONG code=250 nlines=0 line=0 off=512 raw=[250 efgh"));
    ck_assert_ptr_nonnull(strstr(t, ";\nOK 221 n=1"));
    ck_assert_ptr_nonnull(strstr(t, "FIN=0"));
    free(t);
    free(s);
    free(both);
}
END_TEST

START_TEST(test_line_limit_bare_lf_lenient)
{
    /* 512 octets ending in a bare LF fit; 513 do not */
    rp_opts o = F(SMTPP_REPLY_LENIENT_BARE_LF);
    char *s = line_of(512, "\n", " ");
    char *u = line_of(513, "\n", " ");
    char *t = check_all(&o, s, 512);
    ck_assert_ptr_nonnull(strstr(t, "OK 250 n=1"));
    free(t);
    t = check_all(&o, u, 513);
    ck_assert_ptr_nonnull(strstr(t, "ERR LINE_TOO_LONG"));
    ck_assert_ptr_nonnull(strstr(t, "FIN=0"));
    free(t);
    free(s);
    free(u);
}
END_TEST

START_TEST(test_line_limit_in_multiline)
{
    /* An over-long continuation line: one error, the rest of the reply is
     * discarded without buffering, the next reply parses. */
    rp_opts o = { 0, 64, 0 };
    const char *head = "250-first\r\n";
    char *mid = line_of(200, "\r\n", "-");
    const char *tail = "250-more\r\n250 last\r\n354 go\r\n";
    size_t n = strlen(head) + 200 + strlen(tail);
    char *in = malloc(n + 1), *t;
    sprintf(in, "%s%s%s", head, mid, tail);
    t = check_all(&o, in, n);
    ck_assert_ptr_nonnull(strstr(t, "ERR LINE_TOO_LONG code=250 nlines=1 line=1 off=75 raw=[250-first"));
    ck_assert_ptr_nonnull(strstr(t, "OK 354 n=1"));
    ck_assert_ptr_null(strstr(t, "[last]"));
    ck_assert_ptr_nonnull(strstr(t, "FIN=0"));
    guard_page_run(&o, in, n);
    free(t);
    free(in);
    free(mid);
}
END_TEST

START_TEST(test_line_limit_not_buffered)
{
    /* Feed a 100 kB line in 1000-octet chunks: the parser consumes it as
     * it comes, so the region never holds more than the limit plus one
     * chunk. */
    smtpp_reply_parser p;
    smtpp_reply r;
    char chunk[1000];
    char region[4096];
    size_t len = 0, used, k, errors = 0;
    int res;
    memset(chunk, 'x', sizeof chunk);
    memcpy(chunk, "250 ", 4);
    smtpp_reply_parser_init(&p, 0);
    for (k = 0; k < 100; k++) {
        memcpy(region + len, chunk, sizeof chunk);
        len += sizeof chunk;
        if (k == 1)
            memset(chunk, 'y', 4);
        do {
            res = smtpp_parse_reply(&p, region, len, &r, &used);
            if (res == SMTPP_DONE) {
                ck_assert_int_eq(r.error, SMTPP_RE_LINE_TOO_LONG);
                errors++;
            }
            memmove(region, region + used, len - used);
            len -= used;
        } while (res == SMTPP_DONE);
        ck_assert_uint_le(len, 512);
    }
    memcpy(region + len, "\r\n250 ok\r\n", 10);
    len += 10;
    res = smtpp_parse_reply(&p, region, len, &r, &used);
    ck_assert_int_eq(res, SMTPP_DONE);
    ck_assert_int_eq(r.error, 0);
    ck_assert_uint_eq(r.code, 250);
    ck_assert_uint_eq(used, len);
    ck_assert_uint_eq(errors, 1);
}
END_TEST

START_TEST(test_limits_raised)
{
    smtpp_reply_parser p;
    smtpp_reply_parser_init(&p, 0);
    p.max_line = 3;
    p.max_lines = 0;
    {
        /* the minimums (16 octets, 1 line) apply */
        smtpp_reply r;
        size_t used;
        ck_assert_int_eq(smtpp_parse_reply(&p, "250 0123456789\r\n", 16, &r, &used), SMTPP_DONE);
        ck_assert_int_eq(r.error, 0);
        ck_assert_int_eq(smtpp_parse_reply(&p, "250-x\r\n", 7, &r, &used), SMTPP_DONE);
        ck_assert_int_eq(r.error, SMTPP_RE_TOO_MANY_LINES);
    }
}
END_TEST

/* ---- Incremental behaviour ------------------------------------------------- */

START_TEST(test_scan_is_incremental)
{
    /* A multi-line reply arriving in pieces: nothing is used until the end,
     * then everything at once. */
    const char *in = "250-a\r\n250-b\r\n250 c\r\n";
    smtpp_reply_parser p;
    smtpp_reply r;
    size_t used, n = strlen(in), k;
    smtpp_reply_parser_init(&p, 0);
    for (k = 1; k < n; k++) {
        ck_assert_int_eq(smtpp_parse_reply(&p, in, k, &r, &used), SMTPP_AGAIN);
        ck_assert_uint_eq(used, 0);
    }
    ck_assert_int_eq(smtpp_parse_reply(&p, in, n, &r, &used), SMTPP_DONE);
    ck_assert_uint_eq(used, n);
    ck_assert_uint_eq(r.nlines, 3);
    ck_assert_int_eq(smtpp_parse_reply(&p, NULL, 0, &r, &used), SMTPP_AGAIN);
    ck_assert_uint_eq(used, 0);
}
END_TEST

START_TEST(test_iterator)
{
    const char *in = "550-5.7.1 first line\r\n550-5.7.1 second\r\n550 5.7.1 third\r\n";
    smtpp_reply_parser p;
    smtpp_reply r;
    smtpp_reply_line l;
    size_t used, pos = 0;
    smtpp_reply_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_reply(&p, in, strlen(in), &r, &used), SMTPP_DONE);
    ck_assert_int_eq(r.error, 0);
    ck_assert_uint_eq(r.enhanced.cls, 5);
    ck_assert_uint_eq(r.enhanced.subject, 7);
    ck_assert_uint_eq(r.enhanced.detail, 1);
    ck_assert_int_eq(smtpp_reply_next_line(&r, &pos, &l), 1);
    ck_assert_uint_eq(l.line.n, strlen("550-5.7.1 first line"));
    ck_assert(memcmp(l.text.p, "first line", l.text.n) == 0);
    ck_assert_int_eq(l.last, 0);
    ck_assert_int_eq(smtpp_reply_next_line(&r, &pos, &l), 1);
    ck_assert(memcmp(l.text.p, "second", l.text.n) == 0);
    ck_assert_int_eq(smtpp_reply_next_line(&r, &pos, &l), 1);
    ck_assert(memcmp(l.text.p, "third", l.text.n) == 0);
    ck_assert_int_eq(l.last, 1);
    ck_assert_int_eq(smtpp_reply_next_line(&r, &pos, &l), 0);
    ck_assert_int_eq(smtpp_reply_next_line(&r, &pos, &l), 0);
    ck_assert(r.last.p == l.text.p);

    /* an error reply has no lines to walk */
    r.error = SMTPP_RE_BAD_CODE;
    pos = 0;
    ck_assert_int_eq(smtpp_reply_next_line(&r, &pos, &l), 0);
}
END_TEST

START_TEST(test_error_table)
{
    int e;
    ck_assert_str_eq(smtpp_reply_error_name(SMTPP_RE_OK), "SMTPP_RE_OK");
    ck_assert_str_eq(smtpp_reply_error_name(SMTPP_RE_LINE_TOO_LONG), "SMTPP_RE_LINE_TOO_LONG");
    ck_assert_str_eq(smtpp_reply_error_reason(SMTPP_RE_CODE_RANGE),
                     "reply code outside 200-559 (first digit 2-5, second 0-5)");
    for (e = 0; e < SMTPP_RE__COUNT; e++) {
        ck_assert_int_gt((int)strlen(smtpp_reply_error_name((smtpp_reply_error)e)), 9);
        ck_assert_int_gt((int)strlen(smtpp_reply_error_reason((smtpp_reply_error)e)), 0);
    }
    ck_assert_str_eq(smtpp_reply_error_name(SMTPP_RE__COUNT), "");
    ck_assert_str_eq(smtpp_reply_error_reason((smtpp_reply_error)-1), "");
}
END_TEST

/* Every reason in the table is reached by some vector above. */
START_TEST(test_every_reason_reached)
{
    int seen[SMTPP_RE__COUNT] = { 0 };
    size_t i, k;
    char *t;
    for (i = 0; i < sizeof vecs / sizeof vecs[0]; i++) {
        for (k = 1; k < SMTPP_RE__COUNT; k++) {
            char pat[64];
            snprintf(pat, sizeof pat, "ERR %s ", smtpp_reply_error_name((smtpp_reply_error)k) + 9);
            if (strstr(vecs[i].want, pat))
                seen[k] = 1;
        }
    }
    t = NULL;
    (void)t;
    seen[SMTPP_RE_LINE_TOO_LONG] = 1; /* test_line_limit_* */
    for (k = 1; k < SMTPP_RE__COUNT; k++)
        if (!seen[k])
            ck_abort_msg("no vector reaches %s", smtpp_reply_error_name((smtpp_reply_error)k));
}
END_TEST

START_TEST(test_next_word)
{
    smtpp_str list = { "  PLAIN  LOGIN\tX ", 17 }, w;
    size_t pos = 0;
    smtpp_str none = { NULL, 0 };
    ck_assert_int_eq(smtpp_next_word(list, &pos, &w), 1);
    ck_assert_uint_eq(w.n, 5);
    ck_assert(memcmp(w.p, "PLAIN", 5) == 0);
    ck_assert_int_eq(smtpp_next_word(list, &pos, &w), 1);
    ck_assert(memcmp(w.p, "LOGIN", 5) == 0);
    ck_assert_int_eq(smtpp_next_word(list, &pos, &w), 1);
    ck_assert_uint_eq(w.n, 1);
    ck_assert_int_eq(smtpp_next_word(list, &pos, &w), 0);
    pos = 0;
    ck_assert_int_eq(smtpp_next_word(none, &pos, &w), 0);
}
END_TEST

START_TEST(test_finish_resets)
{
    smtpp_reply_parser p;
    smtpp_reply r;
    size_t used;
    smtpp_reply_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_reply(&p, "250-a\r\n25", 9, &r, &used), SMTPP_AGAIN);
    ck_assert_int_eq(smtpp_reply_parser_finish(&p, 9), 1);
    ck_assert_int_eq(smtpp_reply_parser_finish(&p, 0), 0);
    ck_assert_int_eq(smtpp_parse_reply(&p, "221 x\r\n", 7, &r, &used), SMTPP_DONE);
    ck_assert_uint_eq(r.code, 221);
}
END_TEST

/* ---- Random streams ---------------------------------------------------------
 * Replies built from good and bad pieces, with random options and limits:
 * every one must give the same results at every split and byte by byte,
 * and never read past its input. */
static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static unsigned rnd(unsigned n)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (unsigned)(rng_state % n);
}

static size_t random_stream(char *buf, size_t cap)
{
    static const char *const codes[] = { "250", "250", "250", "550", "354", "421", "251",
                                         "199", "600", "25", "2x0", "" };
    static const char *const seps[] = { "-", "-", " ", " ", "", "x", "\r" };
    static const char *const enh[] = { "", "", "2.0.0 ", "5.7.1 ", "4.2.2", "5.01.1 ", "2.0.0x " };
    static const char *const text[] = { "a", "bc", " ", "\t", "\xc3\xa9", "1.2", "\r", "\x01", "x" };
    size_t n = 0;
    unsigned lines = 1 + rnd(8), k;
    buf[0] = '\0';
    if (rnd(2)) {
        /* well-formed replies, pipelined */
        static const char *const good[] = { "250", "550", "421", "354", "221" };
        static const char *const genh[] = { "", "2.1.0 ", "5.7.1 " };
        while (n + 40 < cap) {
            const char *c = good[rnd(sizeof good / sizeof good[0])];
            const char *e = c[0] == '2' && rnd(2) ? genh[1] : c[0] == '5' && rnd(2) ? genh[2] : genh[0];
            unsigned nl = 1 + rnd(4), j;
            for (j = 0; j < nl && n + 40 < cap; j++)
                n += (size_t)snprintf(buf + n, cap - n, "%s%c%sline %u\r\n", c,
                                      j + 1 == nl ? ' ' : '-', e, j);
        }
        return n;
    }
    for (k = 0; k < lines && n + 64 < cap; k++) {
        unsigned t, nt = rnd(12);
        const char *c = codes[rnd(sizeof codes / sizeof codes[0])];
        n += (size_t)snprintf(buf + n, cap - n, "%s%s%s", c, seps[rnd(sizeof seps / sizeof seps[0])],
                              enh[rnd(sizeof enh / sizeof enh[0])]);
        for (t = 0; t < nt && n + 16 < cap; t++)
            n += (size_t)snprintf(buf + n, cap - n, "%s", text[rnd(sizeof text / sizeof text[0])]);
        if (rnd(10) == 0 && n + 1 < cap)
            buf[n++] = '\0'; /* a NUL now and then */
        n += (size_t)snprintf(buf + n, cap - n, "%s", rnd(8) == 0 ? "\n" : "\r\n");
    }
    return n;
}

START_TEST(test_random_streams)
{
    int round;
    size_t oks = 0, errs = 0, bytes = 0;
    for (round = 0; round < 1000; round++) {
        char buf[200];
        size_t n = random_stream(buf, sizeof buf);
        rp_opts o;
        char *t, *q;
        o.flags = rnd(16);
        o.max_line = rnd(3) == 0 ? 16 + rnd(24) : 0;
        o.max_lines = rnd(3) == 0 ? 1 + rnd(4) : 0;
        t = check_all(&o, buf, n);
        for (q = t; (q = strstr(q, "OK ")) != NULL; q++)
            oks++;
        for (q = t; (q = strstr(q, "ERR ")) != NULL; q++)
            errs++;
        bytes += n;
        free(t);
        guard_page_run(&o, buf, n);
    }
    /* the generator reaches both outcomes, on inputs of useful size */
    ck_assert_uint_gt(oks, 300);
    ck_assert_uint_gt(errs, 300);
    ck_assert_uint_gt(bytes, 1000 * 40);
}
END_TEST

/* The fast lane (parser/reply.re, AVX2 CPUs) against the general path at
 * its edges: check_all() compares each input with and without a long
 * reply after it (the padded runs are the ones the fast lane sees), under
 * each option. */
#define R10 "0123456789"
START_TEST(test_fast_lane_reply_agrees)
{
    static const char *const in[] = {
        "250 OK\r\n", "250\r\n", "25\r\n", "2\r\n", "\r\n", "250-\r\n250 \r\n", "199 x\r\n",
        "200 x\r\n", "559 x\r\n", "560 x\r\n", "600 x\r\n", "2a0 x\r\n", "250x\r\n", "250\tx\r\n",
        "250 2.0.0 OK\r\n", "250 2.0.0\r\n", "250 2.0.0 \r\n", "250 2.1.5 Ok\r\n",
        "550 5.1.1 <a@b>: Recipient address rejected: User unknown in virtual mailbox table\r\n",
        "250 2.00.0 x\r\n", "250 2.0.00 x\r\n", "250 2.999.999 x\r\n", "250 2.1000.1 x\r\n",
        "250 2.1.1000 x\r\n", "250 2..1 x\r\n", "250 2.1. x\r\n", "250 2.1.5x\r\n", "250 2.1\r\n",
        "250 2.\r\n", "250 2\r\n", "250 5.0.0 x\r\n", "450 4.7.1 greylisted\r\n",
        "354 2.0.0 go ahead\r\n", "354 End data with <CR><LF>.<CR><LF>\r\n", "334 VXNlcm5hbWU6\r\n",
        "250 3.0.0 x\r\n", "250 2.0.0\tx\r\n", "250 caf\xc3\xa9\r\n", "250 a\x01b\r\n", "250 a\x7f\r\n",
        "250 a\rb\r\n", "250 a\r\r\n", "250 a\n", "250 a\x00b\r\n",
        "250-a\r\n250-b\r\n250 c\r\n", "250-a\r\n251 b\r\n", "250-2.0.0 a\r\n250 2.0.1 b\r\n",
        "250-2.0.0 a\r\n250 b\r\n", "250-mx.example.com Hello [192.0.2.1]\r\n250-PIPELINING\r\n"
        "250-SIZE 10240000\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
        /* line lengths around the windows (63, 64 and 127, 128 octets) */
        "250 " R10 R10 R10 R10 R10 "01234567\r\n", "250 " R10 R10 R10 R10 R10 "012345678\r\n",
        "250 " R10 R10 R10 R10 R10 "0123456789\r\n",
        "250 " R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 "01\r\n",
        "250 " R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 "012\r\n",
        "250 " R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 "0123\r\n",
        "250 " R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 "01234\r\n",
        "250 2.1.5 " R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 R10 "\r\n",
        "250 " R10 R10 R10 R10 R10 "012345\x01\r\n", "250 " R10 R10 R10 R10 R10 "012345\r\x01\n",
        /* tokens the general path leaves in the text (reply.h) */
        "550 5.01.1 x\r\n", "550 5.1.01\r\n", "550 5.1000.1 x\r\n", "550 5.1.1000\r\n",
        "550 05.1.1 x\r\n", "250 4.0.0 x\r\n", "450 2.0.0 x\r\n", "550 2.0.0\r\n",
        "550 5.0.0.0 x\r\n", "550 5.12345678.1 x\r\n", "550 5.1.12345678\r\n",
        "550-5.1.1 a\r\n550 5.01.1 b\r\n", "550-5.01.1 a\r\n550 5.01.1 b\r\n",
        "550 5.01.1 " R10 R10 R10 R10 R10 R10 "\r\n", "550 4.1.1 " R10 R10 R10 R10 R10 R10 R10 R10 "\r\n",
    };
    static const unsigned flags[] = { 0, SMTPP_REPLY_LENIENT_BARE_LF, SMTPP_REPLY_LENIENT_ENHANCED,
                                      SMTPP_REPLY_STRICT_ENHANCED,
                                      SMTPP_REPLY_STRICT_ENHANCED_SYNTAX };
    size_t i, f;
    for (i = 0; i < sizeof in / sizeof in[0]; i++)
        for (f = 0; f < sizeof flags / sizeof flags[0]; f++) {
            rp_opts o = { flags[f], 0, 0 };
            free(check_all(&o, in[i], strlen(in[i]) + (in[i][0] == 0)));
            o.max_line = 64; /* lines the fast lane reads but the limit refuses */
            free(check_all(&o, in[i], strlen(in[i])));
        }
}
END_TEST

static Suite *suite(void)
{
    Suite *s = suite_create("reply");
    TCase *tc = tcase_create("parser");
    tcase_add_loop_test(tc, test_vectors, 0, (int)(sizeof vecs / sizeof vecs[0]));
    tcase_add_test(tc, test_line_limit_exact);
    tcase_add_test(tc, test_line_limit_exceeded);
    tcase_add_test(tc, test_line_limit_bare_lf_lenient);
    tcase_add_test(tc, test_line_limit_in_multiline);
    tcase_add_test(tc, test_line_limit_not_buffered);
    tcase_add_test(tc, test_limits_raised);
    tcase_add_test(tc, test_scan_is_incremental);
    tcase_add_test(tc, test_iterator);
    tcase_add_test(tc, test_error_table);
    tcase_add_test(tc, test_every_reason_reached);
    tcase_add_test(tc, test_next_word);
    tcase_add_test(tc, test_finish_resets);
    tcase_add_test(tc, test_random_streams);
    tcase_add_test(tc, test_fast_lane_reply_agrees);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
