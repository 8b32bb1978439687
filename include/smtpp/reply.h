/*
 * smtpp/reply.h - the server side of the wire: replies.
 *
 * Five parts, each usable alone:
 *   1. the reply parser: incremental, zero-copy, multi-line aware
 *      (smtpp_parse_reply, smtpp_reply_next_line);
 *   2. the EHLO/LHLO capability parser (smtpp_ehlo_parse);
 *   3. the reply formatter (smtpp_format_reply, smtpp_format_ehlo);
 *   4. tables of basic reply codes (RFC 5321 4.2) and enhanced status codes
 *      (RFC 3463 and the IANA registry), with lookups both ways;
 *   5. the reply tracker, which pairs each reply with the command it
 *      answers, so a client or a proxy can follow a pipelined session.
 *
 * Nothing here allocates; every object is a plain struct owned by the
 * caller; every string handed back is a slice (smtpp_str, see common.h) of a
 * buffer the caller passed in.
 *
 * Overview (a client reading the server's replies):
 *
 *   smtpp_reply_parser rp;
 *   smtpp_reply_parser_init(&rp, 0);         // strict; 512-octet lines
 *   for (;;) {
 *       smtpp_reply r;
 *       size_t used;
 *       int res = smtpp_parse_reply(&rp, buf + start, end - start, &r, &used);
 *       if (res == SMTPP_AGAIN) { start += used; break; }  // read more
 *       if (r.error) { log(smtpp_reply_error_reason(r.error)); close(); }
 *       else handle(r.code, &r);                // lines: smtpp_reply_next_line
 *       start += used;                          // only after using r's slices
 *   }
 */
#ifndef SMTPP_REPLY_H
#define SMTPP_REPLY_H

#include "common.h"
#include "command.h" /* smtpp_verb; SMTPP_AGAIN and SMTPP_DONE */

#ifdef __cplusplus
extern "C" {
#endif

/* ========================================================================
 * Enhanced status codes (RFC 3463)
 * ======================================================================== */

/* class.subject.detail.  The field is called `cls` so that the header stays
 * valid C++.  cls == 0 means "absent": a real code has class 2, 4 or 5. */
typedef struct smtpp_enhanced {
    uint16_t cls;      /* 2 success, 4 persistent transient, 5 permanent */
    uint16_t subject;  /* 0 .. 999 */
    uint16_t detail;   /* 0 .. 999 */
} smtpp_enhanced;

/* Longest "5.999.999" plus a NUL. */
#define SMTPP_ENHANCED_MAX 10

/* Parses an enhanced code at the start of s[0..n).  Syntax (RFC 3463 2):
 * class "." subject "." detail, class one of 2 4 5, subject and detail one
 * to three digits written without leading zeros ("0" is fine, "01" is not).
 * Returns the number of bytes the code spans (5..9) and fills *out, or 0
 * when s does not start with a valid code (*out is then zeroed).  It does
 * not look at what follows the code: check that yourself when the code must
 * be the whole string. */
SMTPP_API size_t smtpp_enhanced_parse(const char *s, size_t n, smtpp_enhanced *out);

/* Writes "c.s.d" and a NUL into dst (cap >= SMTPP_ENHANCED_MAX always
 * suffices).  Returns the length without the NUL, like snprintf: when the
 * result is >= cap the output was cut (but still NUL-terminated if cap > 0).
 * Returns -1 (writing nothing) when e is not a valid code. */
SMTPP_API int smtpp_enhanced_format(smtpp_enhanced e, char *dst, size_t cap);

/* 1 when e is a valid code (class 2/4/5, fields <= 999), else 0. */
SMTPP_API int smtpp_enhanced_valid(smtpp_enhanced e);

/* ========================================================================
 * Basic reply codes (RFC 5321 4.2.2, 4.2.3; RFC 4954; RFC 7504)
 * ======================================================================== *
 * One row per code: enum name, code, meaning.  The enum smtpp_reply_code
 * (SMTPP_R_OK == 250 ...) is generated from it.  The meanings paraphrase
 * RFC 5321 4.2.2 and are fit to be sent as reply text. */
#define SMTPP_REPLY_CODE_MAP(X)                                                         \
    X(SYSTEM_STATUS,        211, "System status, or system help reply")                 \
    X(HELP,                 214, "Help message")                                        \
    X(READY,                220, "Service ready")                                       \
    X(CLOSING,              221, "Service closing transmission channel")                \
    X(AUTH_OK,              235, "Authentication succeeded")                            \
    X(OK,                   250, "Requested mail action okay, completed")               \
    X(WILL_FORWARD,         251, "User not local; will forward")                        \
    X(CANNOT_VRFY,          252, "Cannot verify the user, but will accept the message and attempt delivery") \
    X(AUTH_CHALLENGE,       334, "Authentication challenge (server challenge follows)") \
    X(START_INPUT,          354, "Start mail input; end with <CRLF>.<CRLF>")            \
    X(NOT_AVAILABLE,        421, "Service not available, closing transmission channel") \
    X(PASSWORD_TRANSITION,  432, "A password transition is needed")                     \
    X(MAILBOX_BUSY,         450, "Requested mail action not taken: mailbox unavailable") \
    X(LOCAL_ERROR,          451, "Requested action aborted: local error in processing") \
    X(INSUFFICIENT_STORAGE, 452, "Requested action not taken: insufficient system storage") \
    X(TEMP_AUTH_FAILURE,    454, "Temporary authentication failure")                    \
    X(PARAMS_NOT_NOW,       455, "Server unable to accommodate parameters")             \
    X(SYNTAX_ERROR,         500, "Syntax error, command unrecognized")                  \
    X(PARAM_SYNTAX,         501, "Syntax error in parameters or arguments")             \
    X(NOT_IMPLEMENTED,      502, "Command not implemented")                             \
    X(BAD_SEQUENCE,         503, "Bad sequence of commands")                            \
    X(PARAM_NOT_IMPLEMENTED, 504, "Command parameter not implemented")                  \
    X(NO_MAIL_HERE,         521, "Host does not accept mail")                           \
    X(AUTH_REQUIRED,        530, "Authentication required")                             \
    X(AUTH_TOO_WEAK,        534, "Authentication mechanism is too weak")                \
    X(AUTH_INVALID,         535, "Authentication credentials invalid")                  \
    X(ENCRYPTION_REQUIRED,  538, "Encryption required for requested authentication mechanism") \
    X(MAILBOX_UNAVAILABLE,  550, "Requested action not taken: mailbox unavailable")     \
    X(USER_NOT_LOCAL,       551, "User not local; please try the forward-path")         \
    X(EXCEEDED_STORAGE,     552, "Requested mail action aborted: exceeded storage allocation") \
    X(MAILBOX_NAME,         553, "Requested action not taken: mailbox name not allowed") \
    X(TRANSACTION_FAILED,   554, "Transaction failed")                                  \
    X(PARAMS_UNKNOWN,       555, "MAIL FROM/RCPT TO parameters not recognized or not implemented") \
    X(DOMAIN_NO_MAIL,       556, "Domain does not accept mail")

typedef enum smtpp_reply_code {
#define SMTPP_X_(name, code, text) SMTPP_R_##name = code,
    SMTPP_REPLY_CODE_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_R__END = 0 /* not a code */
} smtpp_reply_code;

/* One row of the reply-code table. */
typedef struct smtpp_code_row {
    int code;             /* 211 ... 556 */
    const char *name;     /* "SMTPP_R_OK" */
    const char *text;     /* meaning */
} smtpp_code_row;

/* The meaning of a basic reply code, or NULL when the table lacks it.  The
 * string is static. */
SMTPP_API const char *smtpp_code_text(int code);
/* The row of a code, or NULL. */
SMTPP_API const smtpp_code_row *smtpp_code_lookup(int code);
/* The i-th row (ascending codes), or NULL once i is past the end:
 *   for (i = 0; (row = smtpp_code_at(i)) != NULL; i++) ... */
SMTPP_API const smtpp_code_row *smtpp_code_at(size_t i);

/* ========================================================================
 * The enhanced status code registry
 * ======================================================================== *
 * One row per enumerated code X.subject.detail: enum name, subject, detail,
 * title (the registry's summary) and the defining document.  The enum
 * smtpp_status (SMTPP_ES_BAD_DEST_MAILBOX == 1001, that is subject * 1000 +
 * detail) is generated from it; smtpp_status_make(5, SMTPP_ES_...) turns a
 * row into a code of the class you need.  Rows are only ever appended. */
#define SMTPP_ENHANCED_MAP(X)                                                                 \
    X(OTHER,                  0,  0, "Other undefined status", "RFC 3463")                    \
    X(ADDRESS_OTHER,          1,  0, "Other address status", "RFC 3463")                      \
    X(BAD_DEST_MAILBOX,       1,  1, "Bad destination mailbox address", "RFC 3463")           \
    X(BAD_DEST_SYSTEM,        1,  2, "Bad destination system address", "RFC 3463")           \
    X(BAD_DEST_SYNTAX,        1,  3, "Bad destination mailbox address syntax", "RFC 3463")    \
    X(DEST_AMBIGUOUS,         1,  4, "Destination mailbox address ambiguous", "RFC 3463")     \
    X(DEST_VALID,             1,  5, "Destination address valid", "RFC 3463")                 \
    X(DEST_MOVED,             1,  6, "Destination mailbox has moved, no forwarding address", "RFC 3463") \
    X(BAD_SENDER_SYNTAX,      1,  7, "Bad sender's mailbox address syntax", "RFC 3463")       \
    X(BAD_SENDER_SYSTEM,      1,  8, "Bad sender's system address", "RFC 3463")               \
    X(RELAYED_NONCOMPLIANT,   1,  9, "Message relayed to non-compliant mailer", "RFC 3886")   \
    X(RECIPIENT_NULL_MX,      1, 10, "Recipient address has null MX", "RFC 7505")             \
    X(MAILBOX_OTHER,          2,  0, "Other or undefined mailbox status", "RFC 3463")         \
    X(MAILBOX_DISABLED,       2,  1, "Mailbox disabled, not accepting messages", "RFC 3463")  \
    X(MAILBOX_FULL,           2,  2, "Mailbox full", "RFC 3463")                              \
    X(MESSAGE_TOO_LONG_ADMIN, 2,  3, "Message length exceeds administrative limit", "RFC 3463") \
    X(LIST_EXPANSION,         2,  4, "Mailing list expansion problem", "RFC 3463")            \
    X(SYSTEM_OTHER,           3,  0, "Other or undefined mail system status", "RFC 3463")     \
    X(SYSTEM_FULL,            3,  1, "Mail system full", "RFC 3463")                          \
    X(NOT_ACCEPTING,          3,  2, "System not accepting network messages", "RFC 3463")     \
    X(FEATURE_UNSUPPORTED,    3,  3, "System not capable of selected features", "RFC 3463")   \
    X(MESSAGE_TOO_BIG,        3,  4, "Message too big for system", "RFC 3463")                \
    X(MISCONFIGURED,          3,  5, "System incorrectly configured", "RFC 3463")             \
    X(PRIORITY_CHANGED,       3,  6, "Requested priority was changed", "RFC 6710")            \
    X(NETWORK_OTHER,          4,  0, "Other or undefined network or routing status", "RFC 3463") \
    X(NO_ANSWER,              4,  1, "No answer from host", "RFC 3463")                       \
    X(BAD_CONNECTION,         4,  2, "Bad connection", "RFC 3463")                            \
    X(DIRECTORY_FAILURE,      4,  3, "Directory server failure", "RFC 3463")                  \
    X(UNABLE_TO_ROUTE,        4,  4, "Unable to route", "RFC 3463")                           \
    X(CONGESTION,             4,  5, "Mail system congestion", "RFC 3463")                    \
    X(ROUTING_LOOP,           4,  6, "Routing loop detected", "RFC 3463")                     \
    X(DELIVERY_EXPIRED,       4,  7, "Delivery time expired", "RFC 3463")                     \
    X(PROTOCOL_OTHER,         5,  0, "Other or undefined protocol status", "RFC 3463")        \
    X(INVALID_COMMAND,        5,  1, "Invalid command", "RFC 3463")                           \
    X(SYNTAX_ERROR,           5,  2, "Syntax error", "RFC 3463")                              \
    X(TOO_MANY_RECIPIENTS,    5,  3, "Too many recipients", "RFC 3463")                       \
    X(INVALID_ARGUMENTS,      5,  4, "Invalid command arguments", "RFC 3463")                 \
    X(WRONG_PROTOCOL_VERSION, 5,  5, "Wrong protocol version", "RFC 3463")                    \
    X(AUTH_LINE_TOO_LONG,     5,  6, "Authentication exchange line is too long", "RFC 4954")  \
    X(MEDIA_OTHER,            6,  0, "Other or undefined media error", "RFC 3463")            \
    X(MEDIA_UNSUPPORTED,      6,  1, "Media not supported", "RFC 3463")                       \
    X(CONVERSION_PROHIBITED,  6,  2, "Conversion required and prohibited", "RFC 3463")        \
    X(CONVERSION_UNSUPPORTED, 6,  3, "Conversion required but not supported", "RFC 3463")     \
    X(CONVERSION_LOSSY,       6,  4, "Conversion with loss performed", "RFC 3463")            \
    X(CONVERSION_FAILED,      6,  5, "Conversion failed", "RFC 3463")                         \
    X(CONTENT_UNAVAILABLE,    6,  6, "Message content not available", "RFC 4468")            \
    X(NON_ASCII_ADDRESS,      6,  7, "Non-ASCII addresses not permitted for that sender/recipient", "RFC 6531") \
    X(UTF8_REPLY_REQUIRED,    6,  8, "UTF-8 string reply is required, but not permitted by the SMTP client", "RFC 6531") \
    X(UTF8_HEADER_REJECTED,   6,  9, "UTF-8 header message cannot be transferred to one or more recipients", "RFC 6531") \
    X(UTF8_REPLY_REQUIRED_DUP, 6, 10, "UTF-8 string reply is required (duplicate of X.6.8)", "RFC 6531") \
    X(SECURITY_OTHER,         7,  0, "Other or undefined security status", "RFC 3463")        \
    X(NOT_AUTHORIZED,         7,  1, "Delivery not authorized, message refused", "RFC 3463")  \
    X(LIST_EXPANSION_PROHIBITED, 7, 2, "Mailing list expansion prohibited", "RFC 3463")       \
    X(SECURITY_CONVERSION,    7,  3, "Security conversion required but not possible", "RFC 3463") \
    X(SECURITY_UNSUPPORTED,   7,  4, "Security features not supported", "RFC 3463")           \
    X(CRYPTO_FAILURE,         7,  5, "Cryptographic failure", "RFC 3463")                     \
    X(CRYPTO_UNSUPPORTED,     7,  6, "Cryptographic algorithm not supported", "RFC 3463")     \
    X(INTEGRITY_FAILURE,      7,  7, "Message integrity failure", "RFC 3463")                 \
    X(AUTH_CREDENTIALS_INVALID, 7, 8, "Authentication credentials invalid", "RFC 4954")       \
    X(AUTH_TOO_WEAK,          7,  9, "Authentication mechanism is too weak", "RFC 4954")      \
    X(ENCRYPTION_NEEDED,      7, 10, "Encryption needed", "RFC 5248")                         \
    X(ENCRYPTION_REQUIRED_FOR_MECH, 7, 11, "Encryption required for requested authentication mechanism", "RFC 4954") \
    X(PASSWORD_TRANSITION,    7, 12, "A password transition is needed", "RFC 4954")          \
    X(ACCOUNT_DISABLED,       7, 13, "User account disabled", "RFC 5248")                     \
    X(TRUST_REQUIRED,         7, 14, "Trust relationship required", "RFC 5248")              \
    X(PRIORITY_TOO_LOW,       7, 15, "Priority level is too low", "RFC 6710")                 \
    X(TOO_BIG_FOR_PRIORITY,   7, 16, "Message is too big for the specified priority", "RFC 6710") \
    X(MAILBOX_OWNER_CHANGED,  7, 17, "Mailbox owner has changed", "RFC 7293")                 \
    X(DOMAIN_OWNER_CHANGED,   7, 18, "Domain owner has changed", "RFC 7293")                  \
    X(RRVS_INCOMPLETE,        7, 19, "RRVS test cannot be completed", "RFC 7293")             \
    X(NO_DKIM_PASS,           7, 20, "No passing DKIM signature found", "RFC 7372")           \
    X(NO_DKIM_ACCEPTABLE,     7, 21, "No acceptable DKIM signature found", "RFC 7372")        \
    X(NO_DKIM_AUTHOR_MATCH,   7, 22, "No valid author-matched DKIM signature found", "RFC 7372") \
    X(SPF_FAILED,             7, 23, "SPF validation failed", "RFC 7372")                     \
    X(SPF_ERROR,              7, 24, "SPF validation error", "RFC 7372")                      \
    X(REVERSE_DNS_FAILED,     7, 25, "Reverse DNS validation failed", "RFC 7372")             \
    X(MULTIPLE_AUTH_FAILED,   7, 26, "Multiple authentication checks failed", "RFC 7372")     \
    X(SENDER_NULL_MX,         7, 27, "Sender address has null MX", "RFC 7505")                \
    X(MAIL_FLOOD,             7, 28, "Mail flood detected", "IANA registry")                       \
    X(ARC_FAILED,             7, 29, "ARC validation failure", "RFC 8617")                    \
    X(REQUIRETLS_REQUIRED,    7, 30, "REQUIRETLS support required", "RFC 8689")               \
    /* added in 0.1: append new rows below */

typedef enum smtpp_status {
#define SMTPP_X_(name, subj, det, title, ref) SMTPP_ES_##name = (subj) * 1000 + (det),
    SMTPP_ENHANCED_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_ES__END = -1 /* not a code */
} smtpp_status;

/* One row of the enhanced-code registry. */
typedef struct smtpp_enhanced_row {
    uint16_t subject;
    uint16_t detail;
    const char *name;      /* "SMTPP_ES_BAD_DEST_MAILBOX" */
    const char *title;     /* "Bad destination mailbox address" */
    const char *reference; /* "RFC 3463" */
} smtpp_enhanced_row;

/* The code cls.subject.detail for a table enum value:
 * smtpp_status_make(5, SMTPP_ES_BAD_DEST_MAILBOX) is 5.1.1. */
SMTPP_API smtpp_enhanced smtpp_status_make(int cls, smtpp_status st);
/* The row for subject.detail (the class does not matter), or NULL when the
 * registry has no such code. */
SMTPP_API const smtpp_enhanced_row *smtpp_enhanced_lookup(unsigned subject, unsigned detail);
/* The title of e's row, or NULL. */
SMTPP_API const char *smtpp_enhanced_title(smtpp_enhanced e);
/* The i-th row (ascending subject, detail), or NULL past the end. */
SMTPP_API const smtpp_enhanced_row *smtpp_enhanced_at(size_t i);
/* Meaning of a class (2 "Success", 4 "Persistent transient failure",
 * 5 "Permanent failure") or of a subject (0 .. 7, "Addressing status" ...);
 * NULL for other values. */
SMTPP_API const char *smtpp_enhanced_class_text(unsigned cls);
SMTPP_API const char *smtpp_enhanced_subject_text(unsigned subject);

/* ========================================================================
 * 1. The reply parser
 * ======================================================================== *
 * Grammar (RFC 5321 4.2):
 *   reply  = *( code "-" [ text ] CRLF ) code [ SP text ] CRLF
 *   code   = three digits: 2-5, then 0-5, then 0-9 (RFC 5321 4.2; a
 *            second digit above 5 is SMTPP_RE_CODE_RANGE), the same on
 *            every line
 *   text   = HT, SP, printable ASCII, and octets >= 0x80 (RFC 6531 lets
 *            servers send UTF-8 text; the parser does not validate it)
 * A last line "250 " with SP and empty text is accepted (RFC 5321 wants
 * text after the SP, but deployed servers send it and nothing is lost).
 *
 * Enhanced status codes (RFC 2034, RFC 3463): on a 2xx, 4xx or 5xx reply,
 * a line whose text starts with a token of the shape
 *   [245] "." 1*DIGIT "." 1*DIGIT   followed by SP or the line end
 * may carry one.  When the token is a valid code (subject and detail of
 * one to three digits without a leading zero, RFC 3463 2) whose class is
 * the reply code's first digit, it is the line's enhanced code and is
 * taken out of the line's text (with the SP after it).  Any other token of
 * that shape ("5.01.1", "5.1.1000", "2.0.0" on a 550) is, by default,
 * plain text: it stays in the line's text, the line has no enhanced code,
 * and reply.enhanced_ignored (and the line's smtpp_reply_line
 * .enhanced_ignored) is set.  Such a reply is still a valid RFC 5321 4.2
 * reply, and a client must act on its basic code (RFC 5321 4.2.1): an
 * error would make a client take a permanent 550 for a protocol failure.
 * With SMTPP_REPLY_STRICT_ENHANCED_SYNTAX the token is an error instead:
 * SMTPP_RE_BAD_ENHANCED when malformed, SMTPP_RE_ENHANCED_CLASS when its
 * class differs from the reply code's.  3xx replies (334, 354) never carry
 * one (RFC 2034 puts them on 2xx, 4xx and 5xx replies only): their text is
 * left alone and never sets enhanced_ignored.  RFC 2034 also leaves them
 * out of the greeting and the EHLO reply; the parser cannot tell those
 * apart and treats them like any other reply.
 *
 * RFC 2034 wants the code on every line of a multi-line reply.  Default:
 * when all lines carry the same code it becomes reply.enhanced; when they
 * do not (a line lacks it, or has another one) reply.enhanced is left absent
 * and reply.enhanced_mixed is set, without an error, because the basic code
 * is what a client acts on (RFC 5321 4.2.1) and such replies are seen in
 * the wild.  SMTPP_REPLY_STRICT_ENHANCED makes it SMTPP_RE_ENHANCED_MISMATCH.
 * A line whose token was left as text counts as a line without a code:
 *   "550-5.1.1 a" "550 5.01.1 b"  enhanced absent, enhanced_mixed and
 *                                 enhanced_ignored set (STRICT_ENHANCED:
 *                                 ENHANCED_MISMATCH);
 *   "550-5.01.1 a" "550 5.01.1 b" enhanced absent, enhanced_mixed clear
 *                                 (no line has a code), enhanced_ignored set.
 * Each line's own code is available from smtpp_reply_next_line().
 *
 * The buffer contract is the one of smtpp_parse_command() (command.h):
 * - Pass the whole unconsumed region every call (the bytes not yet reported
 *   as used, then whatever arrived since).  The parser keeps offsets, never
 *   pointers, so the buffer may move or grow between calls; a server that
 *   sends one byte at a time costs O(new bytes) per call.
 * - *used is the number of bytes at the start of the region that the parser
 *   is done with; drop them before the next call.  A reply's lines stay in
 *   the region (used == 0) until the whole reply is there, so the caller
 *   holds at most max_lines * max_line octets of one reply.  *used can be
 *   non-zero with SMTPP_AGAIN while the parser discards the rest of a
 *   broken reply (see Errors).
 * - Every slice in the reply points into the region you passed and lives as
 *   long as those bytes stay where they are.
 * - The sequence of results (replies and errors, every slice's contents,
 *   every number and offset) is the same for every way of splitting one
 *   stream into chunks.
 *
 * Limits:
 * - max_line (default 512, RFC 5321 4.5.3.1.5, counting the CRLF): a longer
 *   line is SMTPP_RE_LINE_TOO_LONG, reported as soon as max_line octets
 *   without LF have arrived; the rest of the line is discarded as it comes,
 *   never buffered.
 * - max_lines (default 100): a reply with more lines is
 *   SMTPP_RE_TOO_MANY_LINES, reported when line max_lines turns out not to
 *   be the last.
 *
 * Errors are per reply, never sticky.  An error is reported once, as soon
 * as the offending line is complete (or, for an over-long line, as soon as
 * the limit is passed).  The parser then discards the rest of the broken
 * reply without reporting it: if the offending line's fourth octet is '-',
 * every following line up to and including the next line whose fourth
 * octet is not '-'.  Those bytes are consumed (*used) with SMTPP_AGAIN.  The
 * next reply after it is parsed normally.  A client should nonetheless
 * close a connection whose server sends broken replies: whether a reply
 * was meant to end there cannot be known.
 */

/* The error table: name, reason.  The enum and smtpp_reply_error_name() and
 * smtpp_reply_error_reason() are generated from it.  Rows are only ever
 * appended. */
#define SMTPP_REPLY_ERROR_MAP(X)                                                        \
    X(OK,                "no error")                                                    \
    X(LINE_TOO_LONG,     "reply line too long")                                         \
    X(BARE_LF,           "reply line ends in a bare LF; CRLF required")                 \
    X(BARE_CR,           "CR not followed by LF in a reply line")                       \
    X(NUL,               "NUL byte in a reply line")                                    \
    X(CONTROL,           "control character in reply text")                             \
    X(BAD_CODE,          "reply line does not start with a three-digit code")           \
    X(CODE_RANGE,        "reply code outside 200-559 (first digit 2-5, second 0-5)")    \
    X(BAD_SEPARATOR,     "reply code not followed by SP, '-' or the line end")          \
    X(CODE_MISMATCH,     "lines of a multi-line reply carry different codes")           \
    X(TOO_MANY_LINES,    "reply has too many lines")                                    \
    X(BAD_ENHANCED,      "malformed enhanced status code")                              \
    X(ENHANCED_CLASS,    "enhanced status code class differs from the reply code")      \
    X(ENHANCED_MISMATCH, "enhanced status code missing or different on a line of a multi-line reply") \
    /* added in 0.1: append new rows below */

typedef enum smtpp_reply_error {
#define SMTPP_X_(name, text) SMTPP_RE_##name,
    SMTPP_REPLY_ERROR_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_RE__COUNT
} smtpp_reply_error;

/* "SMTPP_RE_LINE_TOO_LONG"; "" for values outside the table. */
SMTPP_API const char *smtpp_reply_error_name(smtpp_reply_error e);
/* The static reason of the table; "" for values outside it. */
SMTPP_API const char *smtpp_reply_error_reason(smtpp_reply_error e);

/* Options.  The default (0) is strict, as described above. */
enum smtpp_reply_option {
    /* A bare LF ends a reply line without an error.  Risk: the peer and a
     * proxy in between may split lines differently. */
    SMTPP_REPLY_LENIENT_BARE_LF = 1u << 0,
    /* No longer has an effect (kept so that code using it still builds):
     * what it asked for, a malformed enhanced code or one of another class
     * left in the text, is now the default.  The old default is
     * SMTPP_REPLY_STRICT_ENHANCED_SYNTAX. */
    SMTPP_REPLY_LENIENT_ENHANCED = 1u << 1,
    /* RFC 2034 to the letter: when the first line of a multi-line reply has
     * an enhanced code, every line must have the same one, and when it has
     * none no line may have one; otherwise SMTPP_RE_ENHANCED_MISMATCH. */
    SMTPP_REPLY_STRICT_ENHANCED = 1u << 2,
    /* A token shaped like an enhanced code at the start of a 2xx, 4xx or
     * 5xx line's text must be a valid code of the reply's class:
     * SMTPP_RE_BAD_ENHANCED or SMTPP_RE_ENHANCED_CLASS otherwise (see
     * above; the default leaves it in the text).  For a client that wants
     * to hear of servers that write RFC 3463 codes wrong.  Risk: a valid
     * reply, a 550 for instance, then reaches the caller as an error, not
     * as its code.  (Added in 0.1.) */
    SMTPP_REPLY_STRICT_ENHANCED_SYNTAX = 1u << 3
};

#define SMTPP_REPLY_DEFAULT_MAX_LINE 512
#define SMTPP_REPLY_DEFAULT_MAX_LINES 100

typedef struct smtpp_reply {
    uint16_t code;           /* 200 .. 559.  On an error: the first line's
                                code when it had a valid one, else 0 */
    uint8_t error;           /* smtpp_reply_error; 0 = a good reply */
    uint8_t enhanced_mixed;  /* lines disagree on the enhanced code (see
                                above); reply.enhanced is then absent */
    smtpp_enhanced enhanced; /* the code carried by every line; cls == 0
                                when absent */
    uint32_t nlines;         /* lines in the reply (>= 1).  On an error: the
                                lines before the offending one */
    uint32_t error_line;     /* on an error: index of the offending line */
    uint32_t error_offset;   /* on an error: offset of the offending octet
                                from the start of the reply; for
                                LINE_TOO_LONG the first octet past the
                                limit, for TOO_MANY_LINES the start of the
                                line past the limit */
    smtpp_str raw;           /* every octet of the reply, line ends
                                included.  On an error: the octets consumed
                                up to and including the offending line (up
                                to the limit for an over-long line) */
    smtpp_str first;         /* text of the first line (without the code,
                                separator and enhanced code); for EHLO
                                replies the greeting; present (maybe empty)
                                on a good reply, absent on an error */
    smtpp_str last;          /* text of the last line (== first for a
                                one-line reply) */
    uint8_t enhanced_ignored; /* added in 0.1: on a good reply, a line's
                                text starts with a token shaped like an
                                enhanced code that is not a valid one of
                                the reply's class; it was left in the text
                                (see above) */
    /* private */
    uint32_t _flags;         /* parser options, for smtpp_reply_next_line */
} smtpp_reply;

/* One line of a parsed reply, from smtpp_reply_next_line(). */
typedef struct smtpp_reply_line {
    smtpp_str line;          /* the whole line without its line end */
    smtpp_str text;          /* after the code, the separator and the
                                enhanced code with its SP; present, maybe
                                empty */
    smtpp_enhanced enhanced; /* this line's enhanced code, cls 0 if none */
    uint8_t last;            /* 1 on the reply's last line */
    uint8_t enhanced_ignored; /* added in 0.1: text starts with a token
                                shaped like an enhanced code that is not a
                                valid one of the reply's class (enhanced
                                is then absent) */
} smtpp_reply_line;

typedef struct smtpp_reply_parser {
    uint32_t flags;          /* enum smtpp_reply_option; set at init */
    uint32_t max_line;       /* octets with CRLF; >= 16 (raised if lower) */
    uint32_t max_lines;      /* >= 1 (raised if lower) */
    /* private */
    uint8_t _simd;           /* the CPU's vector unit the lexer may use */
    size_t _scanned;         /* region offset up to which LF was looked for */
    size_t _line;            /* region offset where the current line starts */
    size_t _skip_col;        /* skipping: octets of the current line passed */
    uint32_t _nlines;        /* complete lines of the current reply */
    uint16_t _code;          /* the current reply's code */
    uint8_t _skipping;       /* discarding the rest of a broken reply */
    uint8_t _skip_last;      /* skipping: current line is the last (2: not
                                known yet) */
    uint8_t _mixed;
    uint8_t _ignored;        /* a line's enhanced-code token left as text */
    smtpp_enhanced _enh;     /* first line's enhanced code */
    size_t _first_off, _first_len; /* first line's text, as offsets */
} smtpp_reply_parser;

/* Prepares a parser.  flags: enum smtpp_reply_option bits.  Set max_line
 * and max_lines afterwards, before the first call, to change the limits.
 * Never fails.  It also asks the CPU, once, whether the parser may use its
 * AVX2 fast lane (x86-64); the results are the same either way. */
SMTPP_API void smtpp_reply_parser_init(smtpp_reply_parser *p, unsigned flags);

/* Parses at most one reply from buf[0..len).
 *   Returns SMTPP_DONE when a complete reply (or an error) is reported in
 *   *out; SMTPP_AGAIN when more input is needed (*out is then untouched).
 *   *used: octets to drop from the front of the region, for both results.
 * buf may be NULL when len is 0.  Never reads outside buf[0..len). */
SMTPP_API int smtpp_parse_reply(smtpp_reply_parser *p, const char *buf, size_t len,
                                smtpp_reply *out, size_t *used);

/* End of input.  unconsumed: the octets still in the region.  Returns 1
 * when the stream ended inside a reply (a partial line, lines of an
 * unfinished multi-line reply, or a broken reply being discarded), 0 when
 * it ended between replies.  Resets the parser either way. */
SMTPP_API int smtpp_reply_parser_finish(smtpp_reply_parser *p, size_t unconsumed);

/* Walks the lines of a good reply (r->error == 0) without allocating.
 * Set *pos = 0 first; each call fills *out with the next line and returns
 * 1, or returns 0 after the last line (and for a reply with an error).  The
 * slices point into r->raw.  Example:
 *   size_t pos = 0; smtpp_reply_line l;
 *   while (smtpp_reply_next_line(&r, &pos, &l)) use(l.text); */
SMTPP_API int smtpp_reply_next_line(const smtpp_reply *r, size_t *pos, smtpp_reply_line *out);

/* Splits a space-separated list (AUTH mechanisms, XCLIENT attributes)
 * into words.  Set *pos = 0 first; returns 1 with the next non-empty word
 * in *word, or 0 at the end. */
SMTPP_API int smtpp_next_word(smtpp_str list, size_t *pos, smtpp_str *word);

/* ========================================================================
 * 2. EHLO / LHLO capabilities
 * ======================================================================== */

/* Extensions this library knows, one row each: X(name, keyword)
 *   name     the enum constant's suffix: SMTPP_EXT_<name>; bit
 *            (1u << SMTPP_EXT_<name>) in smtpp_ehlo.exts and
 *            smtpp_config.exts (SMTPP_EXT_BIT)
 *   keyword  the EHLO keyword, what smtpp_ext_name() returns and what
 *            smtpp_ext_lookup() finds (without regard to case)
 * The enum and smtpp_ext_name() are generated from these rows.  Rows are
 * only ever appended (the enum values are ABI; the masks have 32 bits).
 *
 * Adding an extension: append its row; add its re2c rule ('KEYWORD' "\n"
 * { return SMTPP_EXT_<name>; }) to eh_match_ext() in parser/ehlo.re (re2c
 * reads no C macros; test_ehlo's lookup test fails until it is there); if
 * its EHLO line carries parameters, read them in smtpp_ehlo_parse()
 * (parser/ehlo.re) into a field of smtpp_ehlo and write them back in
 * smtpp_format_ehlo() (parser/reply_format.c); give the parameters it
 * offers its name in their SMTPP_PARAM_MAP rows (command.h); add its
 * tests to tests/test_ehlo.c. */
#define SMTPP_EXT_MAP(X)                                                     \
    X(SIZE,                "SIZE")                 /* RFC 1870 */            \
    X(PIPELINING,          "PIPELINING")           /* RFC 2920 */            \
    X(8BITMIME,            "8BITMIME")             /* RFC 6152 */            \
    X(BINARYMIME,          "BINARYMIME")           /* RFC 3030 */            \
    X(CHUNKING,            "CHUNKING")             /* RFC 3030 */            \
    X(DSN,                 "DSN")                  /* RFC 3461 */            \
    X(SMTPUTF8,            "SMTPUTF8")             /* RFC 6531 */            \
    X(ENHANCEDSTATUSCODES, "ENHANCEDSTATUSCODES")  /* RFC 2034 */            \
    X(STARTTLS,            "STARTTLS")             /* RFC 3207 */            \
    X(AUTH,                "AUTH")  /* RFC 4954 (also the old "AUTH=" form) */ \
    X(REQUIRETLS,          "REQUIRETLS")           /* RFC 8689 */            \
    X(MT_PRIORITY,         "MT-PRIORITY")          /* RFC 6710 */            \
    X(FUTURERELEASE,       "FUTURERELEASE")        /* RFC 4865 */            \
    X(DELIVERBY,           "DELIVERBY")            /* RFC 2852 */            \
    X(ETRN,                "ETRN")                 /* RFC 1985 */            \
    X(ATRN,                "ATRN")                 /* RFC 2645 */            \
    X(XCLIENT,             "XCLIENT")              /* Postfix */             \
    X(XFORWARD,            "XFORWARD")             /* Postfix */             \
    X(LIMITS,              "LIMITS")               /* RFC 9422 */            \
    X(VRFY,                "VRFY")                 /* RFC 5321 */            \
    X(EXPN,                "EXPN")                 /* RFC 5321 */            \
    X(HELP,                "HELP")                 /* RFC 5321 */            \
    /* added in 0.1: append new rows below */

typedef enum smtpp_ext {
#define SMTPP_X_(name, keyword) SMTPP_EXT_##name,
    SMTPP_EXT_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_EXT__COUNT
} smtpp_ext;

/* Upper-case keyword of an extension ("MT-PRIORITY"); "" if out of range. */
SMTPP_API const char *smtpp_ext_name(smtpp_ext id);

/* Well-known SASL mechanisms: bits of smtpp_ehlo.auth_mechs. */
enum smtpp_auth_mech {
    SMTPP_AUTH_PLAIN              = 1u << 0,
    SMTPP_AUTH_LOGIN              = 1u << 1,
    SMTPP_AUTH_CRAM_MD5           = 1u << 2,
    SMTPP_AUTH_DIGEST_MD5         = 1u << 3,
    SMTPP_AUTH_XOAUTH2            = 1u << 4,
    SMTPP_AUTH_OAUTHBEARER        = 1u << 5,
    SMTPP_AUTH_SCRAM_SHA_1        = 1u << 6,
    SMTPP_AUTH_SCRAM_SHA_1_PLUS   = 1u << 7,
    SMTPP_AUTH_SCRAM_SHA_256      = 1u << 8,
    SMTPP_AUTH_SCRAM_SHA_256_PLUS = 1u << 9,
    SMTPP_AUTH_EXTERNAL           = 1u << 10,
    SMTPP_AUTH_GSSAPI             = 1u << 11,
    SMTPP_AUTH_ANONYMOUS          = 1u << 12,
    SMTPP_AUTH_NTLM               = 1u << 13,
    SMTPP_AUTH_OTHER              = 1u << 30 /* a mechanism not listed here */
};

/* The bit of a mechanism name (case-insensitive), SMTPP_AUTH_OTHER for a
 * well-formed unknown name, 0 for a malformed one (RFC 4422 3.1: 1 to 20
 * of A-Z 0-9 '-' '_'). */
SMTPP_API uint32_t smtpp_auth_mech_bit(smtpp_str name);

/* What an EHLO or LHLO reply says.  Slices point into the reply's raw bytes
 * and live as long as they do.  A field is meaningful only when its
 * extension's bit is set in exts (SMTPP_EHLO_HAS()). */
typedef struct smtpp_ehlo {
    smtpp_str domain;        /* first word of the first line */
    smtpp_str greet;         /* rest of the first line after the domain and
                                its SP; absent when there is none */
    uint32_t exts;           /* bit (1u << smtpp_ext) per extension seen */
    uint32_t auth_mechs;     /* enum smtpp_auth_mech, from AUTH and AUTH= */
    uint8_t auth_legacy;     /* an "AUTH=mech ..." line was present */
    uint8_t size_given;      /* SIZE carried a number */
    uint8_t futurerelease_given; /* FUTURERELEASE carried both values */
    uint8_t deliverby_given; /* DELIVERBY carried a number */
    uint64_t size;           /* SIZE value; 0 means no fixed limit (RFC 1870) */
    smtpp_str auth;          /* mechanisms of the AUTH line, space-separated
                                (of the AUTH= line if there is no AUTH line) */
    smtpp_str mt_priority;   /* MT-PRIORITY policy ("MIXER", "STANAG4406",
                                "NSEP"); absent when none was given */
    uint32_t futurerelease_interval; /* max-future-release-interval, seconds */
    smtpp_str futurerelease_datetime; /* max-future-release-date-time as sent */
    uint32_t deliverby_min;  /* DELIVERBY min-by-time, seconds */
    smtpp_str xclient;       /* XCLIENT attribute names, space-separated */
    smtpp_str xforward;      /* XFORWARD attribute names */
    smtpp_str limits;        /* LIMITS parameters as sent */
    uint32_t limits_rcptmax; /* RCPTMAX=, 0 when not given */
    uint32_t limits_mailmax; /* MAILMAX=, 0 when not given */
    uint32_t limits_rcptdomainmax; /* RCPTDOMAINMAX=, 0 when not given */
    uint32_t nunknown;       /* lines with a keyword not in smtpp_ext */
    uint32_t nbad;           /* lines ignored, wholly or in part, because
                                malformed: a bad keyword, a bad number */
    /* private */
    smtpp_reply _reply;      /* copy of the reply, for smtpp_ehlo_next() */
} smtpp_ehlo;

#define SMTPP_EHLO_HAS(e, ext) ((((e)->exts) >> (ext)) & 1u)

/* One capability line, from smtpp_ehlo_next(). */
typedef struct smtpp_ehlo_line {
    smtpp_str keyword;       /* as sent ("AUTH"; "AUTH" for "AUTH=...") */
    smtpp_str params;        /* after the keyword and its SP (or '='); absent
                                when there are none */
    int ext;                 /* smtpp_ext, or -1 for an unknown keyword */
    uint8_t legacy;          /* the "AUTH=" form */
    uint8_t bad;             /* the keyword is malformed (not
                                ALPHA / DIGIT *(ALPHA / DIGIT / "-")) */
} smtpp_ehlo_line;

/* Reads the capabilities of a good 250 reply to EHLO or LHLO (RFC 5321
 * 4.1.1.1: the first line is the server's domain and an optional greeting,
 * every further line one "keyword [params]").  Keywords are compared
 * without regard to case.  Returns 0 and fills *out, or -1 when r is not a
 * good 250 reply (then *out is zeroed).  Malformed lines never fail the
 * whole reply: they are counted in out->nbad.  The reply struct is copied,
 * so r itself need not outlive *out; its bytes must. */
SMTPP_API int smtpp_ehlo_parse(const smtpp_reply *r, smtpp_ehlo *out);

/* Walks the capability lines (not the greeting line).  *pos = 0 first;
 * returns 1 with the next line in *out, 0 at the end. */
SMTPP_API int smtpp_ehlo_next(const smtpp_ehlo *e, size_t *pos, smtpp_ehlo_line *out);
/* Same, but only the lines whose keyword is unknown (ext == -1). */
SMTPP_API int smtpp_ehlo_next_unknown(const smtpp_ehlo *e, size_t *pos, smtpp_ehlo_line *out);

/* The extension id of a keyword (case-insensitive), or -1. */
SMTPP_API int smtpp_ext_lookup(smtpp_str keyword);

/* ========================================================================
 * 3. The reply formatter
 * ======================================================================== *
 * smtpp_format_reply() writes one reply: every line "code-", the last
 * "code ", each followed by the enhanced code and SP when one is given,
 * then the text and CRLF.  No line exceeds 512 octets with its CRLF.
 *
 * The text is an array of slices, one per line.  With SMTPP_FMT_SPLIT, LF
 * (or CRLF) inside a slice also starts a new line.  Without it, CR and LF
 * in the text are refused.  Either way CR and LF from the text never reach
 * the output except as the line ends this function writes, so caller text
 * cannot inject a reply line.  NUL, a lone CR (with SPLIT), and other
 * control characters except HT are always refused.  Octets >= 0x80 are
 * copied: send them only to SMTPUTF8 clients (RFC 6531).
 *
 * Long lines are wrapped at spaces (the space at the break is dropped); a
 * single word longer than a line is broken inside the word.  With
 * SMTPP_FMT_NO_WRAP a line that does not fit is refused instead.
 *
 * Wrapping and enhanced codes.  A reply parser takes text that starts with
 * "d.d.d" and SP (or the line end) as the line's enhanced code (section 1).
 * With an enhanced code given, every line starts with it, so wrapped text
 * is never read as one.  Without one (NULL, and on 3xx replies), a line
 * that the wrapping starts never begins with "[245].digits.digits"
 * followed by SP or the line end, well-formed or not: the break moves to
 * an earlier space, or, when no space will do, inside a word, one octet
 * before such a token (never inside a UTF-8 sequence).  So what is
 * formatted parses back with the same enhanced code on every line.  The
 * start of each slice (and, with SPLIT, of each line in it) is the
 * caller's text and is sent as is: "2.0.0 OK" there is read back as that
 * line's enhanced code, which is how a caller may write codes itself (it
 * should then start every slice with one, as RFC 2034 asks for every line;
 * passing `enhanced` does this, wrapped lines included).
 *
 * No text (ntext == 0), or an empty slice, gives a line with no text:
 * "250\r\n" (or "250 2.0.0\r\n" with an enhanced code; "250-\r\n" for a
 * line that is not the last).
 *
 * Returns the length of the whole reply (no NUL is written).  When it is
 * greater than cap, the reply did not fit: call again with a buffer of that
 * size (nothing is written past cap).  Returns a negative smtpp_fmt_error
 * when the input is refused; dst is unspecified then.  dst may be NULL
 * when cap is 0. */
enum smtpp_fmt_option {
    SMTPP_FMT_SPLIT = 1u << 0,   /* LF or CRLF in the text starts a line */
    SMTPP_FMT_NO_WRAP = 1u << 1  /* refuse text too long for one line */
};

typedef enum smtpp_fmt_error {
    SMTPP_FMT_E_CODE = -1,       /* not a code of RFC 5321 4.2: first
                                    digit 2-5, second 0-5 */
    SMTPP_FMT_E_ENHANCED = -2,   /* enhanced code malformed, or its class
                                    differs from the code's first digit */
    SMTPP_FMT_E_CHAR = -3,       /* CR, LF, NUL or control char refused */
    SMTPP_FMT_E_TOO_LONG = -4,   /* NO_WRAP and a line does not fit */
    SMTPP_FMT_E_TOO_BIG = -5,    /* result would exceed LONG_MAX / 2 */
    SMTPP_FMT_E_ARG = -6         /* a required argument is missing (the
                                    EHLO domain), or an EHLO line would
                                    read back as an enhanced code */
} smtpp_fmt_error;

/* Longest line the formatter writes, with its CRLF. */
#define SMTPP_FMT_MAX_LINE 512

SMTPP_API long smtpp_format_reply(char *dst, size_t cap, int code, const char *enhanced,
                                  const smtpp_str *text, size_t ntext, unsigned flags);

/* Convenience: one NUL-terminated text (SMTPP_FMT_SPLIT applies if set). */
SMTPP_API long smtpp_format_reply_str(char *dst, size_t cap, int code, const char *enhanced,
                                      const char *text, unsigned flags);

/* Writes an EHLO reply ("250-domain greet", then one line per extension in
 * smtpp_ext order, then the extra lines, the last with "250 ") from the
 * typed fields of *e: domain (required), greet, exts, size/size_given,
 * auth (or, when absent, the names of the auth_mechs bits), mt_priority,
 * futurerelease_*, deliverby_*, xclient, xforward, limits (or, when absent,
 * the limits_* numbers).  extra: further raw capability lines ("PRDR"),
 * each checked like reply text.  Return values as smtpp_format_reply();
 * SMTPP_FMT_E_ARG also when the domain or an extra line starts with what a
 * reply parser reads as an enhanced status code ("[245].digits.digits"
 * then SP or the line end: "4.7.0", "2.0.0 x"): no host name or EHLO
 * keyword has that shape, and such a line would not read back as written
 * (RFC 2034 3 keeps enhanced codes out of the EHLO reply); and when exts
 * has FUTURERELEASE without futurerelease_given or with a date-time that
 * is not one word (the keyword carries both maxima, RFC 4865 3). */
SMTPP_API long smtpp_format_ehlo(char *dst, size_t cap, const smtpp_ehlo *e,
                                 const smtpp_str *extra, size_t nextra);

/* ========================================================================
 * 5. The reply tracker (client and proxy side)
 * ======================================================================== *
 * Replies come back in the order of the commands (RFC 5321, RFC 2920), but
 * not one per command: DATA gets 354 and then a final reply; AUTH gets 334
 * challenges until its final reply; LMTP (RFC 2033) answers DATA, and BDAT
 * LAST, with one reply per accepted recipient; the greeting answers no
 * command.  The tracker keeps the commands sent and not yet fully answered
 * in a ring of SMTPP_TRACKER_CAP entries inside the struct, and tells which
 * command each reply belongs to.
 *
 * Use: smtpp_tracker_command() for each command line the client sends (a
 * line the command parser refused is still a command the server answers:
 * push SMTPP_VERB_UNKNOWN); smtpp_tracker_reply() for each complete reply
 * the server sends, in order.  SASL responses after a 334 and the message
 * after a 354 are not commands: do not push them; smtpp_tracker_expect()
 * says what the client's next line is.
 *
 * STARTTLS needs nothing special: its 220 is its final reply, and the
 * server sends no second greeting after the handshake (RFC 3207), so the
 * next reply answers the next command.
 *
 * LMTP recipients are counted by the tracker itself: each 2xx reply to RCPT
 * since the last MAIL counts.  The count resets when MAIL, RSET, HELO,
 * EHLO or LHLO is answered and after the per-recipient replies.  A caller
 * that knows better (it saw the RCPT replies elsewhere) may set
 * t->recipients before the 354 arrives.
 *
 * Overflow: when SMTPP_TRACKER_CAP commands are outstanding, the next push
 * fails (SMTPP_TRACK_FULL) and t->overflow is set; the command is not
 * recorded, so the replies can no longer be matched reliably.  A proxy
 * avoids this by reading no more client commands while the ring is full:
 * TCP flow control then holds the client back, which pipelining clients
 * must already cope with (RFC 2920). */
#define SMTPP_TRACKER_CAP 64

enum smtpp_track_option {
    SMTPP_TRACK_LMTP = 1u << 0    /* LMTP: per-recipient replies */
};

enum smtpp_track_push_flag {
    SMTPP_TRACK_BDAT_LAST = 1u << 0  /* this BDAT carries LAST */
};

enum smtpp_track_result {
    SMTPP_TRACK_OK = 0,
    SMTPP_TRACK_FULL = -1         /* ring full: command not recorded */
};

/* What a reply is, from smtpp_tracker_reply(). */
typedef enum smtpp_match_kind {
    SMTPP_MATCH_GREETING = 1,     /* the server's greeting (first reply) */
    SMTPP_MATCH_FINAL,            /* the last reply to .verb */
    SMTPP_MATCH_INTERMEDIATE,     /* 334 to AUTH, 354 to DATA: more follows */
    SMTPP_MATCH_RECIPIENT,        /* LMTP: one of the per-recipient replies to
                                     DATA or BDAT LAST (.index, .remaining) */
    SMTPP_MATCH_UNSOLICITED       /* no command was waiting (after the
                                     greeting): a protocol error, or a 421
                                     before closing */
} smtpp_match_kind;

typedef struct smtpp_match {
    uint8_t kind;                 /* smtpp_match_kind */
    uint8_t verb;                 /* the command answered (smtpp_verb);
                                     SMTPP_VERB_UNKNOWN for a greeting or an
                                     unsolicited reply */
    uint32_t index;               /* RECIPIENT: 0-based recipient number */
    uint32_t remaining;           /* RECIPIENT: replies still to come */
    uint64_t tag;                 /* the tag the command was recorded with
                                     (0 for smtpp_tracker_command(), a
                                     greeting or an unsolicited reply) */
} smtpp_match;

/* What the client's next line is. */
typedef enum smtpp_expect {
    SMTPP_EXPECT_COMMAND = 0,     /* a command */
    SMTPP_EXPECT_SASL,            /* an AUTH response (after a 334) */
    SMTPP_EXPECT_MESSAGE          /* message data up to CRLF.CRLF (after 354) */
} smtpp_expect;

typedef struct smtpp_tracker_entry {
    uint8_t verb;                 /* smtpp_verb */
    uint8_t flags;                /* enum smtpp_track_push_flag */
    uint8_t stage;                /* 0, or 1 after an intermediate reply */
    uint32_t left;                /* LMTP per-recipient replies still due */
    uint64_t tag;                 /* the caller's (smtpp_tracker_command_tag) */
} smtpp_tracker_entry;

typedef struct smtpp_tracker {
    uint32_t flags;               /* enum smtpp_track_option; set at init */
    uint8_t greeted;              /* the greeting has been seen */
    uint8_t overflow;             /* a push failed: matching is unreliable */
    uint32_t recipients;          /* LMTP: RCPTs accepted in this transaction */
    /* private */
    uint32_t _head;               /* ring index of the oldest entry */
    uint32_t _count;              /* entries in the ring */
    smtpp_tracker_entry _ring[SMTPP_TRACKER_CAP];
} smtpp_tracker;

/* Prepares a tracker.  flags: enum smtpp_track_option.  Never fails. */
SMTPP_API void smtpp_tracker_init(smtpp_tracker *t, unsigned flags);
/* Records a command the client sent.  flags: enum smtpp_track_push_flag.
 * Returns SMTPP_TRACK_OK or SMTPP_TRACK_FULL. */
SMTPP_API int smtpp_tracker_command(smtpp_tracker *t, smtpp_verb v, unsigned flags);
/* The same with a tag of the caller's (an index, a pointer cast to
 * uintptr_t, "relay this reply" or "drop it"), handed back in
 * smtpp_match.tag with every reply to that command, so that a proxy needs
 * no ring of its own beside the tracker. */
SMTPP_API int smtpp_tracker_command_tag(smtpp_tracker *t, smtpp_verb v, unsigned flags,
                                        uint64_t tag);
/* Matches one complete reply (its code) with what it answers; fills *m and
 * returns m->kind. */
SMTPP_API int smtpp_tracker_reply(smtpp_tracker *t, int code, smtpp_match *m);
/* Commands still waiting for (some of) their replies. */
SMTPP_API size_t smtpp_tracker_pending(const smtpp_tracker *t);
/* What the client's next line is, given the replies seen so far. */
SMTPP_API smtpp_expect smtpp_tracker_expect(const smtpp_tracker *t);

#ifdef __cplusplus
}
#endif
#endif /* SMTPP_REPLY_H */
