/*
 * smtpp/command.h - the client side: an incremental, zero-copy SMTP command
 * parser.
 *
 * Overview
 * --------
 *   smtpp_parser p;
 *   smtpp_parser_init(&p, 0);               // strict RFC 5321; 512-octet lines
 *   smtpp_parser_configure(&p, &cfg);       // longer MAIL/RCPT lines for the
 *                                           // extensions cfg offers (session.h)
 *   for (;;) {
 *       smtpp_command cmd;
 *       size_t used;
 *       int r = smtpp_parse_command(&p, buf + start, end - start, &cmd, &used);
 *       start += used;                      // ALWAYS advance, whatever r is
 *       if (r == SMTPP_AGAIN) break;        // read more bytes, then call again
 *       if (cmd.error) reply(smtpp_error_code(cmd.error), ...);
 *       else handle(&cmd);
 *   }
 *
 * One call parses at most one command line.  Pipelining is nothing more
 * than calling again on the bytes that follow.
 *
 * The buffer contract
 * -------------------
 * - Pass the whole unconsumed region every time: the bytes not yet reported
 *   as used, followed by whatever arrived since.  The parser remembers how far
 *   into that region it has already looked (as an offset, never a pointer), so
 *   a client that sends one byte at a time costs O(new bytes) per call and the
 *   total work is linear in the input size.  If anything else consumes bytes
 *   of the region (a body reader), call smtpp_parser_reset() before the next
 *   command.  You may move or grow the buffer
 *   between calls; only its contents from the start of the region matter.
 * - *used is the number of bytes at the start of the region that belong to
 *   the parser now.  Drop them (or advance past them) before the next call.
 *   *used can be non-zero even when SMTPP_AGAIN is returned: while it skips
 *   the rest of an over-long line the parser consumes bytes without
 *   reporting anything, so an over-long line is never buffered.
 * - Every slice in *cmd points into the region you passed and stays valid as
 *   long as those bytes stay where they are.  Copy what you keep.
 * - The result sequence (commands and errors, with every slice's contents,
 *   every number and every error offset) is the same for every way of
 *   splitting one stream into chunks, for every field a result defines:
 *   a refused line defines verb, error, error_offset and line; a command
 *   every field of *cmd but the typed parameters whose bit is not in
 *   p.present and params[] from nparams on.
 *
 * Errors are per line, never sticky: after an error the next call parses the
 * next line.  An error reports the reply the command deserves
 * (smtpp_error_code(), smtpp_error_enhanced()), a fixed reason
 * (smtpp_error_reason()), and the offset in the line where it was found
 * (cmd->error_offset).
 *
 * Lines
 * -----
 * A command line ends with CRLF, and only there (RFC 5321 2.3.8).  The limit
 * (default 512 octets, counting the CRLF, RFC 5321 4.5.3.1.4) applies to the
 * whole line; a line that starts with "AUTH " may be as long as
 * max_auth_line (12288, RFC 4954 4), and lines that start with "MAIL " or
 * "RCPT " as long as max_mail_line and max_rcpt_line, which
 * smtpp_parser_configure() derives from the extensions offered.
 *   - Longer line: SMTPP_E_LINE_TOO_LONG, reported once when its end arrives;
 *     the excess is consumed as it comes and never buffered.
 *   - A bare LF (an LF without a CR before it) does not end a line: the
 *     line runs on to its CRLF and is refused as one, SMTPP_E_BARE_LF
 *     (500 5.5.2) at its first bare LF, whatever else is wrong with it (a
 *     line over the limit is still SMTPP_E_LINE_TOO_LONG).  Nothing after
 *     the LF is taken as a command, so the parser sees the same lines as
 *     every CRLF-framing proxy or next hop ("NOOP\nRSET\r\n" is one refused
 *     line, never a NOOP and an RSET: command-level SMTP smuggling).  Bytes
 *     ending in an LF but no CRLF are an incomplete line (SMTPP_AGAIN;
 *     smtpp_parser_finish() reports it).  SMTPP_LENIENT_BARE_LF makes every
 *     LF end a line instead.
 *   - CR not followed by LF inside a line: SMTPP_E_BARE_CR (500 5.5.2).  Never
 *     dropped or ignored (a dropped CR lets "a@b\r.org" become "a@b.org").
 *   - NUL in the verb (before the first SP of the line): SMTPP_E_NUL
 *     (500 5.5.2).  After the verb a NUL is an invalid character code like
 *     any other control character (RFC 5321 4.1.2): the 501 error of the
 *     argument it is in (SMTPP_E_SYNTAX, SMTPP_E_PATH_SYNTAX, ...), at its
 *     offset.
 *   - Other control characters (0x01-0x1F, 0x7F except HT where the grammar
 *     allows none) and 8-bit bytes outside a mailbox or a parameter value:
 *     a syntax error of the command (501), or 500 5.5.1 when they are in
 *     the verb (the verb is not recognized).
 *   - Bytes >= 0x80 in a mailbox or parameter value must form well-formed
 *     UTF-8 (RFC 3629: no overlongs, no surrogates, nothing past U+10FFFF);
 *     otherwise SMTPP_E_BAD_UTF8.  See smtpp_path.utf8 for when UTF-8 is
 *     allowed at all.
 */
#ifndef SMTPP_COMMAND_H
#define SMTPP_COMMAND_H

#include "common.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Results of the incremental parsers ---------------------------------- */
enum smtpp_result {
    SMTPP_AGAIN = 0, /* no complete line yet: read more and call again */
    SMTPP_DONE  = 1  /* one line was parsed: look at the output struct */
};

/* ---- Verbs --------------------------------------------------------------- *
 * One row per command this library knows: X(name, keyword, args)
 *   name     the enum constant's suffix: SMTPP_VERB_<name>
 *   keyword  what smtpp_verb_name() returns; the parser matches it without
 *            regard to case
 *   args     the grammar of what follows the keyword, one of
 *              NONE        nothing (lex_noarg in parser/command.re)
 *              DOMAIN      SP Domain or address literal (HELO, EHLO, LHLO)
 *              PATH        SP FROM:/TO: path and ESMTP parameters
 *              CHUNK       SP chunk-size [SP LAST] (BDAT)
 *              MECHANISM   SP mechanism [SP initial-response] (AUTH)
 *              NODE        SP node (ETRN)
 *              DOMAINS     [SP domain *("," domain)] (ATRN)
 *              ATTRS       1*(SP attribute=value) (XCLIENT, XFORWARD)
 *              STRING      SP String [SP SMTPUTF8] (VRFY, EXPN)
 *              OPT_STRING  [SP String] (NOOP, HELP)
 *            lex_line() in parser/command.re dispatches on it.
 * The enum, smtpp_verb_name() and the parser's dispatch on the verb are
 * generated from these rows.  Rows are only ever appended (the enum values
 * are ABI).
 *
 * Adding a verb: append its row; add its re2c rule ('KEYWORD' { c->verb =
 * SMTPP_VERB_<name>; goto args; }) to lex_line() in parser/command.re
 * (re2c reads no C macros, so the rule stays written out; test_command's
 * vocabulary test fails until it is there); if no existing args grammar
 * fits, write its lexer, add ARGS_<args> to enum verb_args and its case to
 * lex_line() (parser/command.re); say in
 * smtpp_session_check() (parser/session.c) what the session does with it;
 * add its tests to tests/test_command.c and tests/test_session.c, and its
 * first four letters to OTHER_VERBS in tests/oracle/limits.mjs (or a rule
 * to the grammar oracle). */
#define SMTPP_VERB_MAP(X)                                                    \
    X(HELO,     "HELO",     DOMAIN)                                          \
    X(EHLO,     "EHLO",     DOMAIN)                                          \
    X(LHLO,     "LHLO",     DOMAIN)     /* LMTP, RFC 2033 */                 \
    X(MAIL,     "MAIL",     PATH)                                            \
    X(RCPT,     "RCPT",     PATH)                                            \
    X(DATA,     "DATA",     NONE)                                            \
    X(BDAT,     "BDAT",     CHUNK)      /* RFC 3030 */                       \
    X(RSET,     "RSET",     NONE)                                            \
    X(NOOP,     "NOOP",     OPT_STRING)                                      \
    X(QUIT,     "QUIT",     NONE)                                            \
    X(VRFY,     "VRFY",     STRING)                                          \
    X(EXPN,     "EXPN",     STRING)                                          \
    X(HELP,     "HELP",     OPT_STRING)                                      \
    X(AUTH,     "AUTH",     MECHANISM)  /* RFC 4954 */                       \
    X(STARTTLS, "STARTTLS", NONE)       /* RFC 3207 */                       \
    X(TURN,     "TURN",     NONE)       /* RFC 821 */                        \
    X(ATRN,     "ATRN",     DOMAINS)    /* RFC 2645 */                       \
    X(ETRN,     "ETRN",     NODE)       /* RFC 1985 */                       \
    X(XCLIENT,  "XCLIENT",  ATTRS)      /* Postfix proxy extension */        \
    X(XFORWARD, "XFORWARD", ATTRS)      /* Postfix proxy extension */        \
    /* added in 0.1: append new rows below */

typedef enum smtpp_verb {
    SMTPP_VERB_UNKNOWN = 0, /* not a command this library knows (500) */
#define SMTPP_X_(name, keyword, args) SMTPP_VERB_##name,
    SMTPP_VERB_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_VERB__COUNT
} smtpp_verb;

/* Upper-case name of a verb ("MAIL"), or "" for SMTPP_VERB_UNKNOWN. */
SMTPP_API const char *smtpp_verb_name(smtpp_verb v);

/* ---- The error table ----------------------------------------------------- *
 * One row per error: name, basic reply code (RFC 5321 4.2.3), enhanced status
 * code (RFC 3463) and a fixed reason.  The enum, smtpp_error_code(),
 * smtpp_error_enhanced(), smtpp_error_name() and smtpp_error_reason() are all
 * generated from this list.  Rows are only ever appended.
 *
 * Rows whose enhanced code is "5.1.3" are address-syntax errors; on MAIL FROM
 * the sender's address is at fault and smtpp_error_enhanced_for() returns
 * "5.1.7" instead (RFC 3463 3.2). */
#define SMTPP_ERROR_MAP(X)                                                              \
    X(OK,                 0, "2.0.0", "no error")                                       \
    /* line level */                                                                     \
    X(LINE_TOO_LONG,    500, "5.5.2", "line too long")                                  \
    X(BARE_LF,          500, "5.5.2", "bare LF in command line; CRLF required")         \
    X(BARE_CR,          500, "5.5.2", "CR not followed by LF")                          \
    X(NUL,              500, "5.5.2", "NUL byte in command verb")                       \
    X(EMPTY_LINE,       500, "5.5.2", "empty command line")                             \
    X(UNKNOWN_COMMAND,  500, "5.5.1", "command not recognized")                         \
    /* argument syntax */                                                                \
    X(SYNTAX,           501, "5.5.4", "syntax error in command arguments")              \
    X(UNEXPECTED_ARG,   501, "5.5.4", "this command takes no argument")                 \
    X(MISSING_ARG,      501, "5.5.4", "argument required")                              \
    X(BAD_DOMAIN,       501, "5.5.4", "invalid domain or address literal")              \
    X(BAD_UTF8,         501, "5.6.7", "malformed UTF-8")                                \
    X(BAD_NUMBER,       501, "5.5.4", "invalid number")                                 \
    X(NUMBER_TOO_LARGE, 501, "5.5.4", "number out of range")                            \
    X(BAD_BASE64,       501, "5.5.2", "invalid base64")                                 \
    /* paths */                                                                          \
    X(PATH_SYNTAX,      501, "5.1.3", "path syntax error")                              \
    X(PATH_NO_BRACKETS, 501, "5.1.3", "path must be enclosed in angle brackets")        \
    X(PATH_TOO_LONG,    501, "5.1.3", "path longer than 256 octets")                    \
    X(LOCAL_TOO_LONG,   501, "5.1.3", "local part longer than 64 octets")               \
    X(LOCAL_SYNTAX,     501, "5.1.3", "invalid local part")                             \
    X(DOMAIN_TOO_LONG,  501, "5.1.3", "domain longer than 255 octets")                  \
    X(LABEL_TOO_LONG,   501, "5.1.3", "domain label longer than 63 octets")             \
    X(DOMAIN_SYNTAX,    501, "5.1.3", "invalid domain")                                 \
    X(ADDRESS_LITERAL,  501, "5.1.3", "invalid address literal")                        \
    X(NULL_PATH_RCPT,   501, "5.1.3", "null path not allowed as recipient")             \
    X(POSTMASTER_MAIL,  501, "5.1.7", "<postmaster> without domain is not a sender")    \
    X(UTF8_ADDRESS,     553, "5.6.7", "non-ASCII address requires SMTPUTF8")            \
    /* ESMTP parameters */                                                               \
    X(PARAM_SYNTAX,     501, "5.5.4", "malformed parameter")                            \
    X(PARAM_DUPLICATE,  501, "5.5.4", "duplicate parameter")                            \
    X(PARAM_VALUE,      501, "5.5.4", "invalid parameter value")                        \
    X(PARAM_TOO_MANY,   501, "5.5.4", "too many parameters")                            \
    X(PARAM_UNKNOWN,    555, "5.5.4", "parameter not recognized")                       \
    X(PARAM_WRONG_VERB, 555, "5.5.4", "parameter not allowed on this command")          \
    X(SIZE_OVERFLOW,    552, "5.3.4", "message size exceeds any limit")                 \
    X(BAD_XTEXT,        501, "5.5.4", "invalid xtext")                                  \
    /* AUTH */                                                                           \
    X(AUTH_MECHANISM,   501, "5.5.4", "invalid SASL mechanism name")                    \
    X(AUTH_CANCELLED,   501, "5.7.0", "authentication cancelled")                       \
    X(XATTR_UNKNOWN,    501, "5.5.4", "unknown XCLIENT/XFORWARD attribute")             \
    /* added in 0.1: append new rows below */

typedef enum smtpp_error {
#define SMTPP_X_(name, code, enh, text) SMTPP_E_##name,
    SMTPP_ERROR_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_E__COUNT
} smtpp_error;

/* The basic reply code (500, 501, 552, 553, 555), or 0 for SMTPP_E_OK. */
SMTPP_API int smtpp_error_code(smtpp_error e);
/* The RFC 3463 enhanced code as a static string ("5.5.2"). */
SMTPP_API const char *smtpp_error_enhanced(smtpp_error e);
/* Same, with the sender-address substitution (5.1.3 -> 5.1.7 on MAIL). */
SMTPP_API const char *smtpp_error_enhanced_for(smtpp_error e, smtpp_verb v);
/* "SMTPP_E_LINE_TOO_LONG" */
SMTPP_API const char *smtpp_error_name(smtpp_error e);
/* A short static English reason, fit for a reply text. */
SMTPP_API const char *smtpp_error_reason(smtpp_error e);

/* ---- Options ------------------------------------------------------------- *
 * The default (0) is strict RFC 5321.  Each flag tolerates exactly one thing
 * that deployed clients send; each has a cost, stated here. */
enum smtpp_option {
    /* Every LF ends a command line, with or without a CR before it, and a
     * line ending in a bare LF is accepted (the default frames lines at
     * CRLF only).  Risk: command-level SMTP smuggling.  A proxy, filter or
     * next hop that frames at CRLF sees one line where you see two: in
     * "NOOP\nRSET\r\n" you execute an RSET it never saw, and a CRLF-only
     * client gets two replies to one line.  Never affects DATA, whose end
     * is always CRLF.CRLF, nor SASL response lines (session.h), which end
     * at CRLF only. */
    SMTPP_LENIENT_BARE_LF = 1u << 0,
    /* "MAIL FROM: <a@b>": spaces between the colon and the path.  Sent by
     * old clients; RFC 5321 forbids it.  Risk: low. */
    SMTPP_LENIENT_SPACE_AFTER_COLON = 1u << 1,
    /* "MAIL FROM:a@b": a path without angle brackets.  Risk: a parameter-
     * less address ending in a space-separated word becomes ambiguous, and
     * "RCPT TO:Postmaster" is accepted as <Postmaster>. */
    SMTPP_LENIENT_NO_BRACKETS = 1u << 2,
    /* Dots where dot-string forbids them in an unquoted local part: trailing
     * ("user.@example.com", HPE iLO), leading, or doubled.  Risk: the address
     * is not valid RFC 5321 and a next hop may refuse it. */
    SMTPP_LENIENT_LOCAL_DOTS = 1u << 3,
    /* Local parts longer than 64 octets (mailing-list VERP addresses).  The
     * 256-octet path limit still holds.  Risk: next hops may refuse them. */
    SMTPP_LENIENT_LONG_LOCAL = 1u << 4,
    /* Spaces or tabs at the end of a command line ("RSET ").  Risk: low. */
    SMTPP_LENIENT_TRAILING_SPACE = 1u << 5,
    /* Not a leniency: MAIL/RCPT parameters with a well-formed keyword this
     * library does not know (XVERP, TRANSID, ...) are returned in params[]
     * with id -1 instead of being refused with SMTPP_E_PARAM_UNKNOWN (555).
     * Use it when the server implements such parameters itself; it must
     * then refuse the ones it does not implement. */
    SMTPP_ACCEPT_UNKNOWN_PARAMS = 1u << 6,
    /* Not a grammar option: a promise about the input, for speed with small
     * reads.  Every region passed to smtpp_parse_command() is followed by
     * at least SMTPP_INPUT_PADDING readable, initialised octets past
     * buf + len (allocate the buffer that much larger than you ever read
     * into, and zero it once; their values never change a result and are
     * never part of one).  The parser's vector lane then reads its fixed
     * windows at every line, also at the last line or two of a read,
     * which it otherwise scans with bounds checks or from a copy
     * (bench/README.md, "Small reads: the lane's reads counted from the
     * line's LF", gives the figures).  The lane reads at most 63 octets
     * past a line's LF today; the padding leaves room for more.  Taken at
     * smtpp_parser_init() (setting or clearing it in p->flags later
     * changes nothing).  Without it nothing past buf + len is ever read.
     * Risk: a buffer without the padding is read out of bounds. */
    SMTPP_INPUT_PADDED = 1u << 7
};

/* The readable octets SMTPP_INPUT_PADDED promises after every region. */
#define SMTPP_INPUT_PADDING 320

/* ---- Paths --------------------------------------------------------------- */
typedef enum smtpp_path_kind {
    SMTPP_PATH_NONE = 0,   /* no path (not MAIL or RCPT, or an error) */
    SMTPP_PATH_NULL,       /* "<>" (MAIL only) */
    SMTPP_PATH_POSTMASTER, /* "<Postmaster>" with no domain (RCPT only) */
    SMTPP_PATH_MAILBOX     /* local@domain */
} smtpp_path_kind;

typedef enum smtpp_domain_kind {
    SMTPP_DOMAIN_NONE = 0,
    SMTPP_DOMAIN_NAME,     /* example.com (or U-labels under SMTPUTF8) */
    SMTPP_DOMAIN_IPV4,     /* [192.0.2.1]; domain holds the brackets */
    SMTPP_DOMAIN_IPV6,     /* [IPv6:2001:db8::1] */
    SMTPP_DOMAIN_GENERAL   /* [tag:content], RFC 5321 4.1.3 */
} smtpp_domain_kind;

typedef struct smtpp_path {
    smtpp_str raw;         /* between "<" and ">", source route included */
    smtpp_str route;       /* "@a,@b" source route without the ':', or absent.
                              Accepted and to be ignored (RFC 5321 4.1.1.3);
                              its domains are checked as every Domain is
                              (labels <= 63, domain <= 255, U-labels) */
    smtpp_str mailbox;     /* local@domain as sent (quotes kept) */
    smtpp_str local;       /* local part verbatim: a quoted string keeps its
                              quotes and backslashes; smtpp_local_decode()
                              gives the decoded form */
    smtpp_str domain;      /* domain or address literal, brackets kept */
    smtpp_str literal;     /* for literals: the address inside the brackets,
                              without "IPv6:" ("2001:db8::1"), or for a
                              general literal the content after "tag:" */
    uint8_t kind;          /* smtpp_path_kind */
    uint8_t domain_kind;   /* smtpp_domain_kind */
    uint8_t quoted;        /* local part is a quoted-string */
    uint8_t utf8;          /* the mailbox or the source route has bytes
                              >= 0x80 (valid UTF-8, U-labels in a route).
                              RFC 6531: allowed on MAIL only with the
                              SMTPUTF8 parameter (the parser enforces this)
                              and on RCPT only inside such a transaction
                              (the session enforces it) */
} smtpp_path;

/* ---- ESMTP parameters ---------------------------------------------------- *
 * One row per MAIL/RCPT parameter this library knows:
 * X(name, keyword, verb, ext, example)
 *   name     the enum constant's suffix: SMTPP_PARAM_<name>
 *   keyword  what smtpp_param_name() returns and what the parser matches
 *            (without regard to case); params[].keyword of a known
 *            parameter is exactly this long
 *   verb     the command it is valid on (SMTPP_VERB_<verb>); on any other
 *            the parser refuses it, SMTPP_E_PARAM_WRONG_VERB (555)
 *   ext      the extension (SMTPP_EXT_<ext>, reply.h) whose EHLO keyword
 *            offers it; the session refuses it (555) when that extension
 *            was not offered (BODY=BINARYMIME needs BINARYMIME instead of
 *            8BITMIME: parser/session.c)
 *   example  a valid value as sent, with its "=" ("" for a parameter that
 *            takes none); the vocabulary test in tests/test_command.c
 *            parses every row's keyword with it
 * The enum, smtpp_param_name(), the keyword lengths, the verb masks and the
 * parameter-to-extension table of the session are generated from these
 * rows (parser/vocab.h).  Rows are only ever appended (the enum values are
 * ABI; `present` has 32 bits).
 *
 * Adding a parameter: append its row; add the typed rule for its value to
 * lex_params() and its keyword to param_lookup() in parser/command.re
 * (re2c reads no C macros, so both rules stay written out; the vocabulary
 * test fails until they agree with the row); if it has a typed value, add
 * the field to smtpp_params below, clear it in params_clear() and compare
 * it in the fast lane's oracle (same_params() in parser/lane_check.c); if it
 * lengthens the longest MAIL/RCPT line, add what it adds to
 * smtpp_parser_configure(); add its tests to tests/test_command.c, and its
 * entry to PARAMS in tests/oracle/limits.mjs (with its ABNF rule in
 * tests/oracle/smtp.abnf, or skip: true), or the grammar oracle takes it
 * for an unknown keyword. */
#define SMTPP_PARAM_MAP(X)                                                        \
    X(SIZE,        "SIZE",        MAIL, SIZE,          "=1000000")  /* RFC 1870 */ \
    X(BODY,        "BODY",        MAIL, 8BITMIME,      "=8BITMIME") /* RFC 6152, 3030 */ \
    X(SMTPUTF8,    "SMTPUTF8",    MAIL, SMTPUTF8,      "")          /* RFC 6531 */ \
    X(RET,         "RET",         MAIL, DSN,           "=HDRS")     /* RFC 3461 */ \
    X(ENVID,       "ENVID",       MAIL, DSN,           "=QQ314159") /* RFC 3461 */ \
    X(AUTH,        "AUTH",        MAIL, AUTH,          "=<>")       /* RFC 4954 */ \
    X(REQUIRETLS,  "REQUIRETLS",  MAIL, REQUIRETLS,    "")          /* RFC 8689 */ \
    X(MT_PRIORITY, "MT-PRIORITY", MAIL, MT_PRIORITY,   "=-3")       /* RFC 6710 */ \
    X(HOLDFOR,     "HOLDFOR",     MAIL, FUTURERELEASE, "=600")      /* RFC 4865 */ \
    X(HOLDUNTIL,   "HOLDUNTIL",   MAIL, FUTURERELEASE, "=2026-12-31T23:59:59Z") /* RFC 4865 */ \
    X(BY,          "BY",          MAIL, DELIVERBY,     "=120;R")    /* RFC 2852 */ \
    X(NOTIFY,      "NOTIFY",      RCPT, DSN,           "=SUCCESS,DELAY") /* RFC 3461 */ \
    X(ORCPT,       "ORCPT",       RCPT, DSN,           "=rfc822;a@b.example") /* RFC 3461 */ \
    /* added in 0.1: append new rows below */

typedef enum smtpp_param_id {
#define SMTPP_X_(name, keyword, verb, ext, example) SMTPP_PARAM_##name,
    SMTPP_PARAM_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_PARAM__COUNT
} smtpp_param_id;

/* Upper-case keyword of a known parameter ("MT-PRIORITY"). */
SMTPP_API const char *smtpp_param_name(smtpp_param_id id);

enum smtpp_body { SMTPP_BODY_NONE = 0, SMTPP_BODY_7BIT, SMTPP_BODY_8BITMIME,
                  SMTPP_BODY_BINARYMIME };
enum smtpp_ret { SMTPP_RET_NONE = 0, SMTPP_RET_FULL, SMTPP_RET_HDRS };
enum smtpp_notify { /* bit set; NEVER is exclusive of the others */
    SMTPP_NOTIFY_NEVER = 1, SMTPP_NOTIFY_SUCCESS = 2,
    SMTPP_NOTIFY_FAILURE = 4, SMTPP_NOTIFY_DELAY = 8 };
enum smtpp_by_mode { SMTPP_BY_NOTIFY = 'N', SMTPP_BY_RETURN = 'R' };

/* Most parameters one command may carry; more is SMTPP_E_PARAM_TOO_MANY. */
#define SMTPP_MAX_PARAMS 16

/* One "keyword[=value]" as sent.  value is absent (p == NULL) without '='. */
typedef struct smtpp_param {
    smtpp_str keyword;
    smtpp_str value;
    int id;                  /* smtpp_param_id, or -1 for an unknown keyword */
} smtpp_param;

/* Typed values of the known parameters.  A field is meaningful only when
 * its bit (1u << smtpp_param_id) is set in `present`. */
typedef struct smtpp_params {
    uint32_t present;
    uint8_t body;            /* enum smtpp_body */
    uint8_t ret;             /* enum smtpp_ret */
    uint8_t notify;          /* enum smtpp_notify bits */
    uint8_t by_mode;         /* enum smtpp_by_mode */
    uint8_t by_trace;        /* BY=...;RT: 1 when 'T' was given */
    int8_t mt_priority;      /* -9 .. 9 */
    uint64_t size;           /* SIZE=, exact; overflow is an error */
    uint32_t holdfor;        /* seconds, 0 .. 999999999 */
    int32_t by_time;         /* BY= seconds, -999999999 .. 999999999; zero or
                                negative only with mode N (RFC 2852 4) */
    smtpp_str holduntil;     /* RFC 3339 date-time as sent (validated) */
    smtpp_str envid;         /* xtext, undecoded: see smtpp_xtext_decode() */
    smtpp_str auth;          /* xtext mailbox or "<>", undecoded */
    smtpp_str orcpt_type;    /* "rfc822" (or other atom) */
    smtpp_str orcpt;         /* xtext address, undecoded */
} smtpp_params;

/* ---- The parsed command -------------------------------------------------- */
typedef struct smtpp_command {
    uint8_t verb;            /* smtpp_verb */
    uint8_t error;           /* smtpp_error; 0 = the line parsed fine */
    uint16_t nparams;        /* entries used in params[] */
    uint32_t error_offset;   /* offset of the offending byte in the line */
    uint8_t bdat_last;       /* BDAT ... LAST */
    uint8_t auth_empty;      /* AUTH mech = : empty initial response */
    uint8_t bdat_sized;      /* BDAT refused (error set) after its size was
                                read: bdat_size is valid and the chunk
                                follows (the rest of the line was wrong) */
    uint8_t params_utf8;     /* RCPT: a parameter value (one the caller
                                implements, SMTPP_ACCEPT_UNKNOWN_PARAMS) has
                                UTF-8, allowed only inside an SMTPUTF8
                                transaction (RFC 6531 3.3; the session
                                checks it).  On MAIL the parser refuses it
                                without the SMTPUTF8 parameter (501 5.5.4) */
    uint64_t bdat_size;      /* BDAT chunk size, exact */
    smtpp_str line;          /* the line without its CRLF (absent when the
                                line was too long) */
    smtpp_str arg;           /* everything after the verb and its space:
                                HELO/EHLO/LHLO domain or address literal,
                                VRFY/EXPN/HELP string, ETRN node, ATRN domain
                                list, AUTH mechanism, NOOP argument */
    smtpp_str auth_initial;  /* AUTH initial response (canonical base64, the
                                bits padding drops being 0, as
                                smtpp_base64_decode() takes; or "="), absent
                                when not given */
    smtpp_path path;         /* MAIL and RCPT.  For HELO/EHLO/LHLO, domain,
                                literal and domain_kind describe the argument
                                (kind stays SMTPP_PATH_NONE).  Every other
                                command leaves it empty: kind NONE, every
                                slice absent */
    smtpp_params p;          /* typed MAIL/RCPT parameters */
    smtpp_param params[SMTPP_MAX_PARAMS]; /* every parameter in order;
                                XCLIENT/XFORWARD attributes too */
} smtpp_command;

/* ---- The parser ---------------------------------------------------------- */
typedef struct smtpp_parser {
    uint32_t flags;          /* enum smtpp_option bits; set at init */
    uint32_t max_line;       /* line limit in octets with CRLF (>= 16) */
    uint32_t max_auth_line;  /* limit for lines starting "AUTH " (RFC 4954 4:
                                an initial response may make them longer) */
    uint32_t max_mail_line;  /* limits for lines starting "MAIL " and */
    uint32_t max_rcpt_line;  /* "RCPT ", when larger than max_line (0: none);
                                smtpp_parser_configure() sets them from the
                                extensions offered */
    /* private */
    uint32_t _past;          /* bytes of the region already searched for LF,
                                less _lf (uint32_t arithmetic) */
    uint32_t _lf;            /* 1 + offset of the last LF known in the region,
                                or 0 when none is known */
    uint32_t _room;          /* _lf minus (1 + offset of the last line end
                                known with 63 octets of the region after
                                it), or _lf when none is known */
    uint8_t _skipping;       /* discarding the rest of an over-long line (0),
                                or which limit it broke */
    uint8_t _simd;           /* the CPU's vector unit the lexer may use */
} smtpp_parser;

/* Default line limit, RFC 5321 4.5.3.1.4. */
#define SMTPP_DEFAULT_MAX_LINE 512
/* Default limit of an AUTH command line and of a SASL response line,
 * RFC 4954 4 (12288 octets). */
#define SMTPP_DEFAULT_MAX_AUTH_LINE 12288

/* Prepares a parser.  flags: enum smtpp_option bits.  max_line is
 * SMTPP_DEFAULT_MAX_LINE, max_auth_line SMTPP_DEFAULT_MAX_AUTH_LINE, and
 * max_mail_line and max_rcpt_line 0 (MAIL and RCPT lines get max_line,
 * until smtpp_parser_configure() says what the extensions offered add);
 * change them before the first call (max_line below 16 counts as 16).
 * Never fails.  It also asks the CPU, once, whether the parser may use
 * its AVX2 fast lane (x86-64); the results are the same either way. */
SMTPP_API void smtpp_parser_init(smtpp_parser *p, unsigned flags);

struct smtpp_config; /* session.h */

/* Sets the parser's line limits from a server configuration (session.h):
 * a MAIL line may be longer by what each extension cfg offers adds to it
 * (SIZE 26 octets, RFC 1870; BODY=8BITMIME 14, BINARYMIME 16, RFC 3030;
 * SMTPUTF8 10, RFC 6531; AUTH= 500, RFC 4954 5; DSN's RET and ENVID 116,
 * RFC 3461; REQUIRETLS 11; MT-PRIORITY 15; FUTURERELEASE 46; DELIVERBY
 * 17), and a RCPT line by DSN's NOTIFY and ORCPT (536).  The additions
 * are to max_line as it is now: set max_line first if you change it.
 * AUTH lines get cfg->auth_line_max when it is set.  Call it after
 * smtpp_parser_init(), before the first command; the other lines keep
 * max_line. */
SMTPP_API void smtpp_parser_configure(smtpp_parser *p, const struct smtpp_config *cfg);

/* Parses at most one command line from buf[0..len).
 *   Returns SMTPP_DONE when a line was complete: *cmd describes it (with
 *   cmd->error set if it was refused).  Returns SMTPP_AGAIN when no line is
 *   complete; *cmd is then untouched.
 *   *used: bytes to drop from the front of the region before the next call,
 *   for both results.
 * buf may be NULL when len is 0.  Never reads outside buf[0..len), but
 * with SMTPP_INPUT_PADDED, where it may read the SMTPP_INPUT_PADDING
 * octets after it. */
SMTPP_API int smtpp_parse_command(smtpp_parser *p, const char *buf, size_t len,
                                  smtpp_command *cmd, size_t *used);

/* Forgets what the parser remembered about the region (how far it searched
 * for line ends).  Call it whenever bytes of the region were consumed by
 * something other than smtpp_parse_command() -- a DATA or BDAT body reader,
 * a SASL response reader, a PROXY header -- before parsing commands again
 * from what follows.  Without it the parser may wait for a line end it
 * believes it has already searched for; it never reads outside the region
 * and never skips a complete line as part of an over-long one either way. */
SMTPP_API void smtpp_parser_reset(smtpp_parser *p);

/* End of input.  unconsumed: the bytes still in the region.  Returns 1 when
 * the stream ended inside a command line (unconsumed > 0, or an over-long
 * line was being skipped): the client closed mid-command, and that line is
 * never a command.  Returns 0 when it ended between lines.  Resets the
 * parser for reuse either way. */
SMTPP_API int smtpp_parser_finish(smtpp_parser *p, size_t unconsumed);

/* ---- Decoders (caller-supplied output, never malloc) ---------------------- *
 * Each returns the decoded length, or -1 when the input is malformed, or
 * -2 when cap is too small (nothing useful is left in dst then).  dst and the
 * source must not overlap.  Output is not NUL-terminated. */

/* xtext (RFC 3461 4): "+HH" with upper-case hex becomes one byte. */
SMTPP_API long smtpp_xtext_decode(smtpp_str src, char *dst, size_t cap);
/* A local part: a quoted-string loses its quotes and backslashes; a
 * dot-string is copied as is. */
SMTPP_API long smtpp_local_decode(smtpp_str local, char *dst, size_t cap);
/* Base64 (RFC 4648, padding required, no whitespace).  "=" alone decodes to
 * the empty string (RFC 4954 initial response). */
SMTPP_API long smtpp_base64_decode(smtpp_str src, char *dst, size_t cap);

/* Stand-alone validators, for paths and domains coming from elsewhere
 * (configuration, XCLIENT attributes).  Return SMTPP_E_OK or the error. */
SMTPP_API smtpp_error smtpp_parse_path(const char *s, size_t n, unsigned flags,
                                       int allow_utf8, smtpp_path *out);
SMTPP_API smtpp_error smtpp_check_domain(const char *s, size_t n, int allow_utf8,
                                         smtpp_domain_kind *kind);

#ifdef __cplusplus
}
#endif
#endif /* SMTPP_COMMAND_H */
