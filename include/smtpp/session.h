/*
 * smtpp/session.h - the server side of a conversation: what each client
 * command deserves, message bodies (DATA and BDAT), AUTH exchanges,
 * pipelining rules, connection limits and the PROXY protocol header.
 *
 * Overview
 * --------
 *   static smtpp_config cfg;                 // shared by all connections
 *   smtpp_config_init(&cfg, "mx.example.org");
 *   cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING);
 *   cfg.max_size = 50u << 20;
 *
 *   smtpp_session s;  smtpp_parser p;        // per connection, 164 bytes
 *   smtpp_session_init(&s, &cfg);  smtpp_parser_init(&p, 0);
 *   smtpp_parser_configure(&p, &cfg);        // MAIL/RCPT line limits from cfg
 *   smtpp_session_greeting(&s, 220, 0, &v);  // send "220 mx.example.org ..."
 *   for (;;) switch (smtpp_session_next(&s)) {
 *   case SMTPP_NEXT_COMMAND:               // one command line
 *       r = smtpp_parse_command(&p, buf, len, &cmd, &used);
 *       if (r == SMTPP_DONE) {
 *           smtpp_session_check(&s, &cmd, used < len ? SMTPP_CHECK_MORE_INPUT : 0, &v);
 *           if (v.action == SMTPP_ACT_REPLY) send(v.code, v.enhanced, v.text);
 *           if (v.action == SMTPP_ACT_DECIDE) {   // MAIL, RCPT, DATA, AUTH ...
 *               code = my_policy(&cmd, v.code);   // usually v.code itself
 *               send(code, ...); smtpp_session_sent(&s, cmd.verb, code);
 *           }
 *           if (v.close) close();
 *       } ...
 *   case SMTPP_NEXT_MESSAGE:               // DATA body or BDAT chunk
 *       r = smtpp_session_data(&s, buf, len, &slice, &used);  // write slice
 *       if (r == SMTPP_DONE) smtpp_session_data_end(&s, &v);  // then reply
 *   case SMTPP_NEXT_SASL:                  // a line after a 334
 *       smtpp_session_auth_line(&s, buf, len, &used, dec, sizeof dec, &resp, &v);
 *   ...
 *   }
 *
 * The session never reads or writes a socket and never allocates.  It is a
 * plain struct of fixed size (sizeof(smtpp_session) == 128 on LP64 targets;
 * with the command parser, 164 bytes per connection).  The configuration is
 * referenced by pointer and must outlive every session that uses it; the
 * session never writes to it.
 *
 * Decisions: library or server
 * ----------------------------
 * smtpp_session_check() looks at one parsed command (a line the parser
 * refused included) and fills an smtpp_verdict:
 *   SMTPP_ACT_REPLY   the protocol itself decides: send v.code, v.enhanced
 *                     and v.text (or your own text), v.count times.  The
 *                     session has already moved to its next state.
 *   SMTPP_ACT_DECIDE  the command is valid here; the embedding server
 *                     decides (policy, mailbox lookup, credentials).  v.code
 *                     is the positive reply it would normally send (250 to
 *                     MAIL/RCPT, 354 to DATA, 334 to AUTH, 252 to VRFY, 220
 *                     to STARTTLS ...).  Send a reply, then report its code
 *                     with smtpp_session_sent(): the state follows what was
 *                     actually answered (a refused RCPT is no recipient; a
 *                     refused MAIL opens no transaction; DATA refused stays
 *                     before DATA).
 *   SMTPP_ACT_BODY    BDAT: the chunk's bytes follow the command whatever
 *                     the reply will be (RFC 3030 2).  Read them with
 *                     smtpp_session_data(), then call smtpp_session_data_end()
 *                     for the verdict of the chunk.  This holds for a BDAT
 *                     line whose size is valid but whose rest is wrong
 *                     ("BDAT 10 LAZT", "BDAT 10  LAST", an extra token, a
 *                     NUL): the chunk is read and discarded, and its reply
 *                     is 501 5.5.4 (BDAT_BAD_ARGS); the session goes on.
 *                     Only a BDAT whose size cannot be read closes
 *                     (BDAT_SYNTAX): its chunk cannot be framed.
 *   SMTPP_ACT_CLOSE   close without a reply: after QUIT (nothing after QUIT
 *                     is processed) or after a bad PROXY header.
 * v.close asks to close the connection after the reply (221, 421, a broken
 * stream).  Replies come out in command order because the caller handles
 * one command at a time: check, reply, sent, next (RFC 2920 3).
 *
 * Several readers, one region: message bytes (smtpp_session_data), SASL
 * lines (smtpp_session_auth_line) and the PROXY header are consumed from
 * the same unconsumed region as command lines.  The command parser
 * remembers offsets into that region, so call smtpp_parser_reset(&p)
 * before the first smtpp_parse_command() after another reader consumed
 * bytes (tests/transcript.h shows the loop).  Without it the parser stays
 * memory-safe and never skips a command, but it may wait for input it
 * already has.
 *
 * One call per command: smtpp_session_check() may not be called again until
 * the reply to a DECIDE verdict has been reported with smtpp_session_sent().
 * Out-of-step calls get the SMTPP_V_MISUSE verdict (421, close) and leave
 * the state alone.
 *
 * Codes chosen where implementations disagree (README.md, "Lenient input:
 * decisions and what peers do", compares the peers):
 *   - MAIL/RCPT parameter of an extension not offered (or offered but not
 *     after HELO): 555 5.5.4, as RFC 5321 4.1.1.11 says and as Postfix and
 *     aiosmtpd do (go-smtp sends 504, OpenSMTPD 503).
 *   - Parameter of another command not implemented (VRFY ... SMTPUTF8 when
 *     SMTPUTF8 is not offered): 504 5.5.4 (RFC 5321 4.2.4).
 *   - AUTH mechanism not offered: 504 5.5.4 (RFC 4954 4).
 *   - Command disabled or not offered (VRFY, EXPN, HELP, ETRN, ATRN, TURN,
 *     XCLIENT, XFORWARD, STARTTLS, AUTH, BDAT without CHUNKING): 502 5.5.1,
 *     as Postfix does (nginx answers 500, go-smtp 502).
 *   - AUTH before TLS when TLS is required for it: 538 5.7.11 (RFC 4954 6).
 *   - DATA/BDAT with recipients tried but none accepted: 554 5.5.1 "no
 *     valid recipients" (Postfix); with none tried: 503 5.5.1 (RFC 5321 3.3
 *     allows both).
 *   - Bare CR or LF in a message, reject policy: 550 5.5.2 after the real
 *     end of data (Postfix smtpd_forbid_bare_newline = reject).
 *   - NUL in a DATA message: passed by default, as Postfix, Exim and
 *     Sendmail do; with SMTPP_CFG_REFUSE_NUL 554 5.6.0 after the real end
 *     of data (RFC 6152 and RFC 2045 exclude NUL from 8bit content).
 *   - BDAT with a valid size and a wrong rest of line: the chunk is read
 *     and refused with 501 5.5.4 (RFC 3030 2 frames it by its size; RFC
 *     5321 3.8 forbids closing without reason).  Postfix answers 521 and
 *     hangs up.
 *   - Text line over the configured limit: 500 5.5.2 after the end of data
 *     (aiosmtpd's choice; RFC 5321 names no code).
 *   - Error and junk-command limits: 421 4.7.0 and close (Postfix, nginx).
 *   - Pipelining violations: 554 5.5.0 and close (Postfix
 *     smtpd_forbid_unauth_pipelining); report only with
 *     SMTPP_CFG_SYNC_REPORT_ONLY, except for STARTTLS (see below).
 *
 * The state machine is drawn in docs/session-state.md.
 */
#ifndef SMTPP_SESSION_H
#define SMTPP_SESSION_H

#include "common.h"
#include "command.h"
#include "reply.h" /* smtpp_ext, smtpp_auth_mech, smtpp_format_* */

#ifdef __cplusplus
extern "C" {
#endif

/* A third result of the incremental calls in this header, next to
 * SMTPP_AGAIN and SMTPP_DONE: a slice was produced and more of the buffer
 * is left; call again at once with the rest. */
#define SMTPP_MORE 2

/* ========================================================================
 * Verdicts
 * ======================================================================== *
 * One row per verdict: name, reply code, enhanced code ("" for none: 3xx
 * replies and the answers to HELO/EHLO carry none, RFC 2034 3), whether
 * the connection must close after the reply, and a default text.  Rows are
 * only ever appended. */
#define SMTPP_VERDICT_MAP(X)                                                                  \
    X(NONE,             0, "",       0, "")                                                   \
    /* positive replies, sent by the library or proposed to the server */                    \
    X(GREETING,       220, "",       0, "Service ready")                                      \
    X(HELLO,          250, "",       0, "Hello")                                              \
    X(OK,             250, "2.0.0",  0, "OK")                                                 \
    X(MAIL_OK,        250, "2.1.0",  0, "Sender OK")                                          \
    X(RCPT_OK,        250, "2.1.5",  0, "Recipient OK")                                       \
    X(START_DATA,     354, "",       0, "End data with <CR><LF>.<CR><LF>")                   \
    X(MESSAGE_OK,     250, "2.0.0",  0, "Message accepted")                                   \
    X(CHUNK_OK,       250, "2.0.0",  0, "Chunk accepted")                                     \
    X(BYE,            221, "2.0.0",  1, "Bye")                                                \
    X(VRFY,           252, "2.0.0",  0, "Cannot VRFY user, but will accept message")          \
    X(HELP,           214, "2.0.0",  0, "See RFC 5321")                                       \
    X(ETRN,           250, "2.0.0",  0, "Queuing started")                                    \
    X(STARTTLS,       220, "2.0.0",  0, "Ready to start TLS")                                 \
    X(AUTH_CHALLENGE, 334, "",       0, "")                                                   \
    X(AUTH_OK,        235, "2.7.0",  0, "Authentication successful")                          \
    X(XCLIENT,        220, "",       0, "Service ready")                                      \
    /* the command line itself: the parser's row gives code and text */                     \
    X(SYNTAX,         500, "5.5.2",  0, "Syntax error")                                       \
    X(UNRECOGNIZED,   500, "5.5.1",  0, "Command not recognized")                             \
    X(LMTP_USE_LHLO,  500, "5.5.1",  0, "This is LMTP: use LHLO")                             \
    X(NOT_IMPLEMENTED, 502, "5.5.1", 0, "Command not implemented")                            \
    X(PARAM_NOT_IMPL, 504, "5.5.4",  0, "Command parameter not implemented")                  \
    X(PARAM_NOT_OFFERED, 555, "5.5.4", 0, "Parameter not offered by this server")            \
    X(AUTH_MECHANISM, 504, "5.5.4",  0, "Authentication mechanism not supported")             \
    /* sequence */                                                                            \
    X(NEED_HELO,      503, "5.5.1",  0, "Send HELO/EHLO first")                               \
    X(NEED_EHLO,      503, "5.5.1",  0, "Send EHLO first")                                    \
    X(NESTED_MAIL,    503, "5.5.1",  0, "Sender already specified")                           \
    X(NEED_MAIL,      503, "5.5.1",  0, "Need MAIL command")                                  \
    X(NEED_RCPT,      503, "5.5.1",  0, "Need RCPT command")                                  \
    X(NO_VALID_RCPT,  554, "5.5.1",  0, "No valid recipients")                                \
    X(IN_TRANSACTION, 503, "5.5.1",  0, "Not allowed during a mail transaction")              \
    X(DATA_AFTER_BDAT, 503, "5.5.1", 0, "DATA and BDAT cannot be mixed")                     \
    X(RCPT_AFTER_BDAT, 503, "5.5.1", 0, "RCPT not allowed after BDAT")                       \
    X(BINARYMIME_DATA, 503, "5.5.1", 0, "BODY=BINARYMIME requires BDAT")                     \
    X(BDAT_FAILED,    503, "5.5.1",  0, "Previous chunk failed; send RSET")                   \
    X(ALREADY_AUTH,   503, "5.5.1",  0, "Already authenticated")                              \
    X(TLS_ACTIVE,     503, "5.5.1",  0, "TLS already active")                                 \
    X(SESSION_REFUSED, 503, "5.5.1", 0, "Service refused; send QUIT")                        \
    /* policy the protocol imposes */                                                         \
    X(AUTH_REQUIRED,  530, "5.7.0",  0, "Authentication required")                            \
    X(TLS_REQUIRED,   530, "5.7.0",  0, "Must issue a STARTTLS command first")                \
    X(AUTH_NEEDS_TLS, 538, "5.7.11", 0, "Encryption required for requested authentication mechanism") \
    X(AUTH_CANCELLED, 501, "5.7.0",  0, "Authentication cancelled")                           \
    X(AUTH_BAD_BASE64, 501, "5.5.2", 0, "Invalid base64 in authentication response")         \
    X(AUTH_LINE_TOO_LONG, 500, "5.5.6", 0, "Authentication exchange line is too long")       \
    X(UTF8_ADDRESS,   553, "5.6.7",  0, "Non-ASCII address requires SMTPUTF8")                \
    X(TOO_MANY_RCPTS, 452, "4.5.3",  0, "Too many recipients")                                \
    X(SIZE_EXCEEDED,  552, "5.3.4",  0, "Message size exceeds fixed maximum message size")    \
    X(BARE_LINE_END,  550, "5.5.2",  0, "Message contains a bare CR or LF")                   \
    X(DATA_LINE_TOO_LONG, 500, "5.5.2", 0, "Message line too long")                          \
    X(BDAT_SYNTAX,    501, "5.5.4",  1, "Bad BDAT chunk size: stream out of sync")            \
    /* connection level */                                                                    \
    X(TOO_MANY_ERRORS, 421, "4.7.0", 1, "Too many errors")                                    \
    X(TOO_MANY_JUNK,  421, "4.7.0",  1, "Too many commands without mail")                     \
    X(PIPELINING,     554, "5.5.0",  1, "Improper use of SMTP command pipelining")            \
    X(EARLY_TALKER,   554, "5.5.0",  1, "Client spoke before the greeting")                   \
    X(EARLY_DATA,     554, "5.5.0",  1, "Message data sent before the 354 reply")             \
    X(STARTTLS_INJECTION, 554, "5.5.0", 1, "Data after STARTTLS before the TLS handshake")    \
    X(PROXY_BAD,        0, "",       1, "Bad PROXY protocol header")                          \
    X(AFTER_QUIT,       0, "",       1, "Nothing is processed after QUIT")                    \
    X(MISUSE,         421, "4.3.0",  1, "Internal error: session out of step")                \
    /* the rows above came with 0.1; added in 0.2: */                                       \
    X(BDAT_BAD_ARGS,  501, "5.5.4",  0, "Syntax error after the BDAT chunk size; chunk discarded") \
    X(NUL_IN_MESSAGE, 554, "5.6.0",  0, "Message contains NUL octets")                       \
    /* for the server's own AUTH decisions (smtpp_sasl_plain()) */                           \
    X(AUTH_FAILED,    535, "5.7.8",  0, "Authentication credentials invalid")                 \
    X(AUTH_MALFORMED, 501, "5.5.2",  0, "Malformed authentication response")                  \
    /* added in 0.3, for a server's own closing replies (RFC 5321 4.5.3.2, 3.8) */         \
    X(TIMEOUT,        421, "4.4.2",  1, "Timeout, closing connection")                        \
    X(TOO_MANY_CONNECTIONS, 421, "4.3.2", 1, "Too many connections, try again later")       \
    /* append new rows below */

typedef enum smtpp_verdict_id {
#define SMTPP_X_(name, code, enh, close, text) SMTPP_V_##name,
    SMTPP_VERDICT_MAP(SMTPP_X_)
#undef SMTPP_X_
    SMTPP_V__COUNT
} smtpp_verdict_id;

typedef enum smtpp_action {
    SMTPP_ACT_REPLY = 1,   /* send the reply in the verdict */
    SMTPP_ACT_DECIDE,      /* the server decides; then smtpp_session_sent() */
    SMTPP_ACT_BODY,        /* read a BDAT chunk first, then _data_end() */
    SMTPP_ACT_CLOSE        /* close the connection without a reply */
} smtpp_action;

/* smtpp_verdict.resets: what the reply does to the mail transaction
 * (MAIL, the recipients, the message).  The session has already done it
 * for a REPLY; for a DECIDE it follows the reply reported. */
typedef enum smtpp_reset {
    SMTPP_RESET_NONE = 0,
    SMTPP_RESET_DONE,        /* REPLY: the transaction is over: RSET, a
                                refused message (bare line end, too big, a
                                refused BDAT LAST), QUIT, a closing reply */
    SMTPP_RESET_IF_ACCEPTED, /* DECIDE: over if the reply is positive: HELO,
                                EHLO, LHLO (RFC 5321 4.1.4), STARTTLS and
                                XCLIENT (220) */
    SMTPP_RESET_ALWAYS       /* DECIDE after a message (DATA, BDAT LAST):
                                over whatever the reply */
} smtpp_reset;

typedef struct smtpp_verdict {
    uint8_t action;        /* smtpp_action */
    uint8_t id;            /* smtpp_verdict_id: the table row */
    uint8_t close;         /* close the connection after the reply */
    uint8_t parse_error;   /* smtpp_error when the parser refused the line
                              (id is then SYNTAX or UNRECOGNIZED, with code,
                              enhanced and text from the parser's table;
                              or BDAT_SYNTAX or BDAT_BAD_ARGS with the
                              row's), or when the session refuses what the
                              parser left to it (a RCPT parameter value with
                              UTF-8 outside an SMTPUTF8 transaction:
                              SMTPP_E_PARAM_VALUE, id SYNTAX); else 0 */
    uint16_t code;         /* reply code (the proposed one for DECIDE) */
    uint8_t resets;        /* enum smtpp_reset: whether this reply ends the
                              mail transaction (a proxy keeps its next hop
                              in step with it) */
    uint8_t superseded;    /* smtpp_conn_answer() (conn.h) only: 1 when the
                              command was superseded but the answer reported
                              accepted it (the next hop is out of step) */
    uint32_t count;        /* replies to send: 1, or in LMTP one per accepted
                              recipient after DATA and BDAT LAST */
    const char *enhanced;  /* static RFC 3463 code, "" when the reply has
                              none; send it only when ENHANCEDSTATUSCODES is
                              offered (smtpp_session_format() does this) */
    const char *text;      /* static default text */
} smtpp_verdict;

/* "SMTPP_V_NEED_MAIL"; "" for values outside the table. */
SMTPP_API const char *smtpp_verdict_name(smtpp_verdict_id id);
/* Code, enhanced code, close flag and text of a row (0/""/0/"" outside). */
SMTPP_API int smtpp_verdict_code(smtpp_verdict_id id);
SMTPP_API const char *smtpp_verdict_enhanced(smtpp_verdict_id id);
SMTPP_API int smtpp_verdict_closes(smtpp_verdict_id id);
SMTPP_API const char *smtpp_verdict_text(smtpp_verdict_id id);
/* A row of the table as a REPLY verdict (count 1), for the replies a
 * server sends on its own (SMTPP_V_TIMEOUT, SMTPP_V_TOO_MANY_CONNECTIONS)
 * and then writes with smtpp_session_format().  A value outside the table
 * gives the NONE row. */
SMTPP_API smtpp_verdict smtpp_verdict_row(smtpp_verdict_id id);

/* ========================================================================
 * Configuration
 * ======================================================================== */

#define SMTPP_EXT_BIT(ext) (1u << (ext))

enum smtpp_config_flag {
    /* LMTP (RFC 2033): LHLO instead of HELO/EHLO (which get 500 5.5.1),
     * one reply per accepted recipient after the message. */
    SMTPP_CFG_LMTP = 1u << 0,
    /* MAIL, RCPT, DATA, BDAT, VRFY, EXPN, ETRN need a successful AUTH
     * first: 530 5.7.0 (RFC 4954 6). */
    SMTPP_CFG_REQUIRE_AUTH = 1u << 1,
    /* AUTH only under TLS: not advertised before, 538 5.7.11 if tried. */
    SMTPP_CFG_AUTH_NEEDS_TLS = 1u << 2,
    /* MAIL, RCPT, DATA, BDAT, AUTH, VRFY, EXPN, ETRN need TLS first:
     * 530 5.7.0 (RFC 3207 4). */
    SMTPP_CFG_REQUIRE_TLS = 1u << 3,
    /* A PROXY protocol v1 or v2 header must be the first bytes. */
    SMTPP_CFG_PROXY = 1u << 4,
    /* Pipelining violations are only recorded (smtpp_session.sync_errors)
     * and the command is processed normally.  STARTTLS followed by
     * buffered input is refused all the same: those bytes would otherwise
     * be taken as sent under TLS (CVE-2011-0411). */
    SMTPP_CFG_SYNC_REPORT_ONLY = 1u << 5,
    /* DATA bodies: bare CR and bare LF are passed through as data and only
     * counted (smtpp_data.bare_cr/bare_lf).  They still never end the
     * message nor start a line for dot-unstuffing.  Risk: a next hop that
     * ends data at LF.CRLF or similar sees a different message than you
     * do; the default rejects such messages instead.  With
     * SMTPP_CFG_DATA_RAW a "." after a bare LF or CR is stuffed against
     * that (see the DATA body scanner). */
    SMTPP_CFG_PASS_BARE = 1u << 6,
    /* DATA bodies: bare CR and bare LF become CRLF (SMTPP_DATA_NORMALISE_BARE;
     * wins over PASS_BARE): the message is accepted, and what is handed
     * back, forwarded or stored is one unambiguous message.  Added in 0.2. */
    SMTPP_CFG_NORMALISE_BARE = 1u << 7,
    /* DATA bodies: smtpp_session_data() hands back the message dot-stuffed,
     * ready to forward after the next hop's 354, and the end-of-data mark
     * with its SMTPP_DONE (SMTPP_DATA_RAW).  BDAT chunks are handed back
     * as they are either way.  Added in 0.2. */
    SMTPP_CFG_DATA_RAW = 1u << 8,
    /* DATA bodies: a NUL octet dooms the message, 554 5.6.0 after the end
     * of data (SMTPP_DATA_REFUSE_NUL).  Default: passed and counted.  BDAT
     * chunks (binary by design) are not checked.  Added in 0.2. */
    SMTPP_CFG_REFUSE_NUL = 1u << 9
};

typedef struct smtpp_config {
    const char *hostname;   /* NUL-terminated; first word of EHLO replies */
    uint32_t exts;          /* SMTPP_EXT_BIT(smtpp_ext) for each extension
                               offered.  VRFY, EXPN, HELP, ETRN, ATRN,
                               XCLIENT and XFORWARD enable those commands
                               (disabled ones get 502).  BINARYMIME counts
                               only together with CHUNKING, REQUIRETLS and
                               AUTH only where they may be advertised,
                               FUTURERELEASE only with hold_max and
                               hold_until_max */
    uint32_t auth_mechs;    /* enum smtpp_auth_mech bits offered;
                               SMTPP_AUTH_OTHER passes any well-formed name
                               the table lacks to the server */
    uint32_t flags;         /* enum smtpp_config_flag */
    uint32_t max_rcpts;     /* accepted recipients per transaction; more get
                               452 4.5.3 (RFC 5321 4.5.3.1.10).  0: none */
    uint32_t max_errors;    /* replies >= 400 before 421 4.7.0.  0: none */
    uint32_t max_junk;      /* NOOP RSET VRFY EXPN HELP ETRN without a
                               message delivered, before 421.  0: none */
    uint32_t auth_line_max; /* AUTH response line, with CRLF (RFC 4954 4:
                               at least 12288) */
    uint32_t max_text_line; /* message text line with CRLF; longer lines
                               get 500 5.5.2 at the end.  0: no limit (RFC
                               5321 4.5.3.1.6 gives 1000) */
    uint64_t max_size;      /* message size limit (RFC 1870); 0: none */
    uint32_t deliverby_min; /* DELIVERBY min-by-time, advertised */
    uint32_t hold_max;      /* FUTURERELEASE max-future-release-interval,
                               seconds, advertised.  The keyword carries
                               both maxima (RFC 4865 3): with this 0 or
                               hold_until_max unset, FUTURERELEASE is not
                               offered and HOLDFOR/HOLDUNTIL get 555 */
    const char *hold_until_max; /* max-future-release-date-time (RFC 3339
                               date-time, one word), NUL-terminated */
} smtpp_config;

/* Changing a configuration.  A session reads its configuration at every
 * call, and a change is seen at once by every session that uses it, in the
 * middle of whatever it is doing: a SIZE limit lowered after MAIL was
 * accepted, an extension withdrawn after the EHLO reply advertised it.  So
 * a configuration must not be changed while any session uses it (a fresh
 * copy per connection, made before smtpp_session_init() and then left
 * alone, is fine).  To offer less on one connection (a proxy learns from
 * its next hop's EHLO reply what it may offer), narrow the session instead:
 * smtpp_session_limit_exts().
 *
 * Defaults: PIPELINING, 8BITMIME, ENHANCEDSTATUSCODES, HELP; no AUTH; 1000
 * recipients, 20 errors, 100 junk commands (Postfix's limits), AUTH lines
 * of 12288 octets, no size or text line limit.  hostname is kept as is. */
SMTPP_API void smtpp_config_init(smtpp_config *cfg, const char *hostname);

/* ========================================================================
 * DATA body scanner (usable alone, e.g. by a proxy)
 * ======================================================================== *
 * Reads a message after 354 up to the end-of-data mark and hands back its
 * content as slices, dot-unstuffed (RFC 5321 4.5.2), or, with
 * SMTPP_DATA_RAW, as the bytes to forward to the next hop, still
 * dot-stuffed.
 *
 * Lines.  A line ends only at CRLF.  The message ends only at CRLF "." CRLF
 * (or "." CRLF as its very first bytes).  Neither a bare LF nor a bare CR
 * ever ends a line, the message or starts a dot-stuffed line: "\n.\n",
 * "\n.\r\n", "\r.\r", "\r\n.\n", "\r\n.\r", ".\n" ... are message content,
 * so the stream cannot be split differently by a server that accepts them
 * (SMTP smuggling, Dec 2023).  A "." at the start of a line is removed,
 * whatever follows it.  This holds under every policy below.
 *
 * Policy for bare CR and bare LF (counted in bare_cr / bare_lf under each):
 *   default (refuse)  the message is doomed: SMTPP_DATA_E_BARE_CR/LF is
 *            recorded; the rest of it, up to the real CRLF.CRLF, is
 *            consumed and dropped, and the reply after it is 550 5.5.2
 *            (Postfix smtpd_forbid_bare_newline = reject).  Consuming to
 *            the real end keeps the stream in sync with every compliant
 *            client; a client that believed "\n.\n" ended its message
 *            waits for a reply that only comes after a real CRLF.CRLF (or
 *            at its timeout): its following commands are part of the
 *            refused message and are never executed.
 *   SMTPP_DATA_PASS_BARE: the bytes are content, handed back as they are;
 *            only counted.  Risk: a next hop that ends data at LF.CRLF or
 *            similar sees a different message than you do, when you store
 *            or forward the content yourself; the raw output (below) stuffs
 *            a "." after a bare LF or CR against that.
 *   SMTPP_DATA_NORMALISE_BARE (wins over PASS_BARE): every bare LF and
 *            every bare CR becomes CRLF in the output, so the next hop
 *            sees one unambiguous message (Postfix
 *            smtpd_forbid_bare_newline = normalize).  A bare LF gets a CR
 *            before it, a bare CR an LF after it; the normalised line end
 *            ends a line for max_line, but it is still not a line start for
 *            dot-unstuffing nor a place where the message can end: "a\n.\nb"
 *            is the content "a" CRLF "." CRLF "b", and in raw output (below)
 *            that "." is stuffed to "..".  Thus the content under NORMALISE
 *            is the content under PASS_BARE with each bare CR or LF replaced
 *            by CRLF.  The inserted octets count in size.
 *
 * NUL octets.  RFC 5321 text and 8BITMIME content (RFC 6152 2, RFC 2045
 * 2.8) exclude NUL; only binary content sent with BDAT may carry it.
 * Postfix, Exim and Sendmail store it as received, and it cannot change
 * how the stream is framed, so the default passes it as content, without
 * looking for it (a third compare in the scan costs about 15% on long
 * lines).  SMTPP_DATA_REFUSE_NUL looks for it and dooms the message
 * (SMTPP_DATA_E_NUL, 554 5.6.0 after the real end of data), content handed
 * back up to the NUL (excluded); `nul` counts the NULs then.
 *
 * Once a message is doomed (bare CR/LF under the refuse policy, a NUL
 * under REFUSE_NUL, over max_size, a line over max_line) no more slices
 * are produced: the rest is consumed without being handed back.  The
 * content handed back is always the message up to its first fault,
 * however the stream is split: up to a bare LF (excluded), a bare CR
 * (included: it is known to be bare only at the byte after it; a bare CR
 * right after a line-start "." is excluded), a NUL (excluded), the first
 * max_size octets, or the last octet that fits in max_line (under
 * PASS_BARE, a bare CR that is the first octet past it is included, for
 * the same reason).  `size`
 * counts the content handed back.  The error recorded is that of the
 * first fault in the stream: the one whose content ends first (size:
 * after max_size octets), whatever the split.  A fault that ends the
 * content exactly at max_size octets comes before the size fault (no
 * octet over the limit is ever handed back).
 *
 * Size: content octets after unstuffing, with every CRLF and without the
 * final ".CRLF" (RFC 1870 4).  Over max_size: SMTPP_DATA_E_SIZE (552 5.3.4).
 *
 * Raw output (SMTPP_DATA_RAW), for a proxy that forwards the message.
 * The slices, concatenated, are the message as it must be sent after the
 * next hop's 354: dot-stuffed, and the slice handed back with SMTPP_DONE is
 * the end-of-data mark ".\r\n" (a static string), unless the message is
 * doomed (then that slice is empty: never end a doomed message upstream;
 * close the upstream connection instead, or hold the message back until
 * SMTPP_DONE).  Exactly, under each policy:
 *   raw output = smtpp_stuff() (flags 0) of the content the same policy
 *                hands back without SMTPP_DATA_RAW, then smtpp_stuff_end()
 *                when the message is not doomed;
 * so re-reading the raw output with this scanner gives back the same
 * content (under PASS_BARE: see the trade-off below).  For a conforming message (CRLF line ends only, a line-start
 * "." only before another ".", as RFC 5321 4.5.2 has clients send) that
 * is the client's own bytes, byte for byte, as zero-copy slices of buf.
 * Otherwise it differs from them in four ways: the CR or LF that
 * NORMALISE inserts and the "." that stuffs a line opened by a normalised
 * line end (the line end a slice of its own; the "." a one-byte slice of
 * buf: the content's own dot handed back twice); under PASS_BARE, the "."
 * that stuffs a "." right after a bare LF or a bare CR (a one-byte slice
 * of buf in the same way: "x\n.\n" goes out as "x\n..\n"); and a
 * line-start "." not followed by another "." (".x", or ".\r" and ".\n"
 * before a bare line end) is dropped: the content line needs no stuffing,
 * and ".\r" or ".\n" must not reach a next hop that might take it for the
 * end.  Size, limits and faults are those of the content, as without
 * SMTPP_DATA_RAW.
 * Bare line ends under PASS_BARE, the trade-off: many next hops take a
 * bare LF (Postfix by default, smtpd_forbid_bare_newline = no) or a bare
 * CR as a line end, so "\n.\n" unstuffed would end the message there and
 * run what follows as commands (SMTP smuggling).  Stuffed, such a next hop
 * reads ".." as "." and gets the same content, ending at the real end
 * only.  A strict next hop (CRLF only, like this scanner) keeps the extra
 * "." after each bare LF or CR: re-reading the raw output with this
 * scanner under PASS_BARE gives the content with those dots added, in a
 * message that was not conforming anyway.  Forward with NORMALISE for one
 * message that every next hop reads alike.
 * In raw mode a line-start "." is handed back together with the "." after
 * it, so the byte after it must be seen first: SMTPP_AGAIN leaves a
 * line-start "." that is the last byte of buf unconsumed (*used == len -
 * 1); keep it and call again with it and more bytes, as with command
 * lines.  Otherwise every byte is consumed at once: after SMTPP_AGAIN
 * *used == len.
 *
 * The output (concatenated slices, errors, counts) is the same however the
 * stream is split into calls.  Each slice points into buf, or is a static
 * string of at most three octets ("\r", "\n", "\r\n", ".\r\n": the CR
 * after a line-start "." that turns out to be bare under PASS_BARE or
 * NORMALISE, the octets NORMALISE inserts, the end-of-data mark).  Slices
 * of buf are valid while buf's bytes stay where they are.  SMTPP_MORE may
 * come with *used == 0 (a static line end or a stuffing "." before the
 * bytes of buf).  In raw mode a "." after a bare LF or CR (PASS_BARE) or
 * after a normalised line end costs a cut: the slice ends before it.
 */
enum smtpp_data_flag {
    SMTPP_DATA_PASS_BARE = 1u << 0,      /* bare CR/LF are content */
    SMTPP_DATA_NORMALISE_BARE = 1u << 1, /* bare CR/LF become CRLF (added in 0.2) */
    SMTPP_DATA_RAW = 1u << 2,            /* slices dot-stuffed, for forwarding (0.2) */
    SMTPP_DATA_REFUSE_NUL = 1u << 3      /* a NUL dooms the message (0.2) */
};

typedef enum smtpp_data_error {
    SMTPP_DATA_E_OK = 0,
    SMTPP_DATA_E_BARE_LF,
    SMTPP_DATA_E_BARE_CR,
    SMTPP_DATA_E_SIZE,
    SMTPP_DATA_E_LINE,
    SMTPP_DATA_E_NUL         /* added in 0.2: SMTPP_DATA_REFUSE_NUL */
} smtpp_data_error;

typedef struct smtpp_data {
    uint64_t max_size;      /* 0: no limit */
    uint64_t size;          /* content octets so far */
    uint32_t max_line;      /* 0: no limit; else octets with CRLF */
    uint32_t bare_cr;       /* bare CRs seen */
    uint32_t bare_lf;       /* bare LFs seen */
    uint32_t nul;           /* NULs seen, under SMTPP_DATA_REFUSE_NUL only
                               (added in 0.2) */
    uint8_t flags;          /* enum smtpp_data_flag */
    uint8_t error;          /* smtpp_data_error: the first one */
    /* private */
    uint8_t _state;
    uint8_t _ins;           /* NORMALISE: static octets owed before the next byte */
    uint32_t _line;         /* octets of the current line so far */
} smtpp_data;

SMTPP_API void smtpp_data_init(smtpp_data *d, unsigned flags, uint64_t max_size,
                               uint32_t max_line);
/* Scans buf[0..len).  *out: the next slice (possibly empty; see above for
 * how long it lives).  Returns
 *   SMTPP_MORE   a slice was cut (at a stuffed dot, or before or after
 *                octets NORMALISE inserts); *used < len: drop *used bytes
 *                (possibly 0) and call again with the rest;
 *   SMTPP_AGAIN  the buffer is consumed (*used == len; in raw mode a
 *                final line-start "." may be left, see above); read more;
 *   SMTPP_DONE   the end-of-data mark was consumed (included in *used); the
 *                bytes after it are the next command.  d->error tells
 *                whether the message is doomed.  In raw mode *out is the
 *                mark ".\r\n", or empty when the message is doomed. */
SMTPP_API int smtpp_data_parse(smtpp_data *d, const char *buf, size_t len,
                               smtpp_str *out, size_t *used);
/* 1 once the message is doomed (no more slices will come). */
SMTPP_API int smtpp_data_doomed(const smtpp_data *d);

/* ---- Dot-stuffing a message you changed or wrote ------------------------
 * The inverse of the scanner: turns message content into the bytes sent
 * after 354 (RFC 5321 4.5.2): a "." that starts a line gets another "."
 * before it.  A line starts at the beginning of the content and after
 * each CRLF (a CRLF split across two calls included).  A "." right after
 * a bare LF or a bare CR is stuffed too, since a lenient next hop starts
 * a line there (the safe choice for a forwarder: otherwise "\n.\n" ends
 * the message early at such a hop; a strict CRLF-only hop keeps the extra
 * "."; this is what the scanner's raw output does under PASS_BARE).  The
 * bare CR or LF itself is written as it is, so such content is still read
 * differently by strict and lenient hops; with SMTPP_STUFF_NORMALISE it is
 * written as CRLF instead (what the scanner's NORMALISE policy produces;
 * use it for content of unknown origin, e.g. a BDAT body forwarded as
 * DATA).
 * No allocation; the state between calls is a few bytes. */
enum smtpp_stuff_flag {
    SMTPP_STUFF_NORMALISE = 1u << 0
};

typedef struct smtpp_stuffer {
    uint8_t flags;          /* enum smtpp_stuff_flag */
    /* private */
    uint8_t _state;         /* at a line start, inside a line, after a CR */
} smtpp_stuffer;

/* Most octets smtpp_stuff() writes for n octets of content: at most one
 * "." per two octets ("\n." or "\r."), plus one, plus one LF owed by a CR
 * at the end of the previous call (NORMALISE); 2n + 2 with NORMALISE
 * (every octet a bare CR or LF, or "\n." as "\r\n.."). */
#define SMTPP_STUFF_MAX(n) (2 * (size_t)(n) + 2)

SMTPP_API void smtpp_stuff_init(smtpp_stuffer *st, unsigned flags);
/* Writes the stuffed form of src[0..n) to dst[0..cap).  Returns the number
 * of octets it needs.  When that is <= cap they are written and the state
 * moves on; when it is > cap nothing is written, the state is unchanged,
 * and you call again with a buffer that large (or with less of src).  A
 * cap of SMTPP_STUFF_MAX(n) is always enough. */
SMTPP_API size_t smtpp_stuff(smtpp_stuffer *st, const char *src, size_t n, char *dst,
                             size_t cap);
/* Writes the end of the message: ".\r\n" when the content so far is empty
 * or ends with CRLF (a normalised line end included), else "\r\n.\r\n"
 * (RFC 5321 4.1.1.4: the last line gets its CRLF; under NORMALISE a final
 * bare CR gets its LF: "\n.\r\n").  Returns the octets needed (3 to 5),
 * with the same rule for cap as smtpp_stuff().
 * The stuffer then starts a new, empty message. */
SMTPP_API size_t smtpp_stuff_end(smtpp_stuffer *st, char *dst, size_t cap);

/* ========================================================================
 * PROXY protocol (HAProxy, versions 1 and 2)
 * ======================================================================== */
typedef enum smtpp_proxy_family {
    SMTPP_PROXY_UNSPEC = 0,  /* v1 UNKNOWN, v2 LOCAL or AF_UNSPEC: use the
                                connection's own addresses */
    SMTPP_PROXY_INET,        /* addresses in src[0..4), dst[0..4) */
    SMTPP_PROXY_INET6,       /* addresses in src, dst (16 bytes) */
    SMTPP_PROXY_UNIX         /* v2 only: src_path, dst_path */
} smtpp_proxy_family;

typedef struct smtpp_proxy {
    uint8_t version;         /* 1 or 2 */
    uint8_t local;           /* v2 LOCAL command (health check) */
    uint8_t family;          /* smtpp_proxy_family */
    uint8_t dgram;           /* v2 transport is DGRAM */
    uint16_t src_port, dst_port;    /* host order */
    uint8_t src[16], dst[16];       /* network order */
    smtpp_str src_path, dst_path;   /* UNIX: up to the first NUL */
    smtpp_str tlv;           /* v2: the TLV vectors after the addresses */
} smtpp_proxy;

/* Parses a PROXY header at the start of buf[0..len).  Returns SMTPP_DONE
 * (*used: the header's length; slices in *out point into buf), SMTPP_AGAIN
 * (no complete header yet; call again with more bytes, the whole region),
 * or -1 when buf does not start with a valid header (then close the
 * connection: the header is mandatory when configured, and a header is
 * never accepted anywhere but at the start).  A v1 line is at most 107
 * octets with CRLF; a v2 header at most 16 + 65535. */
SMTPP_API int smtpp_proxy_parse(const char *buf, size_t len, smtpp_proxy *out, size_t *used);

/* ========================================================================
 * The session
 * ======================================================================== */
typedef enum smtpp_state {
    SMTPP_ST_PROXY = 0,      /* waiting for the PROXY header */
    SMTPP_ST_GREETING,       /* connected; greeting not sent yet */
    SMTPP_ST_REFUSED,        /* 554 greeting sent: only QUIT (RFC 5321 3.1) */
    SMTPP_ST_CONNECTED,      /* greeted; no HELO/EHLO/LHLO yet */
    SMTPP_ST_READY,          /* HELO/EHLO accepted; no transaction */
    SMTPP_ST_MAIL,           /* MAIL accepted; no recipient accepted */
    SMTPP_ST_RCPT,           /* at least one recipient accepted */
    SMTPP_ST_DATA,           /* 354 sent: reading the message */
    SMTPP_ST_BDAT,           /* reading a BDAT chunk */
    SMTPP_ST_CHUNKING,       /* between BDAT chunks of one transaction */
    SMTPP_ST_AUTH,           /* 334 sent: the next line is a SASL response */
    SMTPP_ST_CLOSED          /* QUIT answered, or a closing reply sent */
} smtpp_state;

/* What the next client bytes are. */
typedef enum smtpp_next {
    SMTPP_NEXT_PROXY = 0,    /* the PROXY header: smtpp_session_proxy() */
    SMTPP_NEXT_GREETING,     /* nothing: send the greeting first */
    SMTPP_NEXT_COMMAND,      /* smtpp_parse_command(), smtpp_session_check() */
    SMTPP_NEXT_MESSAGE,      /* smtpp_session_data() */
    SMTPP_NEXT_SASL,         /* smtpp_session_auth_line() */
    SMTPP_NEXT_REPLY,        /* nothing: report the server's reply first */
    SMTPP_NEXT_NOTHING       /* closed */
} smtpp_next;

enum smtpp_check_flag {
    /* More client input is already buffered after this command line: the
     * pipelining rules of RFC 2920 apply. */
    SMTPP_CHECK_MORE_INPUT = 1u << 0
};

typedef struct smtpp_session {
    const smtpp_config *cfg;
    uint8_t state;           /* smtpp_state */
    uint8_t helo;            /* smtpp_verb of the accepted HELO/EHLO/LHLO, or 0 */
    uint8_t tls;             /* TLS is active (STARTTLS accepted) */
    uint8_t authed;          /* AUTH succeeded */
    uint8_t early_talker;    /* data arrived before the greeting */
    uint8_t body;            /* enum smtpp_body of the transaction */
    uint8_t smtputf8;        /* the transaction carries SMTPUTF8 */
    uint8_t rcpt_tried;      /* a RCPT was answered in this transaction */
    uint32_t rcpts;          /* recipients accepted in this transaction */
    uint32_t errors;         /* replies >= 400 so far */
    uint32_t junk;           /* junk commands since the last message */
    uint32_t sync_errors;    /* pipelining violations seen */
    uint32_t messages;       /* messages accepted */
    uint64_t mail_size;      /* SIZE= of the transaction, 0 when absent */
    uint64_t chunked;        /* BDAT octets so far in this transaction */
    smtpp_data data;         /* the DATA scanner of the current message */
    /* private */
    uint8_t _await;          /* verb whose reply smtpp_session_sent() awaits */
    uint8_t _stage;          /* DATA: before 354, body, body read, final */
    uint8_t _pending;        /* verdict id stored for the end of a chunk */
    uint8_t _last;           /* the BDAT being read carries LAST */
    uint8_t _failed;         /* a chunk of this transaction failed */
    uint8_t _prior;          /* state before the BDAT being read */
    uint8_t _body_done;      /* the message or chunk has been read */
    uint8_t _pending_error;  /* smtpp_error of a BDAT refused for its line */
    uint32_t _replies;       /* final replies still due (LMTP) */
    uint32_t _scanned;       /* SASL line framing: bytes searched */
    uint8_t _skipping;       /* discarding an over-long SASL line */
    uint32_t _exts_off;      /* extensions taken away on this session
                                (smtpp_session_limit_exts) */
    uint64_t _chunk_left;    /* BDAT octets still to read */
} smtpp_session;

/* Prepares a session (no PROXY header expected unless SMTPP_CFG_PROXY).
 * cfg must outlive the session.  Never fails. */
SMTPP_API void smtpp_session_init(smtpp_session *s, const smtpp_config *cfg);

/* What the client's next bytes are, or what the server must do first.
 * Inline since 0.2 for the usual answers, with nothing awaited: a command
 * between commands, since a server asks once per command, and the message
 * while a body is read, since it asks once per read; the rest in
 * smtpp__session_next_other().  The library still exports 0.1's
 * smtpp_session_next symbol. */
SMTPP_API smtpp_next smtpp__session_next_other(const smtpp_session *s);

static inline smtpp_next smtpp_session_next(const smtpp_session *s)
{
    if (!s->_await) {
        /* the states in which a command is read: SMTPP_ST_REFUSED to
         * SMTPP_ST_RCPT (CHUNKING, in between BDATs, is another) */
        if ((unsigned)(s->state - SMTPP_ST_REFUSED) <= (unsigned)(SMTPP_ST_RCPT - SMTPP_ST_REFUSED))
            return SMTPP_NEXT_COMMAND;
        /* a message or a BDAT chunk not yet read to its end */
        if ((unsigned)(s->state - SMTPP_ST_DATA) <= (unsigned)(SMTPP_ST_BDAT - SMTPP_ST_DATA) &&
            !s->_body_done)
            return SMTPP_NEXT_MESSAGE;
    }
    return smtpp__session_next_other(s);
}

/* Reads the PROXY header (state SMTPP_ST_PROXY).  Returns SMTPP_AGAIN
 * (*used 0: keep the bytes, call again with more), SMTPP_DONE (header read,
 * *out filled; the session now waits for the greeting), or SMTPP_DONE with
 * v->action SMTPP_ACT_CLOSE when the bytes are not a valid header. */
SMTPP_API int smtpp_session_proxy(smtpp_session *s, const char *buf, size_t len,
                                  smtpp_proxy *out, size_t *used, smtpp_verdict *v);

/* The server is about to send its greeting with this code: 220 opens the
 * session, 554 refuses it (only QUIT then; other commands get 503), 421
 * closes.  flags: SMTPP_CHECK_MORE_INPUT when the client has already sent
 * bytes (an early talker, RFC 5321 4.3.1 and Postfix's pregreet test): v
 * is then SMTPP_V_EARLY_TALKER (554, close) unless SYNC_REPORT_ONLY, and
 * s->early_talker is set either way.  Otherwise v is a REPLY with the
 * greeting's code. */
SMTPP_API void smtpp_session_greeting(smtpp_session *s, int code, unsigned flags,
                                      smtpp_verdict *v);

/* What a parsed command deserves (see the overview).  flags: enum
 * smtpp_check_flag.  Returns v->action. */
SMTPP_API int smtpp_session_check(smtpp_session *s, const smtpp_command *cmd,
                                  unsigned flags, smtpp_verdict *v);

/* Reports the reply the server sent to a DECIDE verdict (and to each of the
 * final replies after a message: v.count of them).  verb: the command it
 * answers (SMTPP_VERB_DATA for the replies after DATA, SMTPP_VERB_BDAT after
 * a chunk).  Returns 0, or -1 when no reply to that verb was awaited (the
 * state is then unchanged). */
SMTPP_API int smtpp_session_sent(smtpp_session *s, smtpp_verb verb, int code);

/* Reads message bytes: a DATA body (after 354 was reported) or a BDAT
 * chunk.  Same results and slices as smtpp_data_parse() with the flags
 * the configuration gives (SMTPP_CFG_PASS_BARE, _NORMALISE_BARE,
 * _DATA_RAW, _REFUSE_NUL); under SMTPP_CFG_DATA_RAW SMTPP_AGAIN may leave
 * one byte unconsumed, as smtpp_data_parse() says.  A BDAT chunk is handed
 * back verbatim (no dot-stuffing, RFC 3030; no line-end or NUL policy),
 * cut to its size.  Once SMTPP_DONE is returned, call
 * smtpp_session_data_end(). */
SMTPP_API int smtpp_session_data(smtpp_session *s, const char *buf, size_t len,
                                 smtpp_str *out, size_t *used);

/* The verdict after a message or a chunk: REPLY (refused: too big, bare
 * line ends, a NUL under REFUSE_NUL, a line too long, a chunk refused when
 * its command came) or DECIDE (250 by
 * default: MESSAGE_OK after DATA and BDAT LAST, CHUNK_OK after any other
 * chunk; report each reply with smtpp_session_sent()).  v->count is the
 * number of replies: the accepted recipients in LMTP after DATA or BDAT
 * LAST, else 1. */
SMTPP_API int smtpp_session_data_end(smtpp_session *s, smtpp_verdict *v);

/* Reads one SASL response line (state SMTPP_ST_AUTH, after a 334).  The
 * line ends at CRLF only (RFC 5321 2.3.8), whatever the parser's options: a
 * bare LF is part of the line and refused with it, never the start of a
 * command.  Returns SMTPP_AGAIN (no complete line; *used may be > 0 while an
 * over-long line is discarded) or SMTPP_DONE with *v:
 *   DECIDE   *resp holds the decoded response in dst[0..cap) (the slice
 *            points to dst); check it and send 334 (another challenge),
 *            235 or 535/454/..., then smtpp_session_sent(AUTH, code).
 *   REPLY    "*" (501 5.7.0), bad base64, a bare LF or CR (501 5.5.2), a line
 *            over cfg->auth_line_max or a response too big for cap (500
 *            5.5.6): the exchange is over.
 * A line "=" is an empty response. */
SMTPP_API int smtpp_session_auth_line(smtpp_session *s, const char *buf, size_t len,
                                      size_t *used, char *dst, size_t cap,
                                      smtpp_str *resp, smtpp_verdict *v);

/* ---- AUTH PLAIN (RFC 4616) ----------------------------------------------
 * A decoded PLAIN response (from smtpp_session_auth_line(), or the decoded
 * initial response of "AUTH PLAIN <b64>") is
 *     [authzid] NUL authcid NUL passwd
 * smtpp_sasl_plain() splits it into slices of msg (no copy; valid while
 * msg is) and returns one of these outcomes; anything but OK means the
 * message is malformed and, as RFC 4616 2 requires, the authentication
 * fails: answer 501 5.5.2 (SMTPP_V_AUTH_MALFORMED: the response is not
 * valid for the mechanism, as for bad base64), and do not look the
 * credentials up.
 *   SMTPP_PLAIN_OK          authzid (possibly empty: act as authcid),
 *                           authcid and passwd filled
 *   SMTPP_PLAIN_E_FORMAT    not exactly two NUL octets
 *   SMTPP_PLAIN_E_EMPTY     authcid or passwd is empty (both are 1*SAFE)
 *   SMTPP_PLAIN_E_UTF8      a field is not well-formed UTF-8 (overlong,
 *                           surrogate, above U+10FFFF, truncated)
 *   SMTPP_PLAIN_E_TOO_LONG  authzid or authcid over 255 octets (RFC 4616
 *                           2 asks a server to take at least 255; an
 *                           identity longer than any mailbox is refused
 *                           before any lookup).  passwd has no limit but
 *                           the caller's decoding buffer.
 * Credentials that are well-formed but wrong get 535 5.7.8 (RFC 4954 6,
 * SMTPP_V_AUTH_FAILED), which is the server's decision; so does an authzid
 * the authcid may not act as.  Compare passwords in constant time. */
typedef enum smtpp_plain_result {
    SMTPP_PLAIN_OK = 0,
    SMTPP_PLAIN_E_FORMAT,
    SMTPP_PLAIN_E_EMPTY,
    SMTPP_PLAIN_E_UTF8,
    SMTPP_PLAIN_E_TOO_LONG
} smtpp_plain_result;

typedef struct smtpp_plain {
    smtpp_str authzid;       /* may be empty */
    smtpp_str authcid;
    smtpp_str passwd;
} smtpp_plain;

/* Splits msg[0..n) (see above).  On an error *out is zeroed. */
SMTPP_API smtpp_plain_result smtpp_sasl_plain(const char *msg, size_t n, smtpp_plain *out);
/* "SMTPP_PLAIN_E_EMPTY"; "" outside the enum. */
SMTPP_API const char *smtpp_plain_result_name(smtpp_plain_result r);

/* Writes the EHLO (or LHLO) reply for this session's state into dst: the
 * hostname and greet on the first line, then the extensions offered now
 * (no STARTTLS under TLS; AUTH only when allowed; REQUIRETLS only under
 * TLS; SIZE with max_size; FUTURERELEASE only with both its maxima).  The
 * same rules decide which parameters the session accepts, so the two
 * never disagree.  VRFY, EXPN and HELP are not
 * advertised.  Return value as smtpp_format_ehlo() (reply.h). */
SMTPP_API long smtpp_session_ehlo(const smtpp_session *s, char *dst, size_t cap,
                                  const char *greet);

/* Writes a verdict as a reply line (count 1), with its enhanced code when
 * ENHANCEDSTATUSCODES is offered.  Return value as smtpp_format_reply().
 * The greeting (SMTPP_V_GREETING, whatever its code) starts with
 * cfg->hostname, as RFC 5321 4.2 and 4.3.1 require: "220 mx.example.org
 * Service ready", "554 mx.example.org Service refused", "421
 * mx.example.org Service not available"; it carries no enhanced code.
 * The answer to HELO (SMTPP_V_HELLO, RFC 5321 4.1.1.1: "250
 * mx.example.org Hello"), XCLIENT's new greeting (SMTPP_V_XCLIENT) and
 * every 421 (the closing reply of 3.8 and 4.2.2, after the enhanced code:
 * "421 4.4.2 mx.example.org Timeout, closing connection") start with it
 * too; 221 does not ("221 2.0.0 Bye").  These are one line.
 * SMTPP_FMT_E_ARG when such a reply's hostname is NULL, empty, holds a
 * space or a tab, or would read back as an enhanced code ("2.0.0");
 * SMTPP_FMT_E_TOO_LONG when the line would pass 512 octets. */
SMTPP_API long smtpp_session_format(const smtpp_session *s, const smtpp_verdict *v,
                                    char *dst, size_t cap);

/* Writes any reply (a custom one, or one relayed from a next hop) with the
 * same rule as smtpp_session_format(): the enhanced code is written only
 * when ENHANCEDSTATUSCODES is offered on this session (the configuration,
 * narrowed by smtpp_session_limit_exts()); NULL or "" writes none.  text:
 * as smtpp_format_reply_str() with flags.  Return value as
 * smtpp_format_reply(). */
SMTPP_API long smtpp_session_reply(const smtpp_session *s, int code, const char *enhanced,
                                   const char *text, unsigned flags, char *dst, size_t cap);

/* Narrows the extensions offered on this session to cfg->exts & mask
 * (SMTPP_EXT_BIT() bits).  Each call replaces the previous mask; ~0u gives
 * the configuration's set back; the configuration itself is never
 * changed.  The EHLO reply (smtpp_session_ehlo()), the parameter and
 * command checks, the pipelining rules and the enhanced codes of
 * smtpp_session_format() all follow the narrowed set, so they never
 * disagree.  Call it before writing the EHLO reply: narrowing later takes
 * away what the client was told it may use.  A proxy calls it with the
 * extensions of its next hop's EHLO reply (smtpp_ehlo.exts, reply.h), and
 * again after STARTTLS, when the next hop's second EHLO may offer more. */
SMTPP_API void smtpp_session_limit_exts(smtpp_session *s, uint32_t mask);

/* 1 when the extension is offered in this session's current state (what
 * smtpp_session_ehlo() would advertise), else 0. */
SMTPP_API int smtpp_session_offers(const smtpp_session *s, smtpp_ext ext);

/* 1 when RFC 2920 (and RFC 3207, RFC 4954) allow the verb only as the last
 * command of a pipelined group: HELO EHLO LHLO DATA VRFY EXPN TURN ATRN
 * QUIT NOOP AUTH STARTTLS XCLIENT. */
SMTPP_API int smtpp_verb_ends_group(smtpp_verb v);

/* "SMTPP_ST_READY" */
SMTPP_API const char *smtpp_state_name(smtpp_state st);

#ifdef __cplusplus
}
#endif
#endif /* SMTPP_SESSION_H */
