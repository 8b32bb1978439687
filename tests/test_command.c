#define _DEFAULT_SOURCE 1 /* mmap MAP_ANONYMOUS */
/* Check suite for the command parser: every command, path and parameter
 * corner, every error reason, and every input re-parsed at every split
 * point, byte by byte and right before an unreadable page. */
#include "describe.h"
#include "feed.h"

#include <check.h>
#include <stdlib.h>
#include <string.h>

#define L_BLF  SMTPP_LENIENT_BARE_LF
#define L_SPC  SMTPP_LENIENT_SPACE_AFTER_COLON
#define L_NOBR SMTPP_LENIENT_NO_BRACKETS
#define L_DOTS SMTPP_LENIENT_LOCAL_DOTS
#define L_LONG SMTPP_LENIENT_LONG_LOCAL
#define L_TRSP SMTPP_LENIENT_TRAILING_SPACE
#define A_UNK  SMTPP_ACCEPT_UNKNOWN_PARAMS

#define V(x) SMTPP_VERB_##x
#define E(x) SMTPP_E_##x

/* One line, what its first result must be. off < 0: not checked. */
typedef struct vec {
    unsigned flags;
    const char *in;
    int verb;
    int err;
    int off;
} vec;

static const vec vectors[] = {
    /* ---- every command, valid ---- */
    { 0, "HELO example.com\r\n", V(HELO), 0, 0 },
    { 0, "HELO [192.0.2.1]\r\n", V(HELO), 0, 0 },
    { 0, "EHLO mail.example.org\r\n", V(EHLO), 0, 0 },
    { 0, "ehlo Example.COM\r\n", V(EHLO), 0, 0 },
    { 0, "EHLO [IPv6:2001:db8::1]\r\n", V(EHLO), 0, 0 },
    { 0, "LHLO lmtp.example\r\n", V(LHLO), 0, 0 },
    { 0, "MAIL FROM:<>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<user@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "mail from:<User@Example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "RCPT TO:<user@example.com>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<Postmaster>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<POSTMASTER>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<postmaster@example.com>\r\n", V(RCPT), 0, 0 },
    { 0, "DATA\r\n", V(DATA), 0, 0 },
    { 0, "BDAT 0 LAST\r\n", V(BDAT), 0, 0 },
    { 0, "BDAT 1000\r\n", V(BDAT), 0, 0 },
    { 0, "bdat 18446744073709551615 last\r\n", V(BDAT), 0, 0 },
    { 0, "RSET\r\n", V(RSET), 0, 0 },
    { 0, "NOOP\r\n", V(NOOP), 0, 0 },
    { 0, "NOOP hello\r\n", V(NOOP), 0, 0 },
    { 0, "QUIT\r\n", V(QUIT), 0, 0 },
    { 0, "VRFY smith\r\n", V(VRFY), 0, 0 },
    { 0, "VRFY <smith@example.com>\r\n", V(VRFY), 0, 0 },
    { 0, "VRFY \"John Smith\"\r\n", V(VRFY), 0, 0 },
    { 0, "VRFY j\xc3\xb6rg SMTPUTF8\r\n", V(VRFY), 0, 0 },
    { 0, "EXPN staff\r\n", V(EXPN), 0, 0 },
    { 0, "HELP\r\n", V(HELP), 0, 0 },
    { 0, "HELP MAIL\r\n", V(HELP), 0, 0 },
    { 0, "AUTH PLAIN\r\n", V(AUTH), 0, 0 },
    { 0, "AUTH PLAIN =\r\n", V(AUTH), 0, 0 },
    { 0, "AUTH PLAIN AHVzZXIAcGFzcw==\r\n", V(AUTH), 0, 0 },
    { 0, "auth login dXNlcg==\r\n", V(AUTH), 0, 0 },
    { 0, "AUTH SCRAM-SHA-256-PLUS\r\n", V(AUTH), 0, 0 },
    { 0, "STARTTLS\r\n", V(STARTTLS), 0, 0 },
    { 0, "TURN\r\n", V(TURN), 0, 0 },
    { 0, "ATRN\r\n", V(ATRN), 0, 0 },
    { 0, "ATRN example.com,example.net\r\n", V(ATRN), 0, 0 },
    { 0, "ETRN example.com\r\n", V(ETRN), 0, 0 },
    { 0, "ETRN @example.com\r\n", V(ETRN), 0, 0 },
    { 0, "ETRN #queue1\r\n", V(ETRN), 0, 0 },
    { 0, "XCLIENT NAME=mx.example.com ADDR=192.0.2.7 PORT=4711\r\n", V(XCLIENT), 0, 0 },
    { 0, "XCLIENT NAME=[UNAVAILABLE] LOGIN=bob+40ex DESTPORT=25\r\n", V(XCLIENT), 0, 0 },
    { 0, "XFORWARD IDENT=abc123 SOURCE=REMOTE PROTO=ESMTP\r\n", V(XFORWARD), 0, 0 },

    /* ---- line level ---- */
    { 0, "\r\n", V(UNKNOWN), E(EMPTY_LINE), 0 },
    /* (a bare LF does not end a line: test_bare_lf_framing) */
    { L_BLF, "RSET\n", V(RSET), 0, 0 },
    { L_BLF, "MAIL FROM:<a@b.example>\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b\r.org>\r\n", V(MAIL), E(BARE_CR), 14 },
    { 0, "RSET\r\r\n", V(RSET), E(BARE_CR), 4 },
    { 0, "\rRSET\r\n", V(UNKNOWN), E(BARE_CR), 0 },
    { L_BLF, "RSET\r\r\n", V(RSET), E(BARE_CR), 4 },
    /* a NUL in the verb: 500 5.5.2; in the arguments it is an invalid
     * character like any other control character: 501 (RFC 5321 4.1.2) */
    { 0, "\0\r\n", V(UNKNOWN), E(NUL), 0 },
    { 0, "RS\0T\r\n", V(UNKNOWN), E(NUL), 2 },
    { 0, "RSET\0\r\n", V(UNKNOWN), E(NUL), 4 },
    { 0, "FOO\0 bar\r\n", V(UNKNOWN), E(NUL), 3 },
    { 0, "RSET \0\r\n", V(RSET), E(UNEXPECTED_ARG), 4 },
    { 0, "NOOP \0\r\n", V(NOOP), E(SYNTAX), 5 },
    { 0, "MAIL FROM:<a\0b@c.example>\r\n", V(MAIL), E(PATH_SYNTAX), 12 },
    { 0, "MAIL FROM:<ab@c.exa\0mple>\r\n", V(MAIL), E(PATH_SYNTAX), 19 },
    { 0, "MAIL FROM:<ab@c.exa\x01mple>\r\n", V(MAIL), E(PATH_SYNTAX), 19 },
    { 0, "MAIL FROM:<\"a\0b\"@c.example>\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { 0, "MAIL FROM:<a@b.example> SIZE=1\0\r\n", V(MAIL), E(SYNTAX), 30 },
    { 0, "MAIL FROM:<a@b.example> X\0=1\r\n", V(MAIL), E(PARAM_UNKNOWN), 24 },
    { 0, "MAIL FROM:<a@b.example>\0\r\n", V(MAIL), E(SYNTAX), 23 },
    { 0, "BDAT 1\0\r\n", V(BDAT), E(SYNTAX), 6 },
    { 0, "AUTH PLAIN \0\r\n", V(AUTH), E(SYNTAX), 10 },
    { 0, "VRFY a\0b\r\n", V(VRFY), E(SYNTAX), 6 },
    { 0, "XCLIENT NAME=a\0\r\n", V(XCLIENT), E(SYNTAX), 14 },
    { 0, "RSET\x01\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },

    /* ---- verbs ---- */
    { 0, "FOO\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, "FOO bar baz\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, "MAILFROM:<a@b.c>\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, "DATA:\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, " RSET\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, "STARTTLSX\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, "GET / HTTP/1.1\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, "\xc3\xa9HLO x\r\n", V(UNKNOWN), E(UNKNOWN_COMMAND), 0 },
    { 0, "DATA x\r\n", V(DATA), E(UNEXPECTED_ARG), 4 },
    { 0, "RSET \r\n", V(RSET), E(UNEXPECTED_ARG), 4 },
    { L_TRSP, "RSET \r\n", V(RSET), 0, 0 },
    { L_TRSP, "RSET \t \r\n", V(RSET), 0, 0 },
    { 0, "QUIT now\r\n", V(QUIT), E(UNEXPECTED_ARG), 4 },
    { 0, "STARTTLS x\r\n", V(STARTTLS), E(UNEXPECTED_ARG), 8 },
    { 0, "TURN\tx\r\n", V(TURN), E(SYNTAX), 4 },

    /* ---- HELO / EHLO ---- */
    { 0, "HELO\r\n", V(HELO), E(MISSING_ARG), 4 },
    { 0, "EHLO\r\n", V(EHLO), E(MISSING_ARG), 4 },
    { 0, "EHLO  example.com\r\n", V(EHLO), E(BAD_DOMAIN), 5 },
    { 0, "EHLO -example.com\r\n", V(EHLO), E(BAD_DOMAIN), 5 },
    { 0, "EHLO example.com extra\r\n", V(EHLO), E(BAD_DOMAIN), 16 },
    { 0, "EHLO [300.1.1.1]\r\n", V(EHLO), E(BAD_DOMAIN), 5 },
    { 0, "EHLO b\xc3\xbc" "cher.example\r\n", V(EHLO), E(BAD_DOMAIN), 5 },
    { 0, "EHLO exa\0mple\r\n", V(EHLO), E(BAD_DOMAIN), 8 },
    { 0, "EHLO example.com.\r\n", V(EHLO), E(BAD_DOMAIN), 16 },

    /* ---- MAIL / RCPT framing ---- */
    { 0, "MAIL\r\n", V(MAIL), E(SYNTAX), 4 },
    { 0, "MAIL FROM<a@b.c>\r\n", V(MAIL), E(SYNTAX), 4 },
    { 0, "MAIL TO:<a@b.c>\r\n", V(MAIL), E(SYNTAX), 4 },
    { 0, "MAIL FROM:\r\n", V(MAIL), E(MISSING_ARG), 10 },
    { 0, "RCPT TO:\r\n", V(RCPT), E(MISSING_ARG), 8 },
    { 0, "RCPT FROM:<a@b.c>\r\n", V(RCPT), E(SYNTAX), 4 },
    { 0, "MAIL FROM: <a@b.c>\r\n", V(MAIL), E(SYNTAX), 10 },
    { L_SPC, "MAIL FROM: <a@b.c>\r\n", V(MAIL), 0, 0 },
    { L_SPC, "RCPT TO:   <a@b.c>\r\n", V(RCPT), 0, 0 },
    { 0, "MAIL FROM:a@b.c\r\n", V(MAIL), E(PATH_NO_BRACKETS), 10 },
    { L_NOBR, "MAIL FROM:a@b.c\r\n", V(MAIL), 0, 0 },
    { L_NOBR, "MAIL FROM:a@b.c SIZE=10\r\n", V(MAIL), 0, 0 },
    { L_NOBR, "RCPT TO:Postmaster\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:Postmaster\r\n", V(RCPT), E(PATH_NO_BRACKETS), 8 },
    { 0, "MAIL FROM:<a@b.c\r\n", V(MAIL), E(PATH_SYNTAX), 16 },
    { 0, "MAIL FROM:<a@b.c>>\r\n", V(MAIL), E(SYNTAX), 17 },
    { 0, "MAIL FROM:<a@b.c>x\r\n", V(MAIL), E(SYNTAX), 17 },
    { 0, "MAIL FROM:<<a@b.c>>\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { 0, "MAIL FROM:< >\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { 0, "MAIL FROM:<a>\r\n", V(MAIL), E(PATH_SYNTAX), 12 },
    { 0, "MAIL FROM:<a@>\r\n", V(MAIL), E(DOMAIN_SYNTAX), 13 },
    { 0, "MAIL FROM:<@b.c>\r\n", V(MAIL), E(PATH_SYNTAX), 11 },
    { 0, "MAIL FROM:<Postmaster>\r\n", V(MAIL), E(POSTMASTER_MAIL), 11 },
    { 0, "RCPT TO:<>\r\n", V(RCPT), E(NULL_PATH_RCPT), 8 },
    { 0, "RCPT TO:<Postmaster> NOTIFY=NEVER\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<Postmasters>\r\n", V(RCPT), E(PATH_SYNTAX), 20 },
    { 0, "RCPT TO:<\"Postmaster\">\r\n", V(RCPT), E(PATH_SYNTAX), 21 },

    /* ---- local parts ---- */
    { 0, "MAIL FROM:<first.last+tag@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<!#$%&'*+/=?^_`{|}~-@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<\"john doe\"@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<\"a\\\"b\\\\c\"@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<\"\"@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<\"a\"b@example.com>\r\n", V(MAIL), E(PATH_SYNTAX), 14 },
    { 0, "MAIL FROM:<\"unterminated@example.com>\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { 0, "MAIL FROM:<\"tab\there\"@example.com>\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { 0, "MAIL FROM:<user.@example.com>\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { 0, "MAIL FROM:<.user@example.com>\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { 0, "MAIL FROM:<us..er@example.com>\r\n", V(MAIL), E(LOCAL_SYNTAX), 11 },
    { L_DOTS, "MAIL FROM:<user.@example.com>\r\n", V(MAIL), 0, 0 },
    { L_DOTS, "MAIL FROM:<.us..er.@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a b@example.com>\r\n", V(MAIL), E(PATH_SYNTAX), 12 },
    { 0, "MAIL FROM:<a(comment)@example.com>\r\n", V(MAIL), E(PATH_SYNTAX), 12 },
    { 0, "MAIL FROM:<a\x7f@example.com>\r\n", V(MAIL), E(PATH_SYNTAX), 12 },

    /* ---- domains and address literals ---- */
    { 0, "RCPT TO:<a@sub-domain.example-1.com>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@123.example>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@x>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<-a-@x--y.example>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a.@[192.0.2.1]>\r\n", V(RCPT), E(LOCAL_SYNTAX), 9 },
    { 0, "RCPT TO:<.a@0123456789012345678901234567890123456789012345678901234567890.example>\r\n",
      V(RCPT), E(LOCAL_SYNTAX), 9 },
    { 0, "RCPT TO:<a@-x.example>\r\n", V(RCPT), E(DOMAIN_SYNTAX), 11 },
    { 0, "RCPT TO:<a@x-.example>\r\n", V(RCPT), E(DOMAIN_SYNTAX), 12 },
    { 0, "RCPT TO:<a@x..example>\r\n", V(RCPT), E(DOMAIN_SYNTAX), 12 },
    { 0, "RCPT TO:<a@example.com.>\r\n", V(RCPT), E(DOMAIN_SYNTAX), 22 },
    { 0, "RCPT TO:<a@exa_mple.com>\r\n", V(RCPT), E(PATH_SYNTAX), 14 },
    { 0, "RCPT TO:<a@[192.0.2.1]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[0.0.0.0]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[255.255.255.255]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[256.1.1.1]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[1.2.3]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[1.2.3.4.5]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[1..2.3]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[0001.2.3.4]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:2001:db8::1]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[ipv6:2001:DB8::1]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:::]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:::1]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:1::]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5:6:7:8]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5:6::]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5:6:7::]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5:6:7]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5:6:7:8:9]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:1::2::3]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:12345::1]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:1:]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6::1]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:::ffff:192.0.2.1]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5:6:192.0.2.1]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4::192.0.2.1]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5::192.0.2.1]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:1:2:3:4:5:192.0.2.1]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:::ffff:192.0.2.256]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[IPv6:2001:db8:g::1]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[x-tag:some content]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[x-tag:content]>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@[-tag:content]>\r\n", V(RCPT), 0, 0 }, /* Ldh-str allows it */
    { 0, "RCPT TO:<a@[tag-:content]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[tag:]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[]>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },
    { 0, "RCPT TO:<a@[192.0.2.1>\r\n", V(RCPT), E(ADDRESS_LITERAL), 11 },

    /* ---- source routes ---- */
    { 0, "RCPT TO:<@relay.example:user@example.com>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<@a.example,@b.example:user@example.com>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<@a.example,b.example:user@example.com>\r\n", V(RCPT), E(PATH_SYNTAX), 9 },
    { 0, "RCPT TO:<@a.example user@example.com>\r\n", V(RCPT), E(PATH_SYNTAX), 9 },
    /* route domains follow the Domain rules: labels of 63 octets at most */
    { 0, "RCPT TO:<@" "123456789012345678901234567890123456789012345678901234567890123"
         ":a@a>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<@" "1234567890123456789012345678901234567890123456789012345678901234"
         ":a@a>\r\n", V(RCPT), E(LABEL_TOO_LONG), 10 },
    { 0, "RCPT TO:<@b.example,@" "1234567890123456789012345678901234567890123456789012345678901234"
         ".example:a@a>\r\n", V(RCPT), E(LABEL_TOO_LONG), 21 },
    { 0, "RCPT TO:<@-a.example:a@b>\r\n", V(RCPT), E(PATH_SYNTAX), 9 },
    { 0, "RCPT TO:<@a-.example:a@b>\r\n", V(RCPT), E(PATH_SYNTAX), 9 },
    { 0, "RCPT TO:<@[192.0.2.1]:a@b>\r\n", V(RCPT), E(PATH_SYNTAX), 9 },
    /* U-labels in a route, as in the mailbox's domain (RFC 6531 3.3) */
    { 0, "RCPT TO:<@\xc3\xa9:a@a>\r\n", V(RCPT), 0, 0 },
    { 0, "MAIL FROM:<@\xc3\xa9.example:a@a> SMTPUTF8\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<@\xc3\xa9.example:a@a>\r\n", V(MAIL), E(UTF8_ADDRESS), 11 },
    { 0, "RCPT TO:<@a\xc3:a@a>\r\n", V(RCPT), E(BAD_UTF8), 11 },

    /* ---- UTF-8 (RFC 6531) ---- */
    { 0, "MAIL FROM:<\xce\xb4\xce\xbf\xce\xba@\xcf\x80\xce\xb1.example> SMTPUTF8\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<\xce\xb4\xce\xbf\xce\xba@example.com>\r\n", V(MAIL), E(UTF8_ADDRESS), 11 },
    { 0, "RCPT TO:<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\x85\xac\xe5\x8f\xb8>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<\"\xce\xb4 x\"@example.com>\r\n", V(RCPT), 0, 0 },
    { 0, "MAIL FROM:<\xc3\x28@example.com> SMTPUTF8\r\n", V(MAIL), E(BAD_UTF8), 11 },
    { 0, "MAIL FROM:<\xc0\xaf@example.com> SMTPUTF8\r\n", V(MAIL), E(BAD_UTF8), 11 },
    { 0, "MAIL FROM:<a\xed\xa0\x80@example.com> SMTPUTF8\r\n", V(MAIL), E(BAD_UTF8), 12 },
    { 0, "MAIL FROM:<a\xf4\x90\x80\x80@example.com> SMTPUTF8\r\n", V(MAIL), E(BAD_UTF8), 12 },
    { 0, "MAIL FROM:<a\xff@example.com> SMTPUTF8\r\n", V(MAIL), E(BAD_UTF8), 12 },
    { 0, "MAIL FROM:<a@\xc3\x28.example> SMTPUTF8\r\n", V(MAIL), E(BAD_UTF8), 13 },
    { 0, "RCPT TO:<a@b\xc3.example>\r\n", V(RCPT), E(BAD_UTF8), 12 },
    { 0, "VRFY j\xc3\xb6rg\r\n", V(VRFY), E(UTF8_ADDRESS), 5 },

    /* ---- lengths ---- */
    { 0, "MAIL FROM:<" "1234567890123456789012345678901234567890123456789012345678901234"
         "@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<" "12345678901234567890123456789012345678901234567890123456789012345"
         "@example.com>\r\n", V(MAIL), E(LOCAL_TOO_LONG), 11 },
    { L_LONG, "MAIL FROM:<" "12345678901234567890123456789012345678901234567890123456789012345"
         "@example.com>\r\n", V(MAIL), 0, 0 },
    { 0, "RCPT TO:<a@" "123456789012345678901234567890123456789012345678901234567890123"
         ".example>\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@" "1234567890123456789012345678901234567890123456789012345678901234"
         ".example>\r\n", V(RCPT), E(LABEL_TOO_LONG), 11 },

    /* ---- ESMTP parameters ---- */
    { 0, "MAIL FROM:<a@b.c> SIZE=0\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> SIZE=18446744073709551615\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> SIZE=18446744073709551616\r\n", V(MAIL), E(SIZE_OVERFLOW), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE=99999999999999999999\r\n", V(MAIL), E(SIZE_OVERFLOW), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE=000000000000000000001\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE=\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE=-1\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE=12k\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE=1 SIZE=1\r\n", V(MAIL), E(PARAM_DUPLICATE), 25 },
    { 0, "MAIL FROM:<a@b.c> size=1 SiZe=x\r\n", V(MAIL), E(PARAM_DUPLICATE), 25 },
    { 0, "MAIL FROM:<a@b.c> BODY=7BIT\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> BODY=8bitmime\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> BODY=BINARYMIME\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> BODY=9BIT\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> BODY=8BITMIME BODY=7BIT\r\n", V(MAIL), E(PARAM_DUPLICATE), 32 },
    { 0, "MAIL FROM:<a@b.c> SMTPUTF8\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> SMTPUTF8=yes\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> RET=FULL ENVID=QQ+2Bx\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> RET=HDRS\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> RET=ALL\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> ENVID=a+2\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> ENVID=a+2b\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> ENVID=\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> AUTH=<>\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> AUTH=e+3Dmc2@example.com\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> REQUIRETLS\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> MT-PRIORITY=-9\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> MT-PRIORITY=+3\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> MT-PRIORITY=10\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> HOLDFOR=999999999\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> HOLDFOR=1000000000\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> HOLDUNTIL=2026-11-22T10:00:00Z\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> HOLDUNTIL=2026-11-22t10:00:00.5+01:00\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> HOLDUNTIL=2026-13-22T10:00:00Z\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> HOLDUNTIL=2026-11-22T24:00:00Z\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> BY=120;R\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> BY=-10;NT\r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> BY=0;R\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> BY=-5;R\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> BY=1234567890;R\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> BY=10;X\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=NEVER\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=SUCCESS,FAILURE,DELAY\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=delay,success\r\n", V(RCPT), 0, 0 },
    /* RFC 3461 4.1: 1#notify-list-element, repeats allowed (and ORed) */
    { 0, "RCPT TO:<a@b.c> NOTIFY=SUCCESS,SUCCESS\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=DELAY,DELAY\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=NEVER,NEVER\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=DELAY,NEVER\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=NEVER,SUCCESS\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "RCPT TO:<a@b.c> NOTIFY=\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "RCPT TO:<a@b.c> ORCPT=rfc822;user+40example.com\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@b.c> ORCPT=rfc822\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    /* RFC 3461 4.2: addr-type ";" xtext, the xtext possibly empty; the
     * addr-type an atom that fits an esmtp-value (no "=") */
    { 0, "RCPT TO:<a@b.c> ORCPT=rfc822;\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@b.c> ORCPT=a;\r\n", V(RCPT), 0, 0 },
    { 0, "RCPT TO:<a@b.c> ORCPT==;a\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "RCPT TO:<a@b.c> ORCPT=a=b;c\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "RCPT TO:<a@b.c> ORCPT=;a\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "RCPT TO:<a@b.c> ORCPT=rfc822;a+zz\r\n", V(RCPT), E(PARAM_VALUE), 16 },
    { 0, "MAIL FROM:<a@b.c> NOTIFY=NEVER\r\n", V(MAIL), E(PARAM_WRONG_VERB), 18 },
    { 0, "MAIL FROM:<a@b.c> ORCPT=rfc822;x\r\n", V(MAIL), E(PARAM_WRONG_VERB), 18 },
    { 0, "RCPT TO:<a@b.c> SIZE=10\r\n", V(RCPT), E(PARAM_WRONG_VERB), 16 },
    { 0, "RCPT TO:<a@b.c> BODY=8BITMIME\r\n", V(RCPT), E(PARAM_WRONG_VERB), 16 },
    { 0, "RCPT TO:<a@b.c> MT-PRIORITY=1\r\n", V(RCPT), E(PARAM_WRONG_VERB), 16 },
    { 0, "RCPT TO:<a@b.c> BY=10;R\r\n", V(RCPT), E(PARAM_WRONG_VERB), 16 },
    { 0, "MAIL FROM:<a@b.c> XVERP\r\n", V(MAIL), E(PARAM_UNKNOWN), 18 },
    { 0, "MAIL FROM:<a@b.c> X-FOO=bar\r\n", V(MAIL), E(PARAM_UNKNOWN), 18 },
    { A_UNK, "MAIL FROM:<a@b.c> XVERP X-FOO=bar\r\n", V(MAIL), 0, 0 },
    { A_UNK, "MAIL FROM:<a@b.c> XVERP xverp\r\n", V(MAIL), E(PARAM_DUPLICATE), 24 },
    /* RFC 5321 esmtp-value is ASCII; RFC 6531 3.3 allows UTF-8 in it only
     * under SMTPUTF8 (on RCPT the transaction decides: the session) */
    { A_UNK, "MAIL FROM:<a@b.c> X-FOO=\xce\xb4\r\n", V(MAIL), E(PARAM_VALUE), 24 },
    { A_UNK, "MAIL FROM:<> X=a\xc3\xa9\r\n", V(MAIL), E(PARAM_VALUE), 16 },
    { A_UNK, "MAIL FROM:<> X=\xc3\xa9 SMTPUTF8\r\n", V(MAIL), 0, 0 },
    { A_UNK, "MAIL FROM:<> SMTPUTF8 X=\xc3\xa9 Y=\xc3\xa9\r\n", V(MAIL), 0, 0 },
    { A_UNK, "RCPT TO:<a@b.c> X=\xc3\xa9\r\n", V(RCPT), 0, 0 },
    { A_UNK, "MAIL FROM:<a@b.c> X-FOO=\xce\r\n", V(MAIL), E(BAD_UTF8), 24 },
    { 0, "MAIL FROM:<a@b.c>  SIZE=1\r\n", V(MAIL), E(PARAM_SYNTAX), 18 },
    { 0, "MAIL FROM:<a@b.c> =1\r\n", V(MAIL), E(PARAM_SYNTAX), 18 },
    { 0, "MAIL FROM:<a@b.c> -X=1\r\n", V(MAIL), E(PARAM_SYNTAX), 18 },
    { 0, "MAIL FROM:<a@b.c> SIZE=1 \r\n", V(MAIL), E(PARAM_SYNTAX), 25 },
    { L_TRSP, "MAIL FROM:<a@b.c> SIZE=1 \r\n", V(MAIL), 0, 0 },
    { 0, "MAIL FROM:<a@b.c> SIZE=1\tBODY=7BIT\r\n", V(MAIL), E(PARAM_VALUE), 18 },
    { 0, "MAIL FROM:<a@b.c> A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9 J=10 K=11 L=12 "
         "M=13 N=14 O=15 P=16 Q=17\r\n", V(MAIL), E(PARAM_UNKNOWN), 18 },
    { A_UNK, "MAIL FROM:<a@b.c> A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9 J=10 K=11 L=12 "
         "M=13 N=14 O=15 P=16\r\n", V(MAIL), 0, 0 },
    { A_UNK, "MAIL FROM:<a@b.c> A=1 B=2 C=3 D=4 E=5 F=6 G=7 H=8 I=9 J=10 K=11 L=12 "
         "M=13 N=14 O=15 P=16 Q=17\r\n", V(MAIL), E(PARAM_TOO_MANY), 89 },
    /* XCLIENT: 16 attributes at most too (the 17th starts at 120) */
    { 0, "XCLIENT NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a NAME=a\r\n", V(XCLIENT), E(PARAM_TOO_MANY), 120 },

    /* ---- BDAT ---- */
    { 0, "BDAT\r\n", V(BDAT), E(MISSING_ARG), 4 },
    { 0, "BDAT x\r\n", V(BDAT), E(BAD_NUMBER), 5 },
    { 0, "BDAT -1\r\n", V(BDAT), E(BAD_NUMBER), 5 },
    { 0, "BDAT 10x\r\n", V(BDAT), E(BAD_NUMBER), 5 },
    { 0, "BDAT 18446744073709551616\r\n", V(BDAT), E(NUMBER_TOO_LARGE), 5 },
    { 0, "BDAT 99999999999999999999999 LAST\r\n", V(BDAT), E(NUMBER_TOO_LARGE), 5 },
    { 0, "BDAT 10 MORE\r\n", V(BDAT), E(SYNTAX), 7 },
    { 0, "BDAT 10 LAST x\r\n", V(BDAT), E(SYNTAX), 12 },
    { 0, "BDAT  10\r\n", V(BDAT), E(SYNTAX), 4 },
    { 0, "BDAT\t10\r\n", V(BDAT), E(SYNTAX), 4 },

    /* ---- AUTH ---- */
    { 0, "AUTH\r\n", V(AUTH), E(MISSING_ARG), 4 },
    { 0, "AUTH PL@IN\r\n", V(AUTH), E(AUTH_MECHANISM), 5 },
    { 0, "AUTH ABCDEFGHIJKLMNOPQRSTU\r\n", V(AUTH), E(AUTH_MECHANISM), 5 },
    { 0, "AUTH PLAIN abc\r\n", V(AUTH), E(BAD_BASE64), 11 },
    { 0, "AUTH PLAIN ab=c\r\n", V(AUTH), E(BAD_BASE64), 11 },
    { 0, "AUTH PLAIN a===\r\n", V(AUTH), E(BAD_BASE64), 11 },
    { 0, "AUTH PLAIN abc=\r\n", V(AUTH), 0, 0 },
    { 0, "AUTH PLAIN aQ==\r\n", V(AUTH), 0, 0 },
    /* canonical only (RFC 4648 3.5): the bits the padding drops must be 0,
     * as smtpp_base64_decode() requires */
    { 0, "AUTH PLAIN ab==\r\n", V(AUTH), E(BAD_BASE64), 11 },
    { 0, "AUTH PLAIN abd=\r\n", V(AUTH), E(BAD_BASE64), 11 },
    { 0, "AUTH PLAIN ==\r\n", V(AUTH), E(BAD_BASE64), 11 },
    { 0, "AUTH PLAIN dXNlcg== x\r\n", V(AUTH), E(SYNTAX), 19 },
    { 0, "AUTH PLAIN  dXNlcg==\r\n", V(AUTH), E(SYNTAX), 10 },

    /* ---- VRFY EXPN HELP NOOP ---- */
    { 0, "VRFY\r\n", V(VRFY), E(MISSING_ARG), 4 },
    { 0, "EXPN\r\n", V(EXPN), E(MISSING_ARG), 4 },
    { 0, "VRFY John Smith\r\n", V(VRFY), E(SYNTAX), 9 },
    { 0, "VRFY <smith@example.com\r\n", V(VRFY), E(SYNTAX), 5 },
    { 0, "HELP MAIL FROM\r\n", V(HELP), E(SYNTAX), 9 },
    { 0, "NOOP\tx\r\n", V(NOOP), E(SYNTAX), 4 },

    /* ---- ETRN ATRN ---- */
    { 0, "ETRN\r\n", V(ETRN), E(MISSING_ARG), 4 },
    { 0, "ETRN -bad\r\n", V(ETRN), E(BAD_DOMAIN), 4 },
    { 0, "ETRN example.com x\r\n", V(ETRN), E(BAD_DOMAIN), 16 },
    { 0, "ATRN a.example,,b.example\r\n", V(ATRN), E(BAD_DOMAIN), 14 },
    { 0, "ATRN ,a.example\r\n", V(ATRN), E(BAD_DOMAIN), 4 },

    /* ---- XCLIENT XFORWARD ---- */
    { 0, "XCLIENT\r\n", V(XCLIENT), E(MISSING_ARG), 7 },
    { 0, "XCLIENT FOO=bar\r\n", V(XCLIENT), E(XATTR_UNKNOWN), 8 },
    { 0, "XCLIENT IDENT=x\r\n", V(XCLIENT), E(XATTR_UNKNOWN), 8 },
    { 0, "XFORWARD LOGIN=x\r\n", V(XFORWARD), E(XATTR_UNKNOWN), 9 },
    { 0, "XCLIENT NAME=a+zz\r\n", V(XCLIENT), E(BAD_XTEXT), 14 },
    { 0, "XCLIENT NAME\r\n", V(XCLIENT), E(PARAM_SYNTAX), 8 },
    { 0, "XCLIENT NAME=a  ADDR=b\r\n", V(XCLIENT), E(PARAM_SYNTAX), 15 },
    { 0, "XCLIENT NAME=a=b\r\n", V(XCLIENT), E(BAD_XTEXT), 14 },
};

#define NVEC (sizeof vectors / sizeof vectors[0])

/* ---- helpers ------------------------------------------------------------ */

static smtpp_command first_cmd;

/* Parses a whole buffer and keeps the first result in first_cmd.  The
 * same line followed by FEED_PAD octets (where the fast lane may take it)
 * must give the same result, field by field. */
static int parse_one(unsigned flags, const char *in, size_t n)
{
    smtpp_parser p;
    size_t used, pn;
    smtpp_command pc;
    char *pin = padded(in, n, &pn);
    int r, pr;
    smtpp_parser_init(&p, flags);
    if (feed_config) smtpp_parser_configure(&p, feed_config);
    pr = smtpp_parse_command(&p, pin, pn, &pc, &used);
    smtpp_parser_init(&p, flags);
    if (feed_config) smtpp_parser_configure(&p, feed_config);
    r = smtpp_parse_command(&p, in, n, &first_cmd, &used);
    if (r == SMTPP_DONE) {
        char a[4096], b[4096];
        dbuf da = { a, 0, sizeof a }, db = { b, 0, sizeof b };
        /* slices of the padded copy, seen as offsets into `in` */
        describe_command(&da, &first_cmd);
        describe_command(&db, &pc);
        ck_assert_int_eq(pr, SMTPP_DONE);
        ck_assert_msg(strcmp(a, b) == 0, "padded differs:\n%s%s", a, b);
    }
    free(pin);
    return r;
}

static const smtpp_command *P(unsigned flags, const char *in)
{
    ck_assert_int_eq(parse_one(flags, in, strlen(in)), SMTPP_DONE);
    return &first_cmd;
}

#define ck_slice(s, lit) do { \
        smtpp_str s_ = (s); \
        ck_assert_msg(s_.p != NULL, "slice %s absent", #s); \
        ck_assert_msg(s_.n == strlen(lit) && memcmp(s_.p, lit, s_.n) == 0, \
                      "%s: got [%.*s], want [%s]", #s, (int)s_.n, s_.p, lit); \
    } while (0)

/* ---- the vector table ------------------------------------------------------ */

START_TEST(test_vector)
{
    const vec *v = &vectors[_i];
    size_t n = strlen(v->in) + (v->in[0] == 0 ? 0 : 0);
    /* a vector may contain NUL: its length is up to the final LF */
    const char *lf = v->in;
    while (*lf != '\n') lf++;
    n = (size_t)(lf - v->in) + 1;
    ck_assert_int_eq(parse_one(v->flags, v->in, n), SMTPP_DONE);
    ck_assert_msg(first_cmd.verb == v->verb, "#%d %s: verb %s, want %s", _i, v->in,
                  smtpp_verb_name(first_cmd.verb), smtpp_verb_name(v->verb));
    ck_assert_msg(first_cmd.error == v->err, "#%d %s: %s at %u, want %s", _i, v->in,
                  smtpp_error_name(first_cmd.error), first_cmd.error_offset,
                  smtpp_error_name(v->err));
    if (v->off >= 0 && v->err)
        ck_assert_msg((int)first_cmd.error_offset == v->off, "#%d %s: offset %u, want %d",
                      _i, v->in, first_cmd.error_offset, v->off);
}
END_TEST

/* Every vector, as a stream, gives the same results at every split point,
 * byte by byte, and with each call's bytes in a buffer of exactly that size
 * (the sanitizer build catches any over-read). */
START_TEST(test_vector_splits)
{
    const vec *v = &vectors[_i];
    const char *lf = v->in;
    size_t n;
    while (*lf != '\n') lf++;
    n = (size_t)(lf - v->in) + 1;
    check_all_splits_cmd(v->flags, 0, v->in, n);
}
END_TEST

/* Every vector placed right before an unreadable page. */
START_TEST(test_vector_guard_page)
{
    const vec *v = &vectors[_i];
    const char *lf = v->in;
    size_t n;
    while (*lf != '\n') lf++;
    n = (size_t)(lf - v->in) + 1;
    check_guard_page_cmd(v->flags, v->in, n);
    check_guard_page_cmd(v->flags, v->in, n - 1); /* incomplete line */
    {   /* with NOOP lines after it, so the fast lane may read ahead */
        size_t pn;
        char *pin = padded(v->in, n, &pn);
        check_guard_page_cmd(v->flags, pin, pn);
        free(pin);
    }
}
END_TEST

/* ---- fields of parsed commands ---------------------------------------------- */

START_TEST(test_hello_fields)
{
    const smtpp_command *c = P(0, "EHLO mx.example.com\r\n");
    ck_slice(c->arg, "mx.example.com");
    ck_slice(c->line, "EHLO mx.example.com");
    ck_assert_int_eq(c->path.domain_kind, SMTPP_DOMAIN_NAME);
    c = P(0, "HELO [192.0.2.1]\r\n");
    ck_slice(c->arg, "[192.0.2.1]");
    ck_slice(c->path.literal, "192.0.2.1");
    ck_assert_int_eq(c->path.domain_kind, SMTPP_DOMAIN_IPV4);
    c = P(0, "EHLO [IPv6:2001:db8::7]\r\n");
    ck_slice(c->path.literal, "2001:db8::7");
    ck_assert_int_eq(c->path.domain_kind, SMTPP_DOMAIN_IPV6);
}
END_TEST

START_TEST(test_null_path_vs_postmaster)
{
    const smtpp_command *c = P(0, "MAIL FROM:<>\r\n");
    ck_assert_int_eq(c->path.kind, SMTPP_PATH_NULL);
    ck_assert_ptr_nonnull(c->path.raw.p);
    ck_assert_uint_eq(c->path.raw.n, 0);
    ck_assert_ptr_null(c->path.local.p);
    c = P(0, "RCPT TO:<Postmaster>\r\n");
    ck_assert_int_eq(c->path.kind, SMTPP_PATH_POSTMASTER);
    ck_slice(c->path.local, "Postmaster");
    ck_slice(c->path.raw, "Postmaster");
    ck_assert_ptr_null(c->path.domain.p);
    c = P(0, "RCPT TO:<postmaster@example.com>\r\n");
    ck_assert_int_eq(c->path.kind, SMTPP_PATH_MAILBOX);
    ck_slice(c->path.local, "postmaster");
    ck_slice(c->path.domain, "example.com");
    ck_assert_int_eq(P(0, "MAIL FROM:<postmaster>\r\n")->error, SMTPP_E_POSTMASTER_MAIL);
    ck_assert_int_eq(P(0, "RCPT TO:<>\r\n")->error, SMTPP_E_NULL_PATH_RCPT);
}
END_TEST

START_TEST(test_mailbox_fields)
{
    const smtpp_command *c =
        P(0, "RCPT TO:<@a.example,@b.example:\"john \\\"jd\\\" doe\"@[IPv6:::1]>\r\n");
    ck_assert_int_eq(c->error, 0);
    ck_assert_int_eq(c->path.kind, SMTPP_PATH_MAILBOX);
    ck_slice(c->path.route, "@a.example,@b.example");
    ck_slice(c->path.local, "\"john \\\"jd\\\" doe\"");
    ck_slice(c->path.domain, "[IPv6:::1]");
    ck_slice(c->path.literal, "::1");
    ck_slice(c->path.mailbox, "\"john \\\"jd\\\" doe\"@[IPv6:::1]");
    ck_slice(c->path.raw, "@a.example,@b.example:\"john \\\"jd\\\" doe\"@[IPv6:::1]");
    ck_assert_int_eq(c->path.quoted, 1);
    ck_assert_int_eq(c->path.utf8, 0);
    ck_assert_int_eq(c->path.domain_kind, SMTPP_DOMAIN_IPV6);
    {
        char out[64];
        long n = smtpp_local_decode(c->path.local, out, sizeof out);
        ck_assert_int_eq(n, 13);
        ck_assert(memcmp(out, "john \"jd\" doe", 13) == 0);
        ck_assert_int_eq(smtpp_local_decode(c->path.local, out, 5), -2);
    }
    c = P(0, "RCPT TO:<user@[x-tag:cont/ent]>\r\n");
    ck_assert_int_eq(c->path.domain_kind, SMTPP_DOMAIN_GENERAL);
    ck_slice(c->path.literal, "cont/ent");
    ck_assert_ptr_null(c->path.route.p);
    c = P(0, "MAIL FROM:<\xce\xb4@\xcf\x80.example> SMTPUTF8\r\n");
    ck_assert_int_eq(c->path.utf8, 1);
    c = P(0, "RCPT TO:<a@\xcf\x80.example>\r\n");
    ck_assert_int_eq(c->error, 0);
    ck_assert_int_eq(c->path.utf8, 1);
    c = P(L_NOBR, "MAIL FROM:a@b.example SIZE=5\r\n");
    ck_slice(c->path.raw, "a@b.example");
    ck_assert_uint_eq(c->p.size, 5);
    c = P(L_NOBR, "RCPT TO:postmaster\r\n");
    ck_assert_int_eq(c->path.kind, SMTPP_PATH_POSTMASTER);
}
END_TEST

/* Mailboxes of every length around the lanes' windows (32 and 64 octets
 * from the local part's start: where the 16-octet vector builds extend
 * their first window, and where every build scans a long domain again),
 * each valid, and broken at its end in each of four ways.  The expected
 * answers are RFC 5321's rules (4.1.2), not the parser's: the local part
 * a Dot-string, `Atom *("." Atom)` (no dot first, last or doubled); the
 * domain `sub-domain *("." sub-domain)`, each `Let-dig [Ldh-str]` with
 * `Ldh-str = *( ALPHA / DIGIT / "-" ) Let-dig` (no label empty, none
 * starting or ending with a hyphen). */
START_TEST(test_mailbox_windows)
{
    char line[256], mb[160];
    unsigned L, D, bad;
    for (L = 1; L <= 40; L++) {
        for (D = 1; D <= 60; D++) {
            for (bad = 0; bad < 5; bad++) {
                size_t n = 0, i;
                const smtpp_command *c;
                for (i = 0; i < L; i++) mb[n++] = (i % 5 == 3 && i + 1 < L) ? '.' : 'l';
                if (bad == 1) mb[n - 1] = '.';              /* "l." before "@" */
                mb[n++] = '@';
                /* labels "ddd-dd", the last one cut short */
                for (i = 0; i < D; i++)
                    mb[n++] = (i % 7 == 6 && i + 1 < D) ? '.' : i % 7 == 3 ? '-' : 'd';
                if (mb[n - 1] == '-') mb[n - 1] = 'd';
                if (bad == 2) mb[n - 1] = '-';              /* a label ends with "-" */
                if (bad == 3 && D >= 2) mb[n - 2] = '.', mb[n - 1] = '.';   /* ".." or "@." */
                if (bad == 4 && D >= 2) mb[n - 1] = '.';    /* the domain ends with "." */
                if ((bad == 3 || bad == 4) && D < 2) continue;
                mb[n] = 0;
                snprintf(line, sizeof line, "RCPT TO:<%s>\r\n", mb);
                c = P(0, line);
                ck_assert_int_eq(c->verb, SMTPP_VERB_RCPT);
                if (bad == 0) {
                    ck_assert_msg(c->error == 0, "%s: error %d", line, c->error);
                    ck_assert_uint_eq(c->path.local.n, L);
                    ck_assert(c->path.local.p == line + 9);
                    ck_assert_uint_eq(c->path.domain.n, D);
                    ck_assert(c->path.domain.p == line + 9 + L + 1);
                    ck_assert_uint_eq(c->path.mailbox.n, L + 1 + D);
                } else {
                    int want = bad == 1 ? SMTPP_E_LOCAL_SYNTAX : SMTPP_E_DOMAIN_SYNTAX;
                    ck_assert_msg(c->error == want, "%s: error %d", line, c->error);
                }
            }
        }
    }
}
END_TEST

START_TEST(test_params_typed)
{
    const smtpp_command *c = P(0, "MAIL FROM:<a@b.example> SIZE=18446744073709551615 "
                                  "BODY=BINARYMIME SMTPUTF8 RET=HDRS ENVID=QQ+2B1 "
                                  "AUTH=<> REQUIRETLS MT-PRIORITY=-4 HOLDFOR=600 "
                                  "BY=-30;NT\r\n");
    ck_assert_int_eq(c->error, 0);
    ck_assert_uint_eq(c->p.size, UINT64_MAX);
    ck_assert_int_eq(c->p.body, SMTPP_BODY_BINARYMIME);
    ck_assert_int_eq(c->p.ret, SMTPP_RET_HDRS);
    ck_slice(c->p.envid, "QQ+2B1");
    ck_slice(c->p.auth, "<>");
    ck_assert_int_eq(c->p.mt_priority, -4);
    ck_assert_uint_eq(c->p.holdfor, 600);
    ck_assert_int_eq(c->p.by_time, -30);
    ck_assert_int_eq(c->p.by_mode, SMTPP_BY_NOTIFY);
    ck_assert_int_eq(c->p.by_trace, 1);
    ck_assert_uint_eq(c->nparams, 10);
    ck_assert_uint_eq(c->p.present, (1u << SMTPP_PARAM_SIZE) | (1u << SMTPP_PARAM_BODY) |
                      (1u << SMTPP_PARAM_SMTPUTF8) | (1u << SMTPP_PARAM_RET) |
                      (1u << SMTPP_PARAM_ENVID) | (1u << SMTPP_PARAM_AUTH) |
                      (1u << SMTPP_PARAM_REQUIRETLS) | (1u << SMTPP_PARAM_MT_PRIORITY) |
                      (1u << SMTPP_PARAM_HOLDFOR) | (1u << SMTPP_PARAM_BY));
    ck_slice(c->params[0].keyword, "SIZE");
    ck_slice(c->params[0].value, "18446744073709551615");
    ck_assert_int_eq(c->params[0].id, SMTPP_PARAM_SIZE);
    ck_slice(c->params[2].keyword, "SMTPUTF8");
    ck_assert_ptr_null(c->params[2].value.p);
    {
        char out[16];
        ck_assert_int_eq(smtpp_xtext_decode(c->p.envid, out, sizeof out), 4);
        ck_assert(memcmp(out, "QQ+1", 4) == 0);
    }
    c = P(0, "MAIL FROM:<a@b.example> HOLDUNTIL=2026-11-22T10:00:00-05:30 BY=3600;r\r\n");
    ck_slice(c->p.holduntil, "2026-11-22T10:00:00-05:30");
    ck_assert_int_eq(c->p.by_time, 3600);
    ck_assert_int_eq(c->p.by_mode, SMTPP_BY_RETURN);
    ck_assert_int_eq(c->p.by_trace, 0);
    c = P(0, "RCPT TO:<a@b.example> NOTIFY=FAILURE,DELAY ORCPT=rfc822;a+2Bb@x.example\r\n");
    ck_assert_int_eq(c->p.notify, SMTPP_NOTIFY_FAILURE | SMTPP_NOTIFY_DELAY);
    ck_slice(c->p.orcpt_type, "rfc822");
    ck_slice(c->p.orcpt, "a+2Bb@x.example");
    c = P(0, "RCPT TO:<a@b.example> NOTIFY=NEVER\r\n");
    ck_assert_int_eq(c->p.notify, SMTPP_NOTIFY_NEVER);
    c = P(A_UNK, "MAIL FROM:<a@b.example> XVERP X-A=1 SIZE=7\r\n");
    ck_assert_uint_eq(c->nparams, 3);
    ck_assert_int_eq(c->params[0].id, -1);
    ck_slice(c->params[0].keyword, "XVERP");
    ck_assert_ptr_null(c->params[0].value.p);
    ck_slice(c->params[1].keyword, "X-A");
    ck_slice(c->params[1].value, "1");
    ck_assert_uint_eq(c->p.size, 7);
}
END_TEST

START_TEST(test_error_reply_mapping)
{
    /* the reply each class of error deserves */
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_UNKNOWN_COMMAND), 500);
    ck_assert_str_eq(smtpp_error_enhanced(SMTPP_E_UNKNOWN_COMMAND), "5.5.1");
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_LINE_TOO_LONG), 500);
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_SYNTAX), 501);
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_PARAM_DUPLICATE), 501);
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_PARAM_VALUE), 501);
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_PARAM_UNKNOWN), 555);
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_PARAM_WRONG_VERB), 555);
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_SIZE_OVERFLOW), 552);
    ck_assert_str_eq(smtpp_error_enhanced(SMTPP_E_SIZE_OVERFLOW), "5.3.4");
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_UTF8_ADDRESS), 553);
    ck_assert_str_eq(smtpp_error_enhanced_for(SMTPP_E_LOCAL_TOO_LONG, SMTPP_VERB_MAIL), "5.1.7");
    ck_assert_str_eq(smtpp_error_enhanced_for(SMTPP_E_LOCAL_TOO_LONG, SMTPP_VERB_RCPT), "5.1.3");
    ck_assert_str_eq(smtpp_error_enhanced_for(SMTPP_E_SYNTAX, SMTPP_VERB_MAIL), "5.5.4");
    ck_assert_str_eq(smtpp_error_name(SMTPP_E_BARE_CR), "SMTPP_E_BARE_CR");
    ck_assert_str_eq(smtpp_error_reason(SMTPP_E_BARE_LF), "bare LF in command line; CRLF required");
    ck_assert_int_eq(smtpp_error_code(SMTPP_E_OK), 0);
    /* every row: a code of the 5yz class, a well-formed enhanced code with
     * the same class, a name and a reason */
    for (int e = 1; e < SMTPP_E__COUNT; e++) {
        const char *enh = smtpp_error_enhanced((smtpp_error)e);
        ck_assert_int_ge(smtpp_error_code((smtpp_error)e), 500);
        ck_assert_int_le(smtpp_error_code((smtpp_error)e), 555);
        ck_assert_int_eq(enh[0], '5');
        ck_assert_int_eq(enh[1], '.');
        ck_assert(strlen(smtpp_error_reason((smtpp_error)e)) > 5);
        ck_assert(strncmp(smtpp_error_name((smtpp_error)e), "SMTPP_E_", 8) == 0);
    }
    ck_assert_str_eq(smtpp_error_name((smtpp_error)200), "SMTPP_E_?");
    ck_assert_str_eq(smtpp_verb_name(SMTPP_VERB_XFORWARD), "XFORWARD");
    ck_assert_str_eq(smtpp_verb_name((smtpp_verb)99), "");
    ck_assert_str_eq(smtpp_param_name(SMTPP_PARAM_MT_PRIORITY), "MT-PRIORITY");
    ck_assert_str_eq(smtpp_param_name((smtpp_param_id)99), "");
    ck_assert_uint_eq(smtpp_version(), SMTPP_VERSION_NUMBER);
    ck_assert_str_eq(smtpp_version_string(), "0.1.0");
}
END_TEST

/* ---- the vocabulary maps ------------------------------------------------------ *
 * The re2c rules cannot read SMTPP_VERB_MAP and SMTPP_PARAM_MAP (command.h):
 * every row is parsed here, so a row without its rule, or a rule that
 * returns another id than its row, fails. */

static void lower(char *dst, const char *src)
{
    for (; *src; src++, dst++) *dst = (*src >= 'A' && *src <= 'Z') ? (char)(*src | 0x20) : *src;
    *dst = 0;
}

static const struct verb_row {
    int id;
    const char *keyword;
} verb_rows[] = {
#define X_(name, keyword, args) { SMTPP_VERB_##name, keyword },
    SMTPP_VERB_MAP(X_)
#undef X_
};

START_TEST(test_vocabulary_verbs)
{
    char line[64], low[32];
    size_t i;
    ck_assert_uint_eq(sizeof verb_rows / sizeof verb_rows[0], SMTPP_VERB__COUNT - 1);
    for (i = 0; i < sizeof verb_rows / sizeof verb_rows[0]; i++) {
        const struct verb_row *r = &verb_rows[i];
        const smtpp_command *c;
        ck_assert_int_eq(r->id, (int)i + 1);
        ck_assert_str_eq(smtpp_verb_name((smtpp_verb)r->id), r->keyword);
        /* the keyword alone, in either case: this verb (its argument may be
         * missing, but the verb is known) */
        snprintf(line, sizeof line, "%s\r\n", r->keyword);
        c = P(0, line);
        ck_assert_msg(c->verb == r->id, "%s: verb %s", r->keyword, smtpp_verb_name(c->verb));
        ck_assert_int_ne(c->error, SMTPP_E_UNKNOWN_COMMAND);
        lower(low, r->keyword);
        snprintf(line, sizeof line, "%s\r\n", low);
        ck_assert_int_eq(P(0, line)->verb, r->id);
        /* the rule matches the keyword, not a word it starts */
        snprintf(line, sizeof line, "%sX\r\n", r->keyword);
        c = P(0, line);
        ck_assert_int_eq(c->verb, SMTPP_VERB_UNKNOWN);
        ck_assert_int_eq(c->error, SMTPP_E_UNKNOWN_COMMAND);
    }
    ck_assert_str_eq(smtpp_verb_name(SMTPP_VERB_UNKNOWN), "");
    ck_assert_str_eq(smtpp_verb_name(SMTPP_VERB__COUNT), "");
}
END_TEST

static const struct param_row {
    int id;
    const char *keyword;
    int verb;
    int ext;
    const char *example;
} param_rows[] = {
#define X_(name, keyword, verb, ext, example) \
    { SMTPP_PARAM_##name, keyword, SMTPP_VERB_##verb, SMTPP_EXT_##ext, example },
    SMTPP_PARAM_MAP(X_)
#undef X_
};

START_TEST(test_vocabulary_params)
{
    static const char mail[] = "MAIL FROM:<a@b.example> ", rcpt[] = "RCPT TO:<a@b.example> ";
    char line[160], low[32];
    size_t i;
    ck_assert_uint_eq(sizeof param_rows / sizeof param_rows[0], SMTPP_PARAM__COUNT);
    for (i = 0; i < sizeof param_rows / sizeof param_rows[0]; i++) {
        const struct param_row *r = &param_rows[i];
        const char *cmd = r->verb == SMTPP_VERB_MAIL ? mail : rcpt;
        const char *other = r->verb == SMTPP_VERB_MAIL ? rcpt : mail;
        uint32_t off = (uint32_t)strlen(cmd);
        const smtpp_command *c;
        ck_assert_int_eq(r->id, (int)i);
        ck_assert_str_eq(smtpp_param_name((smtpp_param_id)r->id), r->keyword);
        ck_assert_int_lt(r->ext, SMTPP_EXT__COUNT);
        /* keyword and example value on its verb: this id, the keyword as
         * long as the row's, the value after the "=" */
        snprintf(line, sizeof line, "%s%s%s\r\n", cmd, r->keyword, r->example);
        c = P(0, line);
        ck_assert_msg(c->error == 0, "%s: %s", line, smtpp_error_name(c->error));
        ck_assert_int_eq(c->verb, r->verb);
        ck_assert_int_eq(c->nparams, 1);
        ck_assert_int_eq(c->params[0].id, r->id);
        ck_assert_uint_eq(c->p.present, 1u << r->id);
        ck_slice(c->params[0].keyword, r->keyword);
        if (r->example[0]) ck_slice(c->params[0].value, r->example + 1);
        else ck_assert_ptr_null(c->params[0].value.p);
        /* in lower case */
        lower(low, r->keyword);
        snprintf(line, sizeof line, "%s%s%s\r\n", cmd, low, r->example);
        c = P(0, line);
        ck_assert_int_eq(c->error, 0);
        ck_assert_int_eq(c->params[0].id, r->id);
        ck_slice(c->params[0].keyword, low);
        /* on the other verb: refused as such (param_verbs[]) */
        snprintf(line, sizeof line, "%s%s%s\r\n", other, r->keyword, r->example);
        c = P(0, line);
        ck_assert_msg(c->error == SMTPP_E_PARAM_WRONG_VERB, "%s: %s", line,
                      smtpp_error_name(c->error));
        ck_assert_uint_eq(c->error_offset, strlen(other));
        /* a value no keyword allows: a known keyword's wrong value, never an
         * unknown parameter (the keyword lookup knows the row) */
        snprintf(line, sizeof line, "%s%s=+\r\n", cmd, r->keyword);
        c = P(0, line);
        ck_assert_msg(c->error == SMTPP_E_PARAM_VALUE, "%s: %s", line, smtpp_error_name(c->error));
        ck_assert_uint_eq(c->error_offset, off);
        /* after the parameter itself: a duplicate, so the lookup returned
         * this row's id */
        snprintf(line, sizeof line, "%s%s%s %s=+\r\n", cmd, r->keyword, r->example, low);
        c = P(0, line);
        ck_assert_msg(c->error == SMTPP_E_PARAM_DUPLICATE, "%s: %s", line,
                      smtpp_error_name(c->error));
        ck_assert_uint_eq(c->error_offset, off + strlen(r->keyword) + strlen(r->example) + 1);
        /* the keyword with one more letter is not this parameter */
        snprintf(line, sizeof line, "%s%sX%s\r\n", cmd, r->keyword, r->example);
        c = P(0, line);
        ck_assert_msg(c->error == SMTPP_E_PARAM_UNKNOWN, "%s: %s", line, smtpp_error_name(c->error));
    }
}
END_TEST

START_TEST(test_bdat_auth_fields)
{
    const smtpp_command *c = P(0, "BDAT 18446744073709551615 LAST\r\n");
    ck_assert_uint_eq(c->bdat_size, UINT64_MAX);
    ck_assert_int_eq(c->bdat_last, 1);
    c = P(0, "BDAT 0042\r\n");
    ck_assert_uint_eq(c->bdat_size, 42);
    ck_assert_int_eq(c->bdat_last, 0);
    c = P(0, "AUTH PLAIN AHVzZXIAcGFzcw==\r\n");
    ck_slice(c->arg, "PLAIN");
    ck_slice(c->auth_initial, "AHVzZXIAcGFzcw==");
    {
        char out[32];
        long n = smtpp_base64_decode(c->auth_initial, out, sizeof out);
        ck_assert_int_eq(n, 10);
        ck_assert(memcmp(out, "\0user\0pass", 10) == 0);
    }
    c = P(0, "AUTH PLAIN =\r\n");
    ck_assert_int_eq(c->auth_empty, 1);
    ck_slice(c->auth_initial, "=");
    c = P(0, "AUTH LOGIN\r\n");
    ck_assert_ptr_null(c->auth_initial.p);
    c = P(0, "XCLIENT NAME=spike.porcupine.org ADDR=168.100.189.2\r\n");
    ck_assert_uint_eq(c->nparams, 2);
    ck_slice(c->params[1].keyword, "ADDR");
    ck_slice(c->params[1].value, "168.100.189.2");
    c = P(0, "ETRN #q1\r\n");
    ck_slice(c->arg, "#q1");
    c = P(0, "VRFY <a@b.example> SMTPUTF8\r\n");
    ck_slice(c->arg, "<a@b.example>");
    ck_assert_uint_eq(c->nparams, 1);
}
END_TEST

START_TEST(test_decoders)
{
    char out[8];
    smtpp_str s;
#define S(lit) (s = (smtpp_str){ lit, sizeof lit - 1 })
    ck_assert_int_eq(smtpp_xtext_decode(S("a+2B+3D"), out, sizeof out), 3);
    ck_assert(memcmp(out, "a+=", 3) == 0);
    ck_assert_int_eq(smtpp_xtext_decode(S("a+2b"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_xtext_decode(S("a+2"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_xtext_decode(S("a="), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_xtext_decode(S("a b"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_xtext_decode(S("abcdefghij"), out, sizeof out), -2);
    ck_assert_int_eq(smtpp_xtext_decode(S(""), out, sizeof out), 0);
    ck_assert_int_eq(smtpp_base64_decode(S("="), out, sizeof out), 0);
    ck_assert_int_eq(smtpp_base64_decode(S("Zm9v"), out, sizeof out), 3);
    ck_assert_int_eq(smtpp_base64_decode(S("Zm8="), out, sizeof out), 2);
    ck_assert_int_eq(smtpp_base64_decode(S("Zg=="), out, sizeof out), 1);
    ck_assert_int_eq(smtpp_base64_decode(S("Zh=="), out, sizeof out), -1); /* not canonical */
    ck_assert_int_eq(smtpp_base64_decode(S("Zm9=v"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_base64_decode(S("Zm=v"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_base64_decode(S("Zm9"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_base64_decode(S("Zm9v!m9v"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_base64_decode(S("Zm9vYmFyYmF6"), out, sizeof out), -2);
    ck_assert_int_eq(smtpp_local_decode(S("plain"), out, sizeof out), 5);
    ck_assert_int_eq(smtpp_local_decode(S("\"a\\\\b\""), out, sizeof out), 3);
    ck_assert(memcmp(out, "a\\b", 3) == 0);
    ck_assert_int_eq(smtpp_local_decode(S("\"a\\\""), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_local_decode(S("\"a\"b\""), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_local_decode(S("a b"), out, sizeof out), -1);
    ck_assert_int_eq(smtpp_local_decode(S("\"\""), out, sizeof out), 0);
#undef S
}
END_TEST

START_TEST(test_standalone_validators)
{
    smtpp_path path;
    smtpp_domain_kind k;
    const char *s = "<@r.example:\"x y\"@[IPv6:::1]>";
    ck_assert_int_eq(smtpp_parse_path(s, strlen(s), 0, 0, &path), SMTPP_E_OK);
    ck_assert(path.local.p == s + 12);
    ck_slice(path.local, "\"x y\"");
    ck_slice(path.route, "@r.example");
    ck_slice(path.literal, "::1");
    ck_assert_int_eq(smtpp_parse_path("<>", 2, 0, 0, &path), SMTPP_E_OK);
    ck_assert_int_eq(path.kind, SMTPP_PATH_NULL);
    ck_assert_int_eq(smtpp_parse_path("<a@b> x", 7, 0, 0, &path), SMTPP_E_PATH_SYNTAX);
    ck_assert_int_eq(smtpp_parse_path("a@b", 3, 0, 0, &path), SMTPP_E_PATH_NO_BRACKETS);
    ck_assert_int_eq(smtpp_parse_path("a@b", 3, L_NOBR, 0, &path), SMTPP_E_OK);
    ck_assert_int_eq(smtpp_parse_path("<\xce\xb4@b>", 6, 0, 0, &path), SMTPP_E_UTF8_ADDRESS);
    ck_assert_int_eq(smtpp_parse_path("<\xce\xb4@b>", 6, 0, 1, &path), SMTPP_E_OK);
    ck_assert_int_eq(smtpp_parse_path("<a\r\n@b>", 7, 0, 0, &path), SMTPP_E_PATH_SYNTAX);
    ck_assert_int_eq(smtpp_parse_path("<a@b>\nxyz", 9, 0, 0, &path), SMTPP_E_PATH_SYNTAX);
    ck_assert_int_eq(smtpp_parse_path("<a@b>\r\nx", 8, 0, 0, &path), SMTPP_E_PATH_SYNTAX);
    ck_assert_int_eq(smtpp_check_domain("a.b\nc", 5, 0, &k), SMTPP_E_DOMAIN_SYNTAX);
    {
        char big[400];
        memset(big, 'a', sizeof big);
        ck_assert_int_eq(smtpp_parse_path(big, sizeof big, 0, 0, &path), SMTPP_E_PATH_TOO_LONG);
        ck_assert_int_eq(smtpp_check_domain(big, 256, 0, &k), SMTPP_E_DOMAIN_TOO_LONG);
    }
    ck_assert_int_eq(smtpp_check_domain("example.com", 11, 0, &k), SMTPP_E_OK);
    ck_assert_int_eq(k, SMTPP_DOMAIN_NAME);
    ck_assert_int_eq(smtpp_check_domain("[10.0.0.1]", 10, 0, &k), SMTPP_E_OK);
    ck_assert_int_eq(k, SMTPP_DOMAIN_IPV4);
    ck_assert_int_eq(smtpp_check_domain("example.com.", 12, 0, &k), SMTPP_E_DOMAIN_SYNTAX);
    ck_assert_int_eq(smtpp_check_domain("\xcf\x80.example", 10, 0, &k), SMTPP_E_DOMAIN_SYNTAX);
    ck_assert_int_eq(smtpp_check_domain("\xcf\x80.example", 10, 1, NULL), SMTPP_E_OK);
}
END_TEST

/* A path of 257 octets with valid local part and domain. */
START_TEST(test_path_length)
{
    char line[600];
    char dom[200];
    int i, n;
    /* local 64 + "@" + domain -> path = 2 + 64 + 1 + d */
    for (i = 0; i < 189; i++) dom[i] = (i % 60 == 59) ? '.' : 'd';
    dom[189] = 0; /* 64 + 1 + 189 + 2 = 256: fits */
    n = snprintf(line, sizeof line, "RCPT TO:<%064d@%s>\r\n", 0, dom);
    ck_assert_int_eq(parse_one(0, line, (size_t)n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, 0);
    ck_assert_uint_eq(first_cmd.path.raw.n, 254);
    dom[189] = 'e';
    dom[190] = 0; /* 257 */
    n = snprintf(line, sizeof line, "RCPT TO:<%064d@%s>\r\n", 0, dom);
    ck_assert_int_eq(parse_one(0, line, (size_t)n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_PATH_TOO_LONG);
    ck_assert_uint_eq(first_cmd.error_offset, 8);
    check_all_splits_cmd(0, 0, line, (size_t)n);
    /* a 256-octet domain of valid labels */
    {
        char d2[300];
        for (i = 0; i < 256; i++) d2[i] = (i % 50 == 49) ? '.' : 'x';
        d2[256] = 0;
        n = snprintf(line, sizeof line, "RCPT TO:<a@%s>\r\n", d2);
        ck_assert_int_eq(parse_one(SMTPP_LENIENT_LONG_LOCAL, line, (size_t)n), SMTPP_DONE);
        ck_assert_int_eq(first_cmd.error, SMTPP_E_DOMAIN_TOO_LONG);
        ck_assert_uint_eq(first_cmd.error_offset, 11);
    }
}
END_TEST

/* ---- line limit and streams --------------------------------------------------- */

START_TEST(test_line_limit)
{
    char buf[2048];
    int n;
    smtpp_parser p;
    smtpp_command c;
    size_t used, total = 0;
    /* exactly 512 octets with CRLF: accepted */
    n = snprintf(buf, sizeof buf, "NOOP %0505d\r\n", 7);
    ck_assert_int_eq(n, 512);
    ck_assert_int_eq(parse_one(0, buf, (size_t)n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, 0);
    /* 513: refused, once, and the next command is intact */
    n = snprintf(buf, sizeof buf, "NOOP %0506d\r\nRSET\r\n", 7);
    smtpp_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_command(&p, buf, (size_t)n, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.error, SMTPP_E_LINE_TOO_LONG);
    ck_assert_uint_eq(c.error_offset, 512);
    ck_assert_ptr_null(c.line.p);
    ck_assert_uint_eq(used, 513);
    total = used;
    ck_assert_int_eq(smtpp_parse_command(&p, buf + total, (size_t)n - total, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.verb, SMTPP_VERB_RSET);
    check_all_splits_cmd(0, 0, buf, (size_t)n);
    /* a configurable limit */
    smtpp_parser_init(&p, 0);
    p.max_line = 1000;
    ck_assert_int_eq(smtpp_parse_command(&p, buf, (size_t)n, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.error, 0);
    check_all_splits_cmd(0, 1000, buf, (size_t)n);
    /* a tiny limit is raised to 16 */
    smtpp_parser_init(&p, 0);
    p.max_line = 3;
    ck_assert_int_eq(smtpp_parse_command(&p, "RSET\r\n", 6, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.error, 0);
}
END_TEST

/* An endless line is consumed as it arrives and never buffered. */
START_TEST(test_overlong_not_buffered)
{
    smtpp_parser p;
    smtpp_command c;
    size_t used;
    char junk[300];
    int i;
    memset(junk, 'x', sizeof junk);
    smtpp_parser_init(&p, 0);
    /* 300 bytes: kept (below the limit) */
    ck_assert_int_eq(smtpp_parse_command(&p, junk, 300, &c, &used), SMTPP_AGAIN);
    ck_assert_uint_eq(used, 0);
    /* the caller appends: 600 bytes in the region, no LF: all consumed */
    {
        char region[600];
        memset(region, 'x', sizeof region);
        ck_assert_int_eq(smtpp_parse_command(&p, region, 600, &c, &used), SMTPP_AGAIN);
        ck_assert_uint_eq(used, 600);
    }
    /* a megabyte more: consumed chunk by chunk, nothing reported */
    for (i = 0; i < 4000; i++) {
        ck_assert_int_eq(smtpp_parse_command(&p, junk, 300, &c, &used), SMTPP_AGAIN);
        ck_assert_uint_eq(used, 300);
    }
    ck_assert_int_eq(smtpp_parse_command(&p, "yy\r\nQUIT\r\n", 10, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.error, SMTPP_E_LINE_TOO_LONG);
    ck_assert_uint_eq(used, 4);
    ck_assert_int_eq(smtpp_parse_command(&p, "QUIT\r\n", 6, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.verb, SMTPP_VERB_QUIT);
    ck_assert_int_eq(c.error, 0);
}
END_TEST

START_TEST(test_pipelined_stream)
{
    static const char s[] =
        "EHLO client.example\r\n"
        "MAIL FROM:<a@b.example> SIZE=100\r\n"
        "RCPT TO:<c@d.example>\r\n"
        "RCPT TO:<bad@@d.example>\r\n"
        "RCPT TO:<e@f.example> NOTIFY=NEVER\r\n"
        "DATA\r\n";
    smtpp_parser p;
    smtpp_command c;
    size_t used, off = 0;
    int verbs[6], errs[6], k = 0;
    smtpp_parser_init(&p, 0);
    while (smtpp_parse_command(&p, s + off, sizeof s - 1 - off, &c, &used) == SMTPP_DONE) {
        off += used;
        verbs[k] = c.verb;
        errs[k++] = c.error;
    }
    ck_assert_int_eq(k, 6);
    ck_assert_uint_eq(off, sizeof s - 1);
    ck_assert_int_eq(verbs[0], SMTPP_VERB_EHLO);
    ck_assert_int_eq(verbs[3], SMTPP_VERB_RCPT);
    ck_assert_int_eq(errs[3], SMTPP_E_DOMAIN_SYNTAX);
    ck_assert_int_eq(errs[4], 0);
    ck_assert_int_eq(verbs[5], SMTPP_VERB_DATA);
    check_all_splits_cmd(0, 0, s, sizeof s - 1);
}
END_TEST

/* A command without a path leaves cmd->path empty (command.h), also when
 * the caller's struct still holds the previous command's path, which is
 * how a server loop reuses it: every verb after a MAIL or RCPT, whole,
 * split at every point and with a long region after it (so the fast lane
 * takes each line in its usual form, its bounded form near the end, or
 * from a copy).  The lane used to leave the RCPT's path in a RSET, QUIT,
 * DATA or NOOP that followed, in whole buffers only, so the slices of one
 * stream differed with its splitting, and pointed into the octets of a
 * line the caller had dropped. */
static void path_after_path(const char *in, size_t n, const size_t *cuts, size_t ncuts,
                            unsigned *ncmds)
{
    smtpp_parser p;
    smtpp_command c;
    size_t have = 0, prev = 0, k;
    char *acc = (char *)malloc(n + 1);
    smtpp_parser_init(&p, 0);
    memset(&c, 0, sizeof c);
    for (k = 0; k <= ncuts; k++) {
        size_t end = k < ncuts ? cuts[k] : n, used;
        memcpy(acc + have, in + prev, end - prev);
        have += end - prev;
        prev = end;
        while (smtpp_parse_command(&p, acc, have, &c, &used) == SMTPP_DONE) {
            int hello = c.verb == SMTPP_VERB_HELO || c.verb == SMTPP_VERB_EHLO;
            REQUIRE(c.error == 0, "line %u refused (%d)", *ncmds, c.error);
            if (c.verb == SMTPP_VERB_MAIL || c.verb == SMTPP_VERB_RCPT)
                REQUIRE(c.path.kind != SMTPP_PATH_NONE && c.path.mailbox.n > 0,
                        "line %u (%s): no path", *ncmds, smtpp_verb_name((smtpp_verb)c.verb));
            else
                REQUIRE(c.path.kind == SMTPP_PATH_NONE && path_left_empty(&c.path, hello),
                        "line %u (%s), %zu cuts: the path is not empty (mailbox %zu octets)",
                        *ncmds, smtpp_verb_name((smtpp_verb)c.verb), ncuts, c.path.mailbox.n);
            if (hello) REQUIRE(c.path.domain.n > 0, "line %u: no HELO domain", *ncmds);
            (*ncmds)++;
            memmove(acc, acc + used, have - used);
            have -= used;
        }
        memmove(acc, acc + used, have - used);
        have -= used;
    }
    free(acc);
}

START_TEST(test_path_empty_without_one)
{
    static const char *const others[] = {
        "RSET", "QUIT", "DATA", "NOOP", "NOOP x", "HELP", "VRFY postmaster", "EXPN list",
        "STARTTLS", "AUTH PLAIN", "BDAT 10 LAST", "ETRN example.org", "TURN",
        "EHLO client.example.org", "HELO [192.0.2.1]",
    };
    char in[4096];
    size_t n = 0, i, cut, pad;
    for (i = 0; i < sizeof others / sizeof others[0]; i++)
        n += (size_t)snprintf(in + n, sizeof in - n,
                              "RCPT TO:<recipient.%zu@mail.example.org>\r\n%s\r\n", i, others[i]);
    for (pad = 0; pad < 2; pad++) {
        size_t len = n;
        unsigned want = 2 * (unsigned)(sizeof others / sizeof others[0]), got = 0;
        if (pad) {   /* a long line after it: the lane takes every line in place */
            len += (size_t)snprintf(in + n, sizeof in - n, "NOOP %0400d\r\n", 0);
            want++;
        }
        path_after_path(in, len, NULL, 0, &got);
        ck_assert_uint_eq(got, want);
        for (cut = 1; cut < len; cut++) {
            got = 0;
            path_after_path(in, len, &cut, 1, &got);
            REQUIRE(got == want, "split at %zu: %u commands", cut, got);
        }
    }
}
END_TEST

START_TEST(test_again_and_finish)
{
    smtpp_parser p;
    smtpp_command c;
    size_t used;
    smtpp_parser_init(&p, 0);
    memset(&c, 0x5a, sizeof c);
    ck_assert_int_eq(smtpp_parse_command(&p, NULL, 0, &c, &used), SMTPP_AGAIN);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(smtpp_parse_command(&p, "RSET\r", 5, &c, &used), SMTPP_AGAIN);
    ck_assert_uint_eq(used, 0);
    ck_assert_int_eq(c.verb, 0x5a); /* untouched */
    ck_assert_int_eq(smtpp_parser_finish(&p, 5), 1);
    ck_assert_int_eq(smtpp_parser_finish(&p, 0), 0);
    /* finish while skipping an over-long line */
    {
        char x[600];
        memset(x, 'x', sizeof x);
        ck_assert_int_eq(smtpp_parse_command(&p, x, sizeof x, &c, &used), SMTPP_AGAIN);
        ck_assert_int_eq(smtpp_parser_finish(&p, 0), 1);
        /* reset: a fresh line parses */
        ck_assert_int_eq(smtpp_parse_command(&p, "QUIT\r\n", 6, &c, &used), SMTPP_DONE);
        ck_assert_int_eq(c.error, 0);
    }
}
END_TEST

/* The fast lane (parser/command.re, AVX2 CPUs) against the general path:
 * the shapes it claims and the ones at its edges, each parsed with and
 * without NOOP lines after it (check_all_splits_cmd), whole and split at
 * every point, under the strict default and under every leniency.  What
 * is asserted is that both paths give the same description; the general
 * path's values are checked by the tests above. */
#define X10 "0123456789"
#define X100 X10 X10 X10 X10 X10 X10 X10 X10 X10 X10
START_TEST(test_fast_lane_agrees)
{
    static const char *const lines[] = {
        "RCPT TO:<a@b>\r\n", "rcpt to:<a@b.c>\r\n", "RcPt To:<first.last@example.com>\r\n",
        "MAIL FROM:<>\r\n", "MAIL FROM:<> SIZE=0\r\n", "RCPT TO:<>\r\n",
        "MAIL FROM:<a@b> SIZE=1\r\n", "MAIL FROM:<a@b> SIZE=12345678\r\n",
        "MAIL FROM:<a@b> SIZE=123456789\r\n", "MAIL FROM:<a@b> SIZE=1234567890123456\r\n",
        "MAIL FROM:<a@b> SIZE=12345678901234567\r\n",
        "MAIL FROM:<a@b> SIZE=18446744073709551615\r\n",
        "MAIL FROM:<a@b> SIZE=18446744073709551616\r\n", "MAIL FROM:<a@b> SIZE=\r\n",
        "MAIL FROM:<a@b> SIZE=12a\r\n", "MAIL FROM:<a@b> SIZE\x1d" "1\r\n",
        "MAIL FROM:<a@b> SIZE=1 SIZE=2\r\n", "MAIL FROM:<a@b> size=00000000000000000001\r\n",
        "MAIL FROM:<a@b> BODY=8BITMIME\r\n", "MAIL FROM:<a@b> body=8bitmime\r\n",
        "MAIL FROM:<a@b> BODY=\x18" "BITMIME\r\n", "MAIL FROM:<a@b> BODY=7BIT\r\n",
        "MAIL FROM:<a@b> BODY=7BITS\r\n", "MAIL FROM:<a@b> BODY=BINARYMIME\r\n",
        "MAIL FROM:<a@b> BODY=BINARYMIM\r\n", "MAIL FROM:<a@b> SMTPUTF8\r\n",
        "MAIL FROM:<a@b> SMTPUTF\x18\r\n", "MAIL FROM:<a@b> SMTPUTF8=1\r\n",
        "MAIL FROM:<a@b> RET=FULL\r\n", "MAIL FROM:<a@b> ret=hdrs\r\n", "MAIL FROM:<a@b> RET=HDR\r\n",
        "MAIL FROM:<a@b> ENVID=QQ314159\r\n", "MAIL FROM:<a@b> ENVID=a+2Bb\r\n",
        "MAIL FROM:<a@b> ENVID=a=b\r\n", "MAIL FROM:<a@b> ENVID=\r\n",
        "MAIL FROM:<a@b> AUTH=<>\r\n", "MAIL FROM:<a@b> AUTH=e+3Dmc2@example.com\r\n",
        "MAIL FROM:<a@b> SIZE=1 BODY=8BITMIME RET=HDRS ENVID=x SMTPUTF8 AUTH=<>\r\n",
        "MAIL FROM:<a@b> SIZE=1  BODY=8BITMIME\r\n", "MAIL FROM:<a@b> SIZE=1 \r\n",
        "MAIL FROM:<a@b>  SIZE=1\r\n", "MAIL FROM:<a@b> NOTIFY=NEVER\r\n",
        "RCPT TO:<a@b> SIZE=1\r\n", "RCPT TO:<a@b> NOTIFY=NEVER\r\n",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE,DELAY\r\n", "RCPT TO:<a@b> notify=delay,success\r\n",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,SUCCESS\r\n", "RCPT TO:<a@b> NOTIFY=NEVER,DELAY\r\n",
        "RCPT TO:<a@b> NOTIFY=DELAY,NEVER\r\n", "RCPT TO:<a@b> NOTIFY=SUCCESS,\r\n",
        "RCPT TO:<a@b> NOTIFY=SUCCES\r\n", "RCPT TO:<a@b> NOTIFY=\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;a@b\r\n", "RCPT TO:<a@b> ORCPT=RFC822;a@b\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;a+40b\r\n", "RCPT TO:<a@b> ORCPT=x400;a@b\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;\r\n", "RCPT TO:<a@b> ORCPT=rfc822\x3b" "a=b\r\n",
        "RCPT TO:<a@b> ORCPT=rfc8\x12" "2;a@b\r\n",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;0100011e7326c5e5-ca85be97-9e17-ecd3-b284-d8835a05a4f4-000000@at.com\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" "0123456789012345678901234567890123456789012345678901234567890123\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" "012345678901234567890123456789012345678901234567890123456789012\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;a+2Bb+3Dc@d\r\n", "RCPT TO:<a@b> ORCPT=rfc822;a+2bb@d\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;ab+2\r\n", "RCPT TO:<a@b> ORCPT=rfc822;ab+\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;+4G\r\n", "RCPT TO:<a@b> ORCPT=rfc822;+2B+\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;++2B\r\n", "MAIL FROM:<a@b> ENVID=+41+42+43\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;bounces+2B40352631-ed24-john+3Dof.com@do.io NOTIFY=FAILURE\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "+2B@x\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "0123456789012345+2\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "01234567890123456789012345\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "012345678901234567890123456\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "0123456789012345678901234567\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "0123456789012345678901+4A\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "01234567890123456789012+4A\r\n",
        "RCPT TO:<a@b> FOO=bar\r\n", "RCPT TO:<a@b> XVERP\r\n",
        "RCPT TO:<Postmaster>\r\n", "RCPT TO:<postmaster@example.com>\r\n",
        "RCPT TO:<\"a b\"@example.com>\r\n", "RCPT TO:<a@[192.0.2.1]>\r\n",
        "RCPT TO:<@relay.example:a@b.example>\r\n", "RCPT TO:<a.@b>\r\n", "RCPT TO:<.a@b>\r\n",
        "RCPT TO:<a..b@c>\r\n", "RCPT TO:<a@b.>\r\n", "RCPT TO:<a@.b>\r\n", "RCPT TO:<a@b..c>\r\n",
        "RCPT TO:<a@-b.c>\r\n", "RCPT TO:<a@b-.c>\r\n", "RCPT TO:<a@b.c->\r\n", "RCPT TO:<a@b-c.d-e>\r\n",
        "RCPT TO:<a@b.-c>\r\n", "RCPT TO:<a@b-.>\r\n", "RCPT TO:<a@->\r\n", "RCPT TO:<a@.>\r\n",
        "RCPT TO:<a.@.b>\r\n", "RCPT TO:<-@-->\r\n", "RCPT TO:<a-@b--c>\r\n", "RCPT TO:<a@b[1]>\r\n",
        "RCPT TO:<a@[>\r\n", "RCPT TO:<a.@[1.2.3.4]>\r\n", "RCPT TO:<a..b@[1.2.3.4]>\r\n",
        "RCPT TO:<.a@012345678901234567890123456789012345678901234567890123456789.com>\r\n",
        "RCPT TO:<a.@012345678901234567890123456789012345678901234567890123456789.com>\r\n",
        "RCPT TO:<0123456789012345678901234567890123456789.@0123456789012345678901234.c>\r\n",
        "RCPT TO:<01234567890123456789012345678.@b>\r\n", "RCPT TO:<a@0123456789012345678901234567-.c>\r\n",
        "RCPT TO:<a@01234567890123456789012345678->\r\n", "RCPT TO:<a@012345678901234567890123456789.>\r\n",
        "RCPT TO:<@b>\r\n", "RCPT TO:<a@>\r\n", "RCPT TO:<a@b\r\n", "RCPT TO:<a@b>x\r\n",
        "RCPT TO:<a@b> \r\n", "RCPT TO: <a@b>\r\n", "RCPT TO:a@b\r\n", "RCPT TO:<a@b>\n",
        "RCPT TO:<a@b>\r\r\n", "RCPT TO:<a\r@b>\r\n", "RCPT TO:<a@b\x00>\r\n",
        "RCPT TO:<j\xc3\xb6rg@example.com>\r\n", "RCPT TO:<a@\xc3\xa9t\xc3\xa9.fr>\r\n",
        "RCPT TO:<a@b\xc3>\r\n",
        /* local parts of 62..65 octets, domains of 61..63 and beyond one window */
        "RCPT TO:<01234567890123456789012345678901234567890123456789012345678901@b>\r\n",
        "RCPT TO:<012345678901234567890123456789012345678901234567890123456789012@b>\r\n",
        "RCPT TO:<0123456789012345678901234567890123456789012345678901234567890123@b>\r\n",
        "RCPT TO:<01234567890123456789012345678901234567890123456789012345678901234@b>\r\n",
        "RCPT TO:<a@012345678901234567890123456789012345678901234567890123456789.com>\r\n",
        "RCPT TO:<a@0123456789012345678901234567890123456789012345678901234567890.com>\r\n",
        "RCPT TO:<a@0123456789012345678901234567890123456789012345678901234567890123.com>\r\n",
        "RCPT TO:<a@01234567890123456789012345678901234567890123456789012345678901.c>\r\n",
        "RCPT TO:<a@012345678901234567890123456789012345678901234567890123456789012.c>\r\n",
        "RCPT TO:<010001a7c2e48cde-bdb0d9ef-4af8-1950-0bc6-1dae606026a7-000000@out.word.se>\r\n",
        "RCPT TO:<010001a7c2e48cde-bdb0d9ef-4af8-1950-0bc6-1dae606026a7-000000@mail.ex-ample.co.uk.>\r\n",
        "RCPT TO:<010001a7c2e48cde-bdb0d9ef-4af8-1950-0bc6-1dae606026a7-000000@a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.example>\r\n",
        "MAIL FROM:<a@b> SIZE=1 BODY=BINARYMIME SMTPUTF8 RET=FULL "
        "ENVID=0123456789012345678901234567890123456789012345678901234567890 "
        "AUTH=0123456789012345678901234567890123456789012345678901234567890\r\n",
        "RSET\r\n", "rset\r\n", "RSET \r\n", "RSET x\r\n", "QUIT\r\n", "DATA\r\n", "NOOP\r\n",
        "NOOP x\r\n", "RSET\n", "RSETX\r\n", "DAT\x01\r\n",
        "EHLO a\r\n", "EHLO mx.example.com\r\n", "ehlo MX.EXAMPLE.COM\r\n", "HELO a-b.c\r\n",
        "EHLO a-.b\r\n", "EHLO -a.b\r\n", "EHLO a..b\r\n", "EHLO a.b.\r\n", "EHLO [192.0.2.1]\r\n",
        "EHLO a b\r\n", "EHLO a \r\n", "EHLO  a\r\n", "EHLO a\n", "EHLO \xc3\xa9.fr\r\n",
        "EHLO 0123456789012345678901234567890123456789012345678901234567890123.com\r\n",
        "EHLO 012345678901234567890123456789012345678901234567890123456789.com\r\n",
        /* the wide lane (line_wide): UTF-8 mailboxes, well-formed or not */
        "RCPT TO:<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a>\r\n",
        "RCPT TO:<\xf0\x9f\x98\x80@b.c>\r\n", "RCPT TO:<\xf4\x8f\xbf\xbf@b>\r\n",
        "RCPT TO:<\xc3\xa9@b>\r\n", "RCPT TO:<a@\xc3\xa9>\r\n", "RCPT TO:<\xc3\xa9.a.\xc3\xa9@b>\r\n",
        "RCPT TO:<\xc0\xaf@b>\r\n", "RCPT TO:<\xc1\xbf@b>\r\n", "RCPT TO:<\xe0\x80\xaf@b>\r\n",
        "RCPT TO:<\xf0\x80\x80\xaf@b>\r\n", "RCPT TO:<\xed\xa0\x80@b>\r\n", "RCPT TO:<\xed\x9f\xbf@b>\r\n",
        "RCPT TO:<\xf4\x90\x80\x80@b>\r\n", "RCPT TO:<\xf5\x80\x80\x80@b>\r\n", "RCPT TO:<\x80@b>\r\n",
        "RCPT TO:<a\xe2\x82@b>\r\n", "RCPT TO:<a\xc3@b>\r\n", "RCPT TO:<a@b\xe2\x82>\r\n",
        "RCPT TO:<a@\xc3\xa9-.fr>\r\n", "RCPT TO:<a@-\xc3\xa9.fr>\r\n", "RCPT TO:<a@\xc3\xa9-\xc3\xa9.fr>\r\n",
        "RCPT TO:<a@\xc3\xa9..fr>\r\n", "RCPT TO:<\xc3\xa9.@b>\r\n", "RCPT TO:<\xc3\xa9..a@b>\r\n",
        "RCPT TO:<a@b>\xc3\xa9\r\n", "RCPT TO:<a@b> NOTIFY=\xc3\xa9\r\n",
        "RCPT TO:<\xc3\xa9@b> NOTIFY=FAILURE ORCPT=rfc822;a@b\r\n",
        "MAIL FROM:<j\xc3\xb6rg@example.com>\r\n", "MAIL FROM:<j\xc3\xb6rg@example.com> SMTPUTF8\r\n",
        "MAIL FROM:<a@\xc3\xa9.fr> SIZE=10 BODY=8BITMIME SMTPUTF8\r\n",
        "MAIL FROM:<j\xc3\xb6rg@example.com> SIZE=10 BODY=8BITMIME\r\n",
        "RCPT TO:<a@012345678901234567890123456789012345678901234567890123456789\xc3\xa9.com>\r\n",
        "RCPT TO:<a@0123456789012345678901234567890123456789012345678901234567890.\xc3\xa9>\r\n",
        "RCPT TO:<0123456789012345678901234567890123456789012345678901234567\xc3\xa9@b>\r\n",
        "RCPT TO:<012345678901234567890123456789012345678901234567890123456789\xc3\xa9@b>\r\n",
        /* the wide lane: IPv4 and IPv6 address literals, and the General form
         * it leaves to the DFA */
        "RCPT TO:<a@[255.255.255.255]>\r\n", "RCPT TO:<a@[256.1.1.1]>\r\n", "RCPT TO:<a@[1.2.3]>\r\n",
        "RCPT TO:<a@[1.2.3.4.5]>\r\n", "RCPT TO:<a@[01.02.003.4]>\r\n", "RCPT TO:<a@[0001.2.3.4]>\r\n",
        "RCPT TO:<a@[1.2.3.4.]>\r\n", "RCPT TO:<a@[.1.2.3.4]>\r\n", "RCPT TO:<a@[1..2.3]>\r\n",
        "RCPT TO:<a@[1.2.3.4>\r\n", "RCPT TO:<a@[]>\r\n", "RCPT TO:<a@[1.2.3.4]x>\r\n",
        "RCPT TO:<a@[1.2.3.4]> NOTIFY=NEVER\r\n", "RCPT TO:<a@[1.2.3.4]>x\r\n",
        "RCPT TO:<a@[123.123.123.123.123.123]>\r\n", "RCPT TO:<a@[1.2.3.4]\r\n",
        "RCPT TO:<a@[IPv6:2001:db8::1]>\r\n", "RCPT TO:<a@[ipv6:2001:DB8::1]>\r\n",
        "RCPT TO:<a@[IPv6:::1]>\r\n", "RCPT TO:<a@[IPv6:::]>\r\n", "RCPT TO:<a@[IPv6:1:2:3:4:5:6:7:8]>\r\n",
        "RCPT TO:<a@[IPv6:1:2:3:4:5:6:7:8:9]>\r\n", "RCPT TO:<a@[IPv6:1::2::3]>\r\n",
        "RCPT TO:<a@[IPv6:::ffff:192.0.2.1]>\r\n", "RCPT TO:<a@[IPv6:1:2:3:4:5:6:1.2.3.4]>\r\n",
        "RCPT TO:<a@[IPv6:12345::1]>\r\n", "RCPT TO:<a@[IPv6:g::1]>\r\n", "RCPT TO:<a@[IPv6:]>\r\n",
        "RCPT TO:<a@[IPv6::1]>\r\n", "RCPT TO:<a@[IPv61::1]>\r\n", "RCPT TO:<a@[IPv6 ::1]>\r\n",
        "RCPT TO:<a@[IPv6:1111:2222:3333:4444:5555:6666:7777:8888:9999:aaaa:bbbb:cccc]>\r\n",
        "RCPT TO:<a@[IPv6:0000:0000:0000:0000:0000:ffff:255.255.255.255]>\r\n",
        "RCPT TO:<a@[x-tag:foo]>\r\n", "RCPT TO:<a@[IPv7:1::2]>\r\n", "RCPT TO:<a@[IPv6]>\r\n",
        "RCPT TO:<\xc3\xa9@[1.2.3.4]>\r\n", "MAIL FROM:<a@[1.2.3.4]> SIZE=5\r\n",
        "RCPT TO:<01234567890123456789012345678901234567890123456789012345678901@[1.2.3.4]>\r\n",
        "RCPT TO:<0123456789012345678901234567890123456789012345678901234567890@[IPv6:::ffff:192.0.2.1]>\r\n",
        "EHLO [IPv6:::1]\r\n", "HELO [1.2.3.4]\r\n", "ehlo [ipv6:fe80::1]\r\n", "EHLO [1.2.3.4] x\r\n",
        "EHLO [256.0.0.1]\r\n", "EHLO [1.2.3.4]\n", "EHLO [tag:x]\r\n", "EHLO [1.2.3.4]]\r\n",
        "EHLO [1.2.3.4\r\n", "EHLO [\r\n",
    };
    static const unsigned flags[] = {
        0, SMTPP_LENIENT_BARE_LF, SMTPP_LENIENT_SPACE_AFTER_COLON, SMTPP_LENIENT_NO_BRACKETS,
        SMTPP_LENIENT_LOCAL_DOTS, SMTPP_LENIENT_LONG_LOCAL, SMTPP_LENIENT_TRAILING_SPACE,
        SMTPP_ACCEPT_UNKNOWN_PARAMS,
    };
    size_t i, f;
    for (i = 0; i < sizeof lines / sizeof lines[0]; i++)
        for (f = 0; f < sizeof flags / sizeof flags[0]; f++)
            check_all_splits_cmd(flags[f], 0, lines[i], strlen(lines[i]));
}
END_TEST

/* ---- lines near the end of a region ------------------------------------------ */

#if defined(SMTPP_CHECK_FAST_PATHS)
/* The oracle builds count the lines the fast lane takes, and of those the
 * ones it takes near the end of the region (fewer than 63 octets after the
 * line's LF): in place, its scans bounded by the region's end, or from a
 * copy of the region's tail (parser/command_lane.h, "What it reads"); no
 * lane (SMTPP_NO_SIMD, or a CPU without one): no line. */
extern unsigned long smtpp__lane_checked, smtpp__lane_short_lines, smtpp__lane_tail_lines;
/* and the reads whose framing the lane's entry did itself (lane_reframe()),
 * each checked against the general path's search */
extern unsigned long smtpp__reframes_checked;
#  define LANE_COUNTERS 1
#endif

/* The lane's counters around one parse: lanes_take() before it, then
 * lanes_since() leaves what the parse added (all 0 without the counters):
 * lines the lane took, and of those in place (bounded) and from a copy. */
typedef struct lanes {
    unsigned long lane, shrt, tail;
} lanes;

static void lanes_take(lanes *c)
{
#if defined(LANE_COUNTERS)
    c->lane = smtpp__lane_checked;
    c->shrt = smtpp__lane_short_lines;
    c->tail = smtpp__lane_tail_lines;
#else
    c->lane = c->shrt = c->tail = 0;
#endif
}

static void lanes_since(lanes *c)
{
    lanes now;
    lanes_take(&now);
    c->lane = now.lane - c->lane;
    c->shrt = now.shrt - c->shrt;
    c->tail = now.tail - c->tail;
}

/* Every field of *c as numbers, each slice as its offset from base (-1
 * when null) and its length; a slice that is not inside base[0..len)
 * fails the test.  Returns how many numbers. */
static size_t cmd_numbers(const smtpp_command *c, const char *base, size_t len, long long *o)
{
    const smtpp_str *sl[16 + 2 * SMTPP_MAX_PARAMS];
    size_t k = 0, ns = 0, i;
    o[k++] = c->verb;
    o[k++] = c->error;
    o[k++] = c->nparams;
    o[k++] = c->error_offset;
    o[k++] = c->bdat_last;
    o[k++] = c->auth_empty;
    o[k++] = c->bdat_sized;
    o[k++] = c->params_utf8;
    o[k++] = (long long)c->bdat_size;
    o[k++] = c->path.kind;
    o[k++] = c->path.domain_kind;
    o[k++] = c->path.quoted;
    o[k++] = c->path.utf8;
    o[k++] = c->p.present;
    o[k++] = c->p.body;
    o[k++] = c->p.ret;
    o[k++] = c->p.notify;
    o[k++] = c->p.by_mode;
    o[k++] = c->p.by_trace;
    o[k++] = c->p.mt_priority;
    o[k++] = (long long)c->p.size;
    o[k++] = c->p.holdfor;
    o[k++] = c->p.by_time;
    sl[ns++] = &c->line;
    sl[ns++] = &c->arg;
    sl[ns++] = &c->auth_initial;
    sl[ns++] = &c->path.raw;
    sl[ns++] = &c->path.route;
    sl[ns++] = &c->path.mailbox;
    sl[ns++] = &c->path.local;
    sl[ns++] = &c->path.domain;
    sl[ns++] = &c->path.literal;
    sl[ns++] = &c->p.holduntil;
    sl[ns++] = &c->p.envid;
    sl[ns++] = &c->p.auth;
    sl[ns++] = &c->p.orcpt_type;
    sl[ns++] = &c->p.orcpt;
    REQUIRE(c->nparams <= SMTPP_MAX_PARAMS, "%u parameters", (unsigned)c->nparams);
    for (i = 0; i < c->nparams; i++) {
        o[k++] = c->params[i].id;
        sl[ns++] = &c->params[i].keyword;
        sl[ns++] = &c->params[i].value;
    }
    for (i = 0; i < ns; i++) {
        uintptr_t at = (uintptr_t)sl[i]->p, lo = (uintptr_t)base;
        if (!sl[i]->p) {
            o[k++] = -1;
            o[k++] = (long long)sl[i]->n;
            continue;
        }
        REQUIRE(at >= lo && at - lo + sl[i]->n <= len,
                "slice %zu (%p, %zu) outside the region (%p, %zu)", i,
                (const void *)sl[i]->p, sl[i]->n, (const void *)base, len);
        o[k++] = (long long)(at - lo);
        o[k++] = (long long)sl[i]->n;
    }
    return k;
}

#define NUMS (64 + 3 * SMTPP_MAX_PARAMS)

/* One parse of in[0..len), copied to a heap buffer of exactly len octets
 * (what the sanitizers watch), with a fresh parser (hold 0: the framing
 * searches first) or one that has just taken a "NOOP" line before it
 * (hold 1: the parser knows the last line end of the region); every field
 * of the command, by offsets, into o. */
/* pad: 0, or what fills the SMTPP_INPUT_PADDING octets after the region
 * (then flags get SMTPP_INPUT_PADDED): octets of pad & 0xff (0x100:
 * zeros), or with -1 copies of a pipelined line. */
static size_t parse_at_end_pad(unsigned flags, const char *in, size_t len, int hold, int pad,
                               long long *o, size_t *used, unsigned long *lane,
                               unsigned long *shrt, unsigned long *tail)
{
    size_t extra = pad ? SMTPP_INPUT_PADDING : 0;
    char *buf = (char *)malloc(len + 6 + extra);
    const char *at = buf + (hold ? 6 : 0);
    smtpp_parser p;
    smtpp_command c;
    size_t k;
    lanes n;
    smtpp_parser_init(&p, flags | (pad ? SMTPP_INPUT_PADDED : 0));
    memcpy(buf, "NOOP\r\n", 6);
    memcpy(buf + (hold ? 6 : 0), in, len);
    if (pad > 0) {
        memset(buf + (hold ? 6 : 0) + len, pad & 0xff, extra);
    } else if (pad < 0) {
        for (k = 0; k < extra; k++) buf[(hold ? 6 : 0) + len + k] = "RSET\r\n"[k % 6];
    }
    if (hold) {
        memset(&c, 0, sizeof c);
        REQUIRE(smtpp_parse_command(&p, buf, len + 6, &c, used) == SMTPP_DONE && *used == 6 &&
                    c.verb == SMTPP_VERB_NOOP,
                "the NOOP before the region");
    }
    memset(&c, 0, sizeof c);
    lanes_take(&n);
    REQUIRE(smtpp_parse_command(&p, at, len, &c, used) == SMTPP_DONE, "no line in %zu octets",
            len);
    lanes_since(&n);
    *lane = n.lane;
    *shrt = n.shrt;
    *tail = n.tail;
    k = cmd_numbers(&c, at, len, o);
    free(buf);
    return k;
}

static size_t parse_at_end(unsigned flags, const char *in, size_t len, int hold, long long *o,
                           size_t *used, unsigned long *lane, unsigned long *shrt,
                           unsigned long *tail)
{
    return parse_at_end_pad(flags, in, len, hold, 0, o, used, lane, shrt, tail);
}

/* A line that ends near the end of the region (fewer octets after its LF
 * than the fast lane's usual form may read) takes the lane, in place with
 * its scans bounded by the region's end or else from a copy of the
 * region's tail, and gives the same command, field by field and by
 * offsets into the caller's buffer, as in a long region, for every region
 * length from the line's own to 400 octets: with what follows it cut
 * anywhere, with the parser searching for the line end or already knowing
 * one.  A slice left pointing into the copy is outside the region and
 * fails cmd_numbers().  The region is a heap block of its exact size, so
 * a read past it is an ASan error.  In the oracle builds the counters show
 * which lines the lane took, and how: the usual form exactly when 63
 * octets (SMTPP_LANE_AFTER_LF) follow the line's LF, whether the parser
 * found the line end itself or kept it from the line before, else the
 * bounded form or the copy.  With SMTPP_INPUT_PADDED the same, with four
 * fillings of the padding, each line taken by the lane's usual form
 * (neither bounded nor copied). */
START_TEST(test_lane_near_region_end)
{
    static const struct { const char *line; int lane; } lines[] = {
        { "MAIL FROM:<first.last@example.com> SIZE=12345 BODY=8BITMIME\r\n", 1 },
        { "MAIL FROM:<> SIZE=0\r\n", 1 },
        { "mail from:<A@B.C>\r\n", 1 },
        { "MAIL FROM:<a@b> SIZE=1 BODY=BINARYMIME SMTPUTF8 RET=FULL ENVID=QQ314159 "
          "AUTH=e+3Dmc2@example.com\r\n", 1 },
        { "RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE "
          "ORCPT=rfc822;bounces+2B40352631-ed24-john+3Dof.com@do.io\r\n", 1 },
        { "RCPT TO:<a@b> ORCPT=rfc822;" X100 "01234567890123456789012345\r\n", 1 },
        { "RCPT TO:<010001a7c2e48cde-bdb0d9ef-4af8-1950-0bc6-1dae606026a7-000000@out.word.se>\r\n",
          1 },
        { "RCPT TO:<a@[IPv6:2001:db8::1]>\r\n", 1 },
        { "RCPT TO:<a@[192.0.2.1]> NOTIFY=NEVER\r\n", 1 },
        { "RCPT TO:<\xe7\x94\xa8\xe6\x88\xb7@\xe4\xbe\x8b\xe5\xad\x90.\xe5\xb9\xbf\xe5\x91\x8a>\r\n",
          1 },
        { "MAIL FROM:<j\xc3\xb6rg@example.com> SMTPUTF8\r\n", 1 },
        { "RSET\r\n", 1 }, { "QUIT\r\n", 1 }, { "DATA\r\n", 1 }, { "noop\r\n", 1 },
        { "EHLO mx.example.com\r\n", 1 }, { "HELO [192.0.2.1]\r\n", 1 },
        { "EHLO [IPv6:::1]\r\n", 1 },
        /* the general path's, in both regions */
        { "RCPT TO:<\"a b\"@example.com>\r\n", 0 },
        { "RCPT TO:<@relay.example:a@b.example>\r\n", 0 },
        { "RCPT TO:<a@b> FOO=bar\r\n", 0 },
        { "MAIL FROM:<a@b> SIZE=12a\r\n", 0 },
        { "MAIL FROM:<j\xc3\xb6rg@example.com>\r\n", 0 },
        { "VRFY postmaster\r\n", 0 },
        { "AUTH PLAIN dGVzdAB0ZXN0AHRlc3Q=\r\n", 0 },
        { "NOOP x\r\n", 0 },
        { "EHLO a..b\r\n", 0 },
    };
    static const char next[] = "RCPT TO:<next.recipient@example.org> NOTIFY=SUCCESS,FAILURE\r\n"
                               "MAIL FROM:<x@y>\r\nNOOP\r\nDATA\r\n";
    static const unsigned flags[] = { 0, A_UNK | L_TRSP };
    char in[1024];
    size_t i, f, n, len, k, kref, used, uref, fill;
    unsigned long nl, ns, nt;
    long long o[NUMS], ref[NUMS];
    for (f = 0; f < sizeof flags / sizeof flags[0]; f++) {
        for (i = 0; i < sizeof lines / sizeof lines[0]; i++) {
            int hold, lane = 0, pad;
            n = strlen(lines[i].line);
            memcpy(in, lines[i].line, n);
            for (fill = n; fill + sizeof next - 1 <= sizeof in; fill += sizeof next - 1)
                memcpy(in + fill, next, sizeof next - 1);
            ck_assert_uint_ge(fill, n + 400);
            kref = parse_at_end(flags[f], in, n + 400, 0, ref, &uref, &nl, &ns, &nt);
#if defined(LANE_COUNTERS)
            {
                smtpp_parser q;
                smtpp_parser_init(&q, 0);
                lane = q._simd && lines[i].lane;   /* the lane runs here */
            }
#endif
            ck_assert_msg(nl == (unsigned long)lane && ns == 0 && nt == 0,
                          "%s: the lane %s the line in a long region", lines[i].line,
                          lane ? "did not take" : "took");
            ck_assert_uint_eq(uref, n);
            for (len = n; len <= 400; len++) {
                for (hold = 0; hold < 2; hold++) {
                    k = parse_at_end(flags[f], in, len, hold, o, &used, &nl, &ns, &nt);
                    REQUIRE(used == n && k == kref && memcmp(o, ref, k * sizeof o[0]) == 0,
                                  "%s: region of %zu octets (hold %d) differs", lines[i].line,
                                  len, hold);
                    /* (all 0 without the counters) */
                    int on = lane && len >= 16;   /* SMTPP_LANE_MIN */
                    REQUIRE(nl == (unsigned long)on &&
                                  ns + nt == (unsigned long)(on && len < n + 63),
                                  "%s: region of %zu octets (hold %d): lane %lu, bounded %lu, "
                                  "tail %lu", lines[i].line, len, hold, nl, ns, nt);
                }
                /* SMTPP_INPUT_PADDED: the same command whatever the padding
                 * holds, read by the usual form of the lane at every length
                 * (an over-read past the padding is an ASan error) */
                for (pad = 0; pad < 4; pad++) {
                    static const int fills[] = { 0x100, 0xff, '\n', -1 };
                    hold = (int)(len + (size_t)pad) & 1;
                    k = parse_at_end_pad(flags[f], in, len, hold, fills[pad], o, &used, &nl, &ns,
                                         &nt);
                    if (used != n || k != kref || memcmp(o, ref, k * sizeof o[0]) != 0)
                        ck_abort_msg("%s: padded region of %zu octets (fill %d) differs",
                                     lines[i].line, len, fills[pad]);
                    if (nl != (unsigned long)lane || ns != 0 || nt != 0)
                        ck_abort_msg("%s: padded region of %zu octets: lane %lu, bounded %lu, "
                                     "tail %lu", lines[i].line, len, nl, ns, nt);
                }
            }
        }
    }
}
END_TEST

/* A pipelined burst of lines the lane takes, in one region cut at every
 * length (a heap block of exactly that size), parsed line by line: each
 * line gives the fields it gives in a long region, and in the oracle
 * builds takes the lane's usual form exactly when 63 octets
 * (SMTPP_LANE_AFTER_LF) of the region follow its LF, else the bounded
 * form or the copy.  That is the model of "What it reads" in
 * parser/command_lane.h, per line: the framing's search keeps the last
 * line end with that room (_room), and every line up to it has the room.
 * Then the same burst arriving in reads of 1 to 80 octets, each call on
 * its own exact heap block: the same fields, and the usual form never
 * without the room. */
START_TEST(test_lane_room_per_line)
{
    static const char *const burst[] = {
        "EHLO client.example.org\r\n",
        "MAIL FROM:<first.last@example.com> SIZE=12345 BODY=8BITMIME\r\n",
        "RCPT TO:<a@b> ORCPT=rfc822;" X100 "01234567890123456789012345\r\n",
        "RCPT TO:<x@y.example>\r\n",
        "RSET\r\n",
        "MAIL FROM:<> SIZE=0\r\n",
        "RCPT TO:<010001a7c2e48cde-bdb0d9ef-4af8-1950-0bc6-1dae606026a7-000000@out.word.se>\r\n",
        "RCPT TO:<a@b> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bounces+2B40@do.io\r\n",
        "DATA\r\n",
        ("MAIL FROM:<a@b> SIZE=1 BODY=BINARYMIME SMTPUTF8 RET=FULL ENVID=QQ314159 "
         "AUTH=e+3Dmc2@example.com\r\n"),
        "RCPT TO:<a@[IPv6:2001:db8::1]>\r\n",
        "RCPT TO:<o'brien!x#y$z%w&v*u?t^s`r{q|p}o~n@example.com>\r\n",
        "NOOP\r\n",
        "QUIT\r\n",
    };
    enum { NL = sizeof burst / sizeof burst[0] };
    char in[2048];
    size_t ends[NL], ref_k[NL], total = 0, i, len, step;
    static long long ref[NL][NUMS];
    long long o[NUMS];
    int lane = 0;
#if defined(LANE_COUNTERS)
    unsigned long reframes;
#endif
    for (i = 0; i < NL; i++) {
        size_t n = strlen(burst[i]);
        memcpy(in + total, burst[i], n);
        total += n;
        ends[i] = total;
    }
#if defined(LANE_COUNTERS)
    {
        smtpp_parser q;
        smtpp_parser_init(&q, 0);
        lane = q._simd != 0;
    }
#endif
    /* the reference: every line in a long region */
    {
        char *r = (char *)malloc(total + 400);
        smtpp_parser p;
        size_t at = 0;
        memcpy(r, in, total);
        for (i = total; i < total + 400; i++) r[i] = "NOOP\r\n"[(i - total) % 6];
        smtpp_parser_init(&p, 0);
        for (i = 0; i < NL; i++) {
            smtpp_command c;
            size_t used;
            memset(&c, 0, sizeof c);   /* fields a verb does not set stay as they were */
            ck_assert_int_eq(smtpp_parse_command(&p, r + at, total + 400 - at, &c, &used),
                             SMTPP_DONE);
            ck_assert_uint_eq(at + used, ends[i]);
            ck_assert_int_eq(c.error, 0);
            ref_k[i] = cmd_numbers(&c, r + at, total + 400 - at, ref[i]);   /* from the line */
            at += used;
        }
        free(r);
    }
#if defined(LANE_COUNTERS)
    reframes = smtpp__reframes_checked;
#endif
    for (len = 1; len <= total; len++) {
        char *r = (char *)malloc(len);
        smtpp_parser p;
        size_t at = 0;
        memcpy(r, in, len);
        smtpp_parser_init(&p, 0);
        for (i = 0; i < NL; i++) {
            smtpp_command c;
            size_t used, k;
            lanes n;
            int rc;
            lanes_take(&n);
            memset(&c, 0, sizeof c);
            rc = smtpp_parse_command(&p, r + at, len - at, &c, &used);
            if (ends[i] > len) {
                REQUIRE(rc == SMTPP_AGAIN && used == 0, "region %zu: line %zu cut", len, i);
                break;
            }
            REQUIRE(rc == SMTPP_DONE && at + used == ends[i], "region %zu: line %zu", len, i);
            k = cmd_numbers(&c, r + at, len - at, o);
            REQUIRE(k == ref_k[i] && memcmp(o, ref[i], k * sizeof o[0]) == 0,
                    "region %zu: line %zu differs", len, i);
            lanes_since(&n);
            /* the line's LF is at ends[i] - 1; the lane looks at no line
             * with fewer than 16 octets (SMTPP_LANE_MIN) in the region
             * (without the counters, lane is 0 and so are they) */
            REQUIRE(n.lane == (unsigned long)(lane && len - at >= 16) &&
                        n.shrt + n.tail == (unsigned long)(n.lane && ends[i] - 1 + 63 >= len),
                    "region %zu: line %zu (LF at %zu): lane %lu, bounded %lu, tail %lu", len, i,
                    ends[i] - 1, n.lane, n.shrt, n.tail);
            at += used;
        }
        free(r);
    }
#if defined(LANE_COUNTERS)
    /* each region's first call (no hint yet) was framed by the lane's
     * entry, and the oracle found the general path's hints */
    ck_assert_uint_ge(smtpp__reframes_checked - reframes, lane ? total : 0);
#endif
    for (step = 1; step <= 80; step++) {
        smtpp_parser p;
        size_t have = 0, at = 0;
        i = 0;
        smtpp_parser_init(&p, 0);
        while (i < NL) {
            size_t grow = total - have < step ? total - have : step;
            int rc;
            have += grow;
            do {
                smtpp_command c;
                size_t used, k;
                char *r = (char *)malloc(have - at);
                lanes n;
                memcpy(r, in + at, have - at);
                lanes_take(&n);
                memset(&c, 0, sizeof c);
                rc = smtpp_parse_command(&p, r, have - at, &c, &used);
                if (rc == SMTPP_DONE) {
                    REQUIRE(at + used == ends[i], "reads of %zu: line %zu", step, i);
                    k = cmd_numbers(&c, r, have - at, o);
                    REQUIRE(k == ref_k[i] && memcmp(o, ref[i], k * sizeof o[0]) == 0,
                            "reads of %zu: line %zu differs", step, i);
                    lanes_since(&n);
                    REQUIRE(n.lane == (unsigned long)(lane && have - at >= 16) &&
                                (n.shrt + n.tail == n.lane || ends[i] - 1 + 63 < have),
                            "reads of %zu: line %zu: lane %lu, bounded %lu, tail %lu", step, i,
                            n.lane, n.shrt, n.tail);
                    at += used;
                    i++;
                } else {
                    REQUIRE(rc == SMTPP_AGAIN && used == 0, "reads of %zu: line %zu", step, i);
                }
                free(r);
            } while (rc == SMTPP_DONE && i < NL);
        }
    }
}
END_TEST

/* The framing's search of a new read looks at its last 128 octets with
 * vectors (command.re, search_ends()) when at least 128 are new, and
 * with memrchr otherwise.  A pipelined burst of about 330 octets with an
 * LF, a CR or a NUL put at each of its last 200 positions (so a bare LF,
 * a CR before an LF at a window's edge, a CRLF split into CR CR LF),
 * under strict and lenient framing: parsed whole (the vector search) and
 * byte by byte (each read one octet: memrchr), it gives the same lines.
 * The whole parse also sees the last line ends the search noted for the
 * lane (test_lane_room_per_line checks which lines take it). */
START_TEST(test_search_window)
{
    static const char base[] =
        "MAIL FROM:<first.last@example.com> SIZE=12345\r\n"
        "RCPT TO:<a@b.example>\r\nRCPT TO:<c@d.example>\r\nNOOP\r\n"
        "RCPT TO:<010001a7c2e48cde-bdb0d9ef-4af8-1950-0bc6@out.word.se>\r\n"
        "RSET\r\nMAIL FROM:<> SIZE=0\r\nRCPT TO:<x@y.example> NOTIFY=NEVER\r\n"
        "EHLO client.example.org\r\nRCPT TO:<e@f.example>\r\nDATA\r\n"
        "VRFY postmaster\r\nNOOP\r\n";
    static const unsigned flags[] = { 0, SMTPP_LENIENT_BARE_LF };
    static const char put[] = { '\n', '\r', '\0' };
    const size_t n = sizeof base - 1;
    char in[sizeof base], t0[16384], t1[16384];
    size_t *cuts = (size_t *)malloc(n * sizeof *cuts);
    size_t i, f, c, k;
    ck_assert_uint_ge(n, 300);
    for (k = 0; k + 1 < n; k++) cuts[k] = k + 1;
    for (f = 0; f < 2; f++) {
        for (i = n - 200; i < n; i++) {
            for (c = 0; c < sizeof put; c++) {
                dbuf d0 = { t0, 0, sizeof t0 }, d1 = { t1, 0, sizeof t1 };
                memcpy(in, base, n);
                in[i] = put[c];
                feed_cmd(flags[f], 0, in, n, NULL, 0, &d0);
                feed_cmd(flags[f], 0, in, n, cuts, n - 1, &d1);
                REQUIRE(d0.n == d1.n && memcmp(t0, t1, d0.n) == 0,
                        "flags %u, octet %zu = %d: whole\n%s\nbyte by byte\n%s", flags[f], i,
                        put[c], t0, t1);
            }
        }
    }
    free(cuts);
}
END_TEST

/* Bytes 0x00-0xff in each position of a command: every one gives a defined
 * result, the same in one piece and split. */
START_TEST(test_every_byte)
{
    static const char *tmpl[] = {
        "MAIL FROM:<ab@cd.example> SIZE=1\r\n",
        "RCPT TO:<\"ab\"@[1.2.3.4]>\r\n",
        "RCPT TO:<ab@[1.2.3.4]> NOTIFY=NEVER\r\n",
        "RCPT TO:<a\xc3\xa9@\xe4\xbe\x8b.cd>\r\n",
        "EHLO host.example\r\n",
        "EHLO [IPv6:::1]\r\n",
        "AUTH PLAIN Zm9v\r\n",
    };
    size_t t;
    for (t = 0; t < sizeof tmpl / sizeof tmpl[0]; t++) {
        size_t n = strlen(tmpl[t]), pos;
        for (pos = 0; pos + 2 < n; pos++) {
            char line[64];
            int b;
            for (b = 0; b < 256; b += (pos % 3 == 0 ? 1 : 7)) {
                memcpy(line, tmpl[t], n);
                line[pos] = (char)b;
                ck_assert_int_eq(parse_one(0, line, n), b == '\n' ? SMTPP_DONE : SMTPP_DONE);
                check_all_splits_cmd(0, 0, line, n);
            }
        }
    }
}
END_TEST

/* The parser object is small and fixed. */
START_TEST(test_sizes)
{
    ck_assert_uint_le(sizeof(smtpp_parser), 36);
}
END_TEST

/* AUTH lines may be 12288 octets (RFC 4954 4); others stay at 512. */
START_TEST(test_auth_line_limit)
{
    static char buf[13000];
    size_t n, i;
    memcpy(buf, "AUTH PLAI ", 10);
    for (i = 10; i < 12286; i++) buf[i] = 'A';
    buf[12286] = '\r';
    buf[12287] = '\n';
    n = 12288;
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, 0);
    ck_assert_uint_eq(first_cmd.auth_initial.n, 12276);
    /* one more octet: too long, also when it arrives in pieces */
    memmove(buf + 11, buf + 10, n - 10);
    n++;
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_LINE_TOO_LONG);
    ck_assert_uint_eq(first_cmd.error_offset, 12288);
    {
        static char whole[1 << 16], pieces[1 << 16];
        dbuf a = { whole, 0, sizeof whole }, b = { pieces, 0, sizeof pieces };
        size_t cuts[] = { 3, 600, 5000, 12287 };
        feed_cmd(0, 0, buf, n, NULL, 0, &a);
        feed_cmd(0, 0, buf, n, cuts, 4, &b);
        ck_assert_str_eq(a.p, b.p);
    }
    /* longer than the AUTH limit, arriving in pieces: the same report */
    {
        static char big[13500];
        static char whole[1 << 16], pieces[1 << 16];
        dbuf a = { whole, 0, sizeof whole }, b = { pieces, 0, sizeof pieces };
        size_t cuts[] = { 600, 12289, 13000 };
        memcpy(big, "AUTH PLAI ", 10);
        memset(big + 10, 'A', sizeof big - 10);
        big[sizeof big - 2] = '\r';
        big[sizeof big - 1] = '\n';
        feed_cmd(0, 0, big, sizeof big, NULL, 0, &a);
        feed_cmd(0, 0, big, sizeof big, cuts, 3, &b);
        ck_assert_str_eq(a.p, b.p);
        ck_assert(strstr(a.p, "LINE_TOO_LONG at=12288") != NULL);
    }
    /* a NOOP line of the same length is refused */
    memcpy(buf, "NOOP ", 5);
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_LINE_TOO_LONG);
    ck_assert_uint_eq(first_cmd.error_offset, 512);
}
END_TEST

/* Another reader consumed part of the region: after smtpp_parser_reset()
 * the parser finds the next line; a stale hint is never trusted. */
START_TEST(test_reset_after_other_reader)
{
    smtpp_parser p;
    smtpp_command c;
    size_t used;
    char region[64];
    smtpp_parser_init(&p, 0);
    memcpy(region, "DATA\r\nbody\r\n.\r\n", 15);
    ck_assert_int_eq(smtpp_parse_command(&p, region, 15, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.verb, SMTPP_VERB_DATA);
    /* a body reader takes the other 9 bytes; then QUIT arrives */
    memcpy(region, "QUIT\r\n", 6);
    smtpp_parser_reset(&p);
    ck_assert_int_eq(smtpp_parse_command(&p, region, 6, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.verb, SMTPP_VERB_QUIT);
    /* without the reset, a hint that no longer points at an LF is re-checked */
    smtpp_parser_init(&p, 0);
    ck_assert_int_eq(smtpp_parse_command(&p, "RSET\r\nNOOP\r\n", 12, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(smtpp_parse_command(&p, "QUIT\r\n", 6, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.verb, SMTPP_VERB_QUIT);
    ck_assert_uint_eq(used, 6);
    /* without the reset, a stale "searched so far" never makes the parser
     * skip real commands as the tail of an over-long line */
    {
        static char big[2048];
        smtpp_parser_init(&p, 0);
        memset(big, 'x', 400);                  /* a body line the parser saw */
        ck_assert_int_eq(smtpp_parse_command(&p, "DATA\r\n", 6, &c, &used), SMTPP_DONE);
        ck_assert_int_eq(smtpp_parse_command(&p, big, 400, &c, &used), SMTPP_AGAIN);
        /* a body reader took those bytes; the region is now commands */
        memset(big, 0, sizeof big);
        memcpy(big, "RSET\r\n", 6);
        memset(big + 6, 'y', 1200);
        ck_assert_int_eq(smtpp_parse_command(&p, big, 1206, &c, &used), SMTPP_DONE);
        ck_assert_int_eq(c.verb, SMTPP_VERB_RSET);
        ck_assert_int_eq(c.error, 0);
        ck_assert_uint_eq(used, 6);
    }
}
END_TEST

/* RFC 5321 2.3.8: only CRLF ends a command line.  A line with a bare LF is
 * refused once, when its CRLF arrives, and nothing after the LF is taken as
 * a command (a CRLF-framing proxy in front sees the same lines).  Each
 * stream is also checked split at every point, byte by byte and padded. */
typedef struct frame_case {
    unsigned flags;
    const char *in;
    const char *want; /* the results: "VERB:ERROR@offset" each, then "|" and
                         what finish says */
    size_t n;         /* length of in, 0: strlen */
} frame_case;

static void frame_results(unsigned flags, const char *in, size_t n, char *out, size_t cap)
{
    smtpp_parser p;
    smtpp_command c;
    size_t off = 0, used, k = 0;
    smtpp_parser_init(&p, flags);
    out[0] = 0;
    while (smtpp_parse_command(&p, in + off, n - off, &c, &used) == SMTPP_DONE) {
        off += used;
        k += (size_t)snprintf(out + k, cap - k, "%s:%s@%u ", smtpp_verb_name(c.verb),
                              c.error ? smtpp_error_name(c.error) + 8 : "OK", c.error_offset);
        ck_assert_uint_lt(k, cap);
    }
    off += used;
    snprintf(out + k, cap - k, "|%d", smtpp_parser_finish(&p, n - off));
}

START_TEST(test_bare_lf_framing)
{
    static const frame_case cases[] = {
        /* a command hidden after a bare LF is not executed */
        { 0, "NOOP\nRSET\r\n", ":BARE_LF@4 |0", 0 },
        { 0, "NOOP x\nQUIT\r\nNOOP\r\n", ":BARE_LF@6 NOOP:OK@0 |0", 0 },
        { 0, "MAIL FROM:<a@b.example>\nRCPT TO:<c@d.example>\r\n", ":BARE_LF@23 |0", 0 },
        /* whatever else is wrong before the LF, the reply is the bare LF's */
        { 0, "FOO\nRSET\r\n", ":BARE_LF@3 |0", 0 },
        { 0, "RS\0T\nRSET\r\n", ":BARE_LF@4 |0", 11 },
        { 0, "\n\r\n", ":BARE_LF@0 |0", 0 },
        { 0, "\n\n\nQUIT\r\nRSET\r\n", ":BARE_LF@0 RSET:OK@0 |0", 0 },
        { 0, "RSET\r\r\nQUIT\r\n", "RSET:BARE_CR@4 QUIT:OK@0 |0", 0 },
        { 0, "RSET\r\rQUIT\r\n", "RSET:BARE_CR@4 |0", 0 },
        { 0, "RSET\n\rQUIT\r\n", ":BARE_LF@4 |0", 0 },
        { 0, "RSET\r\n\nQUIT\r\n", "RSET:OK@0 :BARE_LF@0 |0", 0 },
        /* an LF-terminated fragment at the end is an incomplete line */
        { 0, "RSET\n", "|1", 0 },
        { 0, "RSET\r\nQUIT\n", "RSET:OK@0 |1", 0 },
        { 0, "RSET\r", "|1", 0 },
        /* the old behaviour, by option: every LF ends a line */
        { L_BLF, "NOOP\nRSET\r\n", "NOOP:OK@0 RSET:OK@0 |0", 0 },
        { L_BLF, "FOO\nRSET\n", ":UNKNOWN_COMMAND@0 RSET:OK@0 |0", 0 },
        { L_BLF, "RSET\r\r\n", "RSET:BARE_CR@4 |0", 0 },
    };
    size_t i;
    for (i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char got[512];
        const char *in = cases[i].in;
        size_t n = cases[i].n ? cases[i].n : strlen(in);
        frame_results(cases[i].flags, in, n, got, sizeof got);
        ck_assert_msg(strcmp(got, cases[i].want) == 0, "#%zu: got [%s], want [%s]", i, got,
                      cases[i].want);
        check_all_splits_cmd(cases[i].flags, 0, in, n);
        check_guard_page_cmd(cases[i].flags, in, n);
    }
    /* the refused line is the whole line up to its CRLF */
    {
        const smtpp_command *c = P(0, "NOOP\nRSET\r\n");
        ck_assert_int_eq(c->error, SMTPP_E_BARE_LF);
        ck_slice(c->line, "NOOP\nRSET");
        ck_assert_int_eq(c->verb, SMTPP_VERB_UNKNOWN);
    }
}
END_TEST

/* The over-long line rule with CRLF framing: a line full of bare LFs and no
 * CRLF is consumed as it arrives and reported once; a CR at the end of one
 * read and the LF at the start of the next end it. */
START_TEST(test_bare_lf_overlong)
{
    static char buf[2048];
    size_t n = 0, i;
    static char got[16384];
    for (i = 0; i < 300; i++) { buf[n++] = 'x'; buf[n++] = '\n'; }
    memcpy(buf + n, "\r\nQUIT\r\n", 8);
    n += 8;
    frame_results(0, buf, n, got, sizeof got);
    ck_assert_str_eq(got, ":LINE_TOO_LONG@512 QUIT:OK@0 |0");
    check_all_splits_cmd(0, 0, buf, n);
    frame_results(L_BLF, buf, n, got, sizeof got);
    ck_assert(strncmp(got, ":UNKNOWN_COMMAND@0 :UNKNOWN_COMMAND@0 ", 38) == 0);
    {   /* skipping: the CR at the end of a read is kept for the LF that follows */
        smtpp_parser p;
        smtpp_command c;
        size_t used;
        char x[600];
        memset(x, 'x', sizeof x);
        x[sizeof x - 1] = '\r';
        smtpp_parser_init(&p, 0);
        ck_assert_int_eq(smtpp_parse_command(&p, x, sizeof x, &c, &used), SMTPP_AGAIN);
        ck_assert_uint_eq(used, sizeof x - 1);
        ck_assert_int_eq(smtpp_parse_command(&p, "\r\nQUIT\r\n", 8, &c, &used), SMTPP_DONE);
        ck_assert_int_eq(c.error, SMTPP_E_LINE_TOO_LONG);
        ck_assert_uint_eq(used, 2);
        /* a bare LF while skipping does not end the line */
        smtpp_parser_init(&p, 0);
        ck_assert_int_eq(smtpp_parse_command(&p, x, sizeof x - 1, &c, &used), SMTPP_AGAIN);
        ck_assert_int_eq(smtpp_parse_command(&p, "\nQUIT\r\n", 7, &c, &used), SMTPP_DONE);
        ck_assert_int_eq(c.error, SMTPP_E_LINE_TOO_LONG);
        ck_assert_uint_eq(used, 7);
    }
}
END_TEST

/* A client sending one byte at a time: each call searches only the new
 * byte (the parser remembers how far it looked), bare LFs included, and a
 * CR that ends one read pairs with the LF that starts the next. */
START_TEST(test_bare_lf_incremental)
{
    static char line[400];
    smtpp_parser p;
    smtpp_command c;
    size_t used, k;
    for (k = 0; k < 396; k++) line[k] = (k % 3 == 2) ? '\n' : 'a';
    memcpy(line, "NOOP ", 5);
    line[396] = '\r';
    line[397] = '\n';
    smtpp_parser_init(&p, 0);
    for (k = 1; k < 398; k++) {
        ck_assert_int_eq(smtpp_parse_command(&p, line, k, &c, &used), SMTPP_AGAIN);
        ck_assert_uint_eq(used, 0);
        ck_assert_uint_eq((uint32_t)(p._lf + p._past), k);   /* searched up to here, no further */
    }
    ck_assert_int_eq(smtpp_parse_command(&p, line, 398, &c, &used), SMTPP_DONE);
    ck_assert_int_eq(c.error, SMTPP_E_BARE_LF);
    ck_assert_uint_eq(c.error_offset, 5);
    ck_assert_uint_eq(used, 398);
}
END_TEST

/* RFC 1870, 3030, 6531, 4954 5 and 3461 lengthen MAIL and RCPT lines: the
 * limits come from the configuration (smtpp_parser_configure).  A fully
 * valid 741-octet MAIL line is accepted when the server offers those
 * extensions, and refused without them; other commands keep 512. */
static size_t long_mail_line(char *buf, size_t want)
{
    size_t n, k;
    /* a 215-octet mailbox: 64-octet local part, 150-octet domain */
    n = (size_t)sprintf(buf, "MAIL FROM:<%064d@", 7);
    for (k = 0; k < 150; k++) buf[n++] = (k % 50 == 48) ? '.' : 'd';
    n += (size_t)sprintf(buf + n, "> SIZE=123456 BODY=BINARYMIME SMTPUTF8 RET=HDRS ENVID=");
    for (k = 0; k < 100; k++) buf[n++] = (char)('A' + k % 26);
    n += (size_t)sprintf(buf + n, " AUTH=");
    while (n + 2 + 14 < want) buf[n++] = 'a';
    n += (size_t)sprintf(buf + n, "+40example.org\r\n");
    return n;
}

static smtpp_config all_exts_cfg(void)
{
    smtpp_config cfg;
    smtpp_config_init(&cfg, "mx.test");
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME) |
                SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING) | SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) |
                SMTPP_EXT_BIT(SMTPP_EXT_DSN) | SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    cfg.auth_mechs = SMTPP_AUTH_PLAIN;
    return cfg;
}

START_TEST(test_configured_limits)
{
    static char buf[2048];
    smtpp_config cfg = all_exts_cfg(), none;
    smtpp_parser p;
    size_t n = long_mail_line(buf, 741);
    ck_assert_uint_eq(n, 741);
    /* without the extensions: too long, as before */
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_LINE_TOO_LONG);
    /* the limits the configuration gives */
    smtpp_parser_init(&p, 0);
    ck_assert_uint_eq(p.max_mail_line, 0);
    smtpp_parser_configure(&p, &cfg);
    ck_assert_uint_eq(p.max_mail_line, 512 + 26 + 16 + 10 + 500 + 116);
    ck_assert_uint_eq(p.max_rcpt_line, 512 + 536);
    ck_assert_uint_eq(p.max_line, 512);
    smtpp_config_init(&none, "mx.test");
    none.exts = 0;
    smtpp_parser_init(&p, 0);
    smtpp_parser_configure(&p, &none);
    ck_assert_uint_eq(p.max_mail_line, 0);
    ck_assert_uint_eq(p.max_rcpt_line, 0);
    /* AUTH offered without a mechanism adds nothing; 8BITMIME adds 14 */
    none.exts = SMTPP_EXT_BIT(SMTPP_EXT_AUTH) | SMTPP_EXT_BIT(SMTPP_EXT_8BITMIME);
    smtpp_parser_configure(&p, &none);
    ck_assert_uint_eq(p.max_mail_line, 512 + 14);

    feed_config = &cfg;
    /* with them: accepted, whole, split everywhere and padded */
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_msg(first_cmd.error == 0, "%s at %u", smtpp_error_name(first_cmd.error),
                  first_cmd.error_offset);
    ck_assert_uint_eq(first_cmd.p.envid.n, 100);
    ck_assert_uint_eq(first_cmd.p.size, 123456);
    check_all_splits_cmd(0, 0, buf, n);
    /* a MAIL line over its own limit: refused with that limit, however it
     * arrives */
    n = long_mail_line(buf, 1181);
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_LINE_TOO_LONG);
    ck_assert_uint_eq(first_cmd.error_offset, 1180);
    check_all_splits_cmd(0, 0, buf, n);
    n = long_mail_line(buf, 1180);   /* exactly the limit */
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, 0);
    /* other commands keep 512 */
    n = (size_t)snprintf(buf, sizeof buf, "NOOP %0506d\r\n", 7);
    ck_assert_uint_eq(n, 513);
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_LINE_TOO_LONG);
    ck_assert_uint_eq(first_cmd.error_offset, 512);
    check_all_splits_cmd(0, 0, buf, n);
    /* RCPT: NOTIFY and ORCPT of 500 octets (a 600-octet line) */
    {
        size_t k;
        n = (size_t)sprintf(buf, "RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE,DELAY ORCPT=rfc822;");
        for (k = 0; k < 493; k++) buf[n++] = 'b';
        n += (size_t)sprintf(buf + n, "\r\n");
        ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
        ck_assert_msg(first_cmd.error == 0, "%s", smtpp_error_name(first_cmd.error));
        ck_assert_uint_eq(first_cmd.p.orcpt.n + first_cmd.p.orcpt_type.n + 1, 500);
        check_all_splits_cmd(0, 0, buf, n);
        /* the MAIL limit is not the RCPT limit */
        n = (size_t)sprintf(buf, "RCPT TO:<bob@example.net> X=");
        while (n < 1100) buf[n++] = 'x';
        n += (size_t)sprintf(buf + n, "\r\n");
        ck_assert_int_eq(parse_one(A_UNK, buf, n), SMTPP_DONE);
        ck_assert_int_eq(first_cmd.error, SMTPP_E_LINE_TOO_LONG);
        ck_assert_uint_eq(first_cmd.error_offset, 1048);
        check_all_splits_cmd(A_UNK, 0, buf, n);
    }
    feed_config = NULL;
}
END_TEST

/* Parameter and route grammar (issue 13 item 6): the typed values, and the
 * length limits of RFC 3461 (ENVID 100, ORCPT 500 characters, counted as
 * sent), each also split at every point and padded. */
START_TEST(test_param_grammar)
{
    static char buf[1200];
    smtpp_config cfg = all_exts_cfg();
    const smtpp_command *c;
    size_t n, k;
    c = P(0, "RCPT TO:<a@b.c> NOTIFY=DELAY,DELAY\r\n");
    ck_assert_int_eq(c->error, 0);
    ck_assert_int_eq(c->p.notify, SMTPP_NOTIFY_DELAY);
    c = P(0, "RCPT TO:<a@b.c> NOTIFY=SUCCESS,DELAY,SUCCESS\r\n");
    ck_assert_int_eq(c->p.notify, SMTPP_NOTIFY_SUCCESS | SMTPP_NOTIFY_DELAY);
    c = P(0, "RCPT TO:<a@b.c> ORCPT=a;\r\n");
    ck_assert_int_eq(c->error, 0);
    ck_slice(c->p.orcpt_type, "a");
    ck_slice(c->p.orcpt, "");
    c = P(A_UNK, "RCPT TO:<a@b.c> X=\xc3\xa9 Y=z\r\n");
    ck_assert_int_eq(c->error, 0);
    ck_assert_int_eq(c->params_utf8, 1);
    ck_assert_int_eq(c->path.utf8, 0);
    c = P(A_UNK, "RCPT TO:<a@b.c> X=e\r\n");
    ck_assert_int_eq(c->params_utf8, 0);
    c = P(0, "RCPT TO:<@\xc3\xa9.example,@b.example:a@b.c>\r\n");
    ck_assert_int_eq(c->error, 0);
    ck_assert_int_eq(c->path.utf8, 1);
    ck_slice(c->path.route, "@\xc3\xa9.example,@b.example");
    c = P(0, "RCPT TO:<@a.example:a@b.c>\r\n");
    ck_assert_int_eq(c->path.utf8, 0);
    {   /* the stand-alone validator follows the same rules */
        smtpp_path path;
        ck_assert_int_eq(smtpp_parse_path("<@\xc3\xa9:a@b>", 9, 0, 0, &path), SMTPP_E_UTF8_ADDRESS);
        ck_assert_int_eq(smtpp_parse_path("<@\xc3\xa9:a@b>", 9, 0, 1, &path), SMTPP_E_OK);
    }
    /* ENVID: 100 characters as sent, no more */
    n = (size_t)sprintf(buf, "MAIL FROM:<a@b.c> ENVID=");
    for (k = 0; k < 100; k++) buf[n++] = (char)('A' + k % 26);
    memcpy(buf + n, "\r\n", 2);
    ck_assert_int_eq(parse_one(0, buf, n + 2), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, 0);
    ck_assert_uint_eq(first_cmd.p.envid.n, 100);
    check_all_splits_cmd(0, 0, buf, n + 2);
    buf[n++] = 'Z';
    memcpy(buf + n, "\r\n", 2);
    ck_assert_int_eq(parse_one(0, buf, n + 2), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_PARAM_VALUE);
    ck_assert_uint_eq(first_cmd.error_offset, 18);
    check_all_splits_cmd(0, 0, buf, n + 2);
    /* ENVID of 100 in +HH form still counts as sent: 34 encoded octets
     * are 102 characters */
    n = (size_t)sprintf(buf, "MAIL FROM:<a@b.c> ENVID=");
    for (k = 0; k < 34; k++) n += (size_t)sprintf(buf + n, "+2B");
    memcpy(buf + n, "\r\n", 2);
    ck_assert_int_eq(parse_one(0, buf, n + 2), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_PARAM_VALUE);
    /* ORCPT: the value (addr-type ";" xtext) 500 characters, no more; the
     * line needs the DSN line limit */
    feed_config = &cfg;
    n = (size_t)sprintf(buf, "RCPT TO:<a@b.c> ORCPT=rfc822;");
    for (k = 0; k < 493; k++) buf[n++] = 'o';
    memcpy(buf + n, "\r\n", 2);
    ck_assert_int_eq(parse_one(0, buf, n + 2), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, 0);
    ck_assert_uint_eq(first_cmd.p.orcpt.n, 493);
    check_all_splits_cmd(0, 0, buf, n + 2);
    buf[n++] = 'o';
    memcpy(buf + n, "\r\n", 2);
    ck_assert_int_eq(parse_one(0, buf, n + 2), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_PARAM_VALUE);
    ck_assert_uint_eq(first_cmd.error_offset, 16);
    check_all_splits_cmd(0, 0, buf, n + 2);
    feed_config = NULL;
    /* a 64-octet label in a route, and a route domain of 256 octets */
    n = (size_t)sprintf(buf, "RCPT TO:<@");
    for (k = 0; k < 256; k++) buf[n++] = (k % 50 == 49) ? '.' : 'r';
    n += (size_t)sprintf(buf + n, ":a@b.c>\r\n");
    ck_assert_int_eq(parse_one(0, buf, n), SMTPP_DONE);
    ck_assert_int_eq(first_cmd.error, SMTPP_E_DOMAIN_TOO_LONG);
    ck_assert_uint_eq(first_cmd.error_offset, 10);
    check_all_splits_cmd(0, 0, buf, n);
}
END_TEST

/* ---- the suite ---------------------------------------------------------------- */

static Suite *command_suite(void)
{
    Suite *s = suite_create("command");
    TCase *tc = tcase_create("vectors");
    tcase_set_timeout(tc, 60);
    tcase_add_loop_test(tc, test_vector, 0, (int)NVEC);
    tcase_add_loop_test(tc, test_vector_splits, 0, (int)NVEC);
    tcase_add_loop_test(tc, test_vector_guard_page, 0, (int)NVEC);
    suite_add_tcase(s, tc);
    tc = tcase_create("fields");
    tcase_add_test(tc, test_hello_fields);
    tcase_add_test(tc, test_null_path_vs_postmaster);
    tcase_add_test(tc, test_mailbox_fields);
    tcase_add_test(tc, test_mailbox_windows);
    tcase_add_test(tc, test_params_typed);
    tcase_add_test(tc, test_error_reply_mapping);
    tcase_add_test(tc, test_vocabulary_verbs);
    tcase_add_test(tc, test_vocabulary_params);
    tcase_add_test(tc, test_bdat_auth_fields);
    tcase_add_test(tc, test_decoders);
    tcase_add_test(tc, test_standalone_validators);
    tcase_add_test(tc, test_path_length);
    suite_add_tcase(s, tc);
    tc = tcase_create("stream");
    /* every byte value at every position, each also padded and split:
     * seconds, and more under the sanitizers */
    tcase_set_timeout(tc, 300);
    tcase_add_test(tc, test_line_limit);
    tcase_add_test(tc, test_overlong_not_buffered);
    tcase_add_test(tc, test_pipelined_stream);
    tcase_add_test(tc, test_path_empty_without_one);
    tcase_add_test(tc, test_again_and_finish);
    tcase_add_test(tc, test_every_byte);
    tcase_add_test(tc, test_fast_lane_agrees);
    tcase_add_test(tc, test_lane_near_region_end);
    tcase_add_test(tc, test_lane_room_per_line);
    tcase_add_test(tc, test_search_window);
    tcase_add_test(tc, test_sizes);
    tcase_add_test(tc, test_auth_line_limit);
    tcase_add_test(tc, test_reset_after_other_reader);
    tcase_add_test(tc, test_bare_lf_framing);
    tcase_add_test(tc, test_bare_lf_overlong);
    tcase_add_test(tc, test_bare_lf_incremental);
    tcase_add_test(tc, test_configured_limits);
    tcase_add_test(tc, test_param_grammar);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(command_suite());
    int failed;
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
