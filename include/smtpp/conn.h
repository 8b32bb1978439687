/*
 * smtpp/conn.h - the connection driver: one object per connection that owns
 * the command parser, the session, the message and the AUTH readers, and
 * turns the client's bytes into a sequence of events.
 *
 * Overview
 * --------
 * The lower layers (command.h, session.h) need a loop of their own: which
 * reader comes next, smtpp_parser_reset() after a body, the
 * SMTPP_CHECK_MORE_INPUT flag, three readers' *used counts.  The driver is
 * that loop.  You own the buffer and the socket; the driver never reads,
 * writes or allocates.  One call, smtpp_conn_next(), takes the unconsumed
 * region and hands back one event at a time, pull style (like hiredis's
 * redisReaderGetReply or picohttpparser, not callbacks).  Decisions stay
 * yours: the driver says what a command deserves, and you report the reply
 * you (or the next hop) sent with smtpp_conn_answer().
 *
 *   static smtpp_config cfg;             // shared; see session.h
 *   smtpp_conn c;                        // per connection, fixed size
 *   smtpp_conn_init(&c, &cfg, 0);
 *   smtpp_conn_greeting(&c, 220, have, &v);   // have: bytes already read
 *   send_verdict(&v);
 *
 *   // on every read: in[start..end) holds the bytes not yet consumed
 *   for (;;) {
 *       smtpp_event ev;
 *       size_t used;
 *       int r = smtpp_conn_next(&c, in + start, end - start, &ev, &used);
 *       start += used;                   // always, whatever r is
 *       if (r == SMTPP_AGAIN) break;     // read more, then call again
 *       if (r == SMTPP_CONN_WAIT) break; // a decision is still unanswered
 *       if (r == SMTPP_CONN_CLOSED) { close(fd); break; }
 *       switch (ev.type) {
 *       case SMTPP_EV_COMMAND:           // ev.cmd, ev.v
 *           if (ev.v.action == SMTPP_ACT_REPLY) send_verdict(&ev.v);
 *           if (ev.v.action == SMTPP_ACT_DECIDE) {   // MAIL RCPT DATA AUTH ...
 *               int code = my_policy(&ev.cmd, ev.v.code);
 *               send_reply(code, ...);
 *               smtpp_conn_answer(&c, code, &v);
 *           }
 *           break;                       // ACT_BODY: a BDAT chunk follows
 *       case SMTPP_EV_BODY:              // ev.data: message content
 *           write(spool, ev.data.p, ev.data.n); break;
 *       case SMTPP_EV_MESSAGE_END:       // ev.v: REPLY (refused) or DECIDE
 *           ...  as for a command, one answer per ev.v.count
 *       case SMTPP_EV_AUTH:              // ev.data: the decoded response
 *           ...  as for a command (334 again, 235, 535)
 *       case SMTPP_EV_CLOSE:             // send what is queued, then close
 *           ...
 *       }
 *   }
 *   // at EOF: smtpp_conn_finish(&c, end - start) says if it was mid-message
 *
 * Buffer contract: as for the command parser (command.h).  Pass the whole
 * unconsumed region on every call; after every call drop *used bytes from
 * its front, whatever the result.  The driver keeps offsets, never
 * pointers, so you may move or grow the buffer between calls.  Slices in an
 * event point into the region passed to that call and stay valid while
 * those bytes stay where they are (ev.data of an AUTH event points into
 * the SASL buffer, see smtpp_conn_sasl_buffer()).  The events are the same
 * however the stream is split into reads, with one exception that belongs
 * to SMTP itself: the pipelining rules (RFC 2920) depend on whether more
 * input was already buffered after a command, which the driver takes as
 * "*used < len" (the SMTPP_CHECK_MORE_INPUT flag of session.h).
 *
 * Memory: sizeof(smtpp_conn) is fixed (2120 bytes on LP64: the parser, two
 * sessions and a queue of SMTPP_CONN_QUEUE pipelined commands).  No
 * allocation, no I/O, no global state.  The low-level API (command.h,
 * session.h) stays available; the driver is built only on it.
 *
 * Events
 * ------
 * SMTPP_EV_PROXY        the PROXY protocol header (SMTPP_CFG_PROXY): ev.proxy.
 *                       Send the greeting next (smtpp_conn_greeting()).  A
 *                       bad header: ev.v.action is SMTPP_ACT_CLOSE, and
 *                       SMTPP_EV_CLOSE follows.
 * SMTPP_EV_COMMAND      one command line: ev.cmd (parsed, slices into the
 *                       buffer), ev.raw (the line with its CRLF, as sent),
 *                       ev.v (what it deserves, session.h):
 *                         REPLY   send ev.v (smtpp_session_format());
 *                         DECIDE  decide, send, smtpp_conn_answer();
 *                         BODY    BDAT: its chunk follows as BODY events,
 *                                 then MESSAGE_END;
 *                         CLOSE   close without a reply (after QUIT, a bad
 *                                 PROXY header).
 * SMTPP_EV_BODY         message content: ev.data.  DATA: dot-unstuffed
 *                       (default) or, with SMTPP_CONN_RAW_BODY, the wire
 *                       bytes still dot-stuffed, ready to forward; the
 *                       end-of-data mark (".\r\n") comes in the last BODY
 *                       event, never in MESSAGE_END.  BDAT: the chunk's
 *                       bytes as sent.  Never empty.
 * SMTPP_EV_MESSAGE_END  the end of a DATA message (the "." line consumed) or
 *                       of a BDAT chunk: ev.verb DATA or BDAT, ev.v REPLY
 *                       (refused: too big, bare line ends, ...) or DECIDE
 *                       (answer ev.v.count times: LMTP sends one reply per
 *                       accepted recipient).
 * SMTPP_EV_AUTH         a SASL response line after a 334: ev.raw (the line
 *                       with its CRLF, to forward), ev.data (decoded) and
 *                       ev.v: DECIDE (send 334, 235 or 535 ..., then
 *                       smtpp_conn_answer()) or REPLY ("*", bad base64,
 *                       too long: the exchange is over).
 * SMTPP_EV_REPLY        pipelined mode only: a reply the library decided for
 *                       a command that came while earlier decisions were
 *                       unanswered is due now: send ev.v.  ev.seq names the
 *                       command (see Pipelining).
 * SMTPP_EV_CLOSE        the session is over (QUIT answered, a closing reply,
 *                       a verdict with action CLOSE): send what is queued
 *                       and close.  Every later call returns
 *                       SMTPP_CONN_CLOSED.
 * Every event carries ev.seq: the number of the command it belongs to,
 * counted from 0 over the connection (BODY, MESSAGE_END and AUTH events:
 * the DATA, BDAT or AUTH command's number).
 *
 * Decisions
 * ---------
 * A DECIDE verdict is answered with smtpp_conn_answer(): the reply code you
 * sent (or relayed).  Without SMTPP_CONN_PIPELINE the driver is lockstep:
 * until the answer comes, smtpp_conn_next() returns SMTPP_CONN_WAIT and
 * consumes nothing.  The same holds for the body after DATA (it is read
 * only once 354 was answered), SASL lines after AUTH (once 334 was), and
 * the next command after a message.
 *
 * Pipelining (SMTPP_CONN_PIPELINE)
 * --------------------------------
 * A proxy checks a whole pipelined group (RFC 2920) and forwards it to the
 * next hop in one write, before any answer comes back.  The model:
 *
 *   Provisional outcomes.  A DECIDE verdict that is not yet answered is a
 *   provisional outcome: the command is assumed to succeed as proposed
 *   (250 to MAIL and RCPT, 354 to DATA).  The next commands are checked
 *   against that provisional state (a RCPT after an unanswered MAIL is
 *   DECIDE, not 503).  Their events carry ev.deferred = 1.
 *
 *   One queue, in command order.  Every command checked while a decision
 *   is unanswered goes into a fixed queue of SMTPP_CONN_QUEUE entries:
 *   DECIDE verdicts (forward them; answer each in turn) and REPLY verdicts
 *   the library decided (do NOT send these yet: each comes back as an
 *   SMTPP_EV_REPLY event at its turn, so replies reach the client in
 *   command order).
 *
 *   Answers settle the queue in order.  smtpp_conn_answer() reports the
 *   reply to the oldest unanswered DECIDE.  The settled session follows the
 *   real answer; the queued commands after it are checked again against
 *   the settled state, exactly as a lockstep server would have checked
 *   them.  Library replies then due come out of smtpp_conn_next() as
 *   SMTPP_EV_REPLY, before any new input is read.  So the client's replies
 *   always come from the settled session; the provisional state only
 *   decides what is forwarded before the answers are in (it is rebuilt
 *   from the settled one after an answer other than the proposed code).
 *
 *   Superseded decisions.  A forwarded command whose verdict depended on an
 *   outcome that was then refused (RCPT after a refused MAIL, DATA after
 *   every RCPT was refused, a command after the error limit was reached)
 *   is refused by the library in lockstep.  The next hop, which saw the
 *   same refusal, refuses it too.  When you answer it, smtpp_conn_answer()
 *   fills *v with the library's REPLY verdict: send that reply to the
 *   client instead of the next hop's (v->superseded tells whether the next
 *   hop accepted it after all; it is then out of step with the client:
 *   RSET it, or close it after a 354).  The state is the lockstep one.
 *
 *   Held commands.  A command whose verdict could turn from a refusal into
 *   a DECIDE depending on the pending answers (a second MAIL while a MAIL
 *   is unanswered: 503 or not; a RCPT over max_rcpts while a RCPT is
 *   unanswered; AUTH, STARTTLS, ETRN, XCLIENT, XFORWARD, ATRN during an
 *   unanswered transaction), and the commands that change what the next
 *   bytes are (HELO, EHLO, LHLO, AUTH, STARTTLS, XCLIENT, BDAT) are not
 *   taken while anything is unanswered: smtpp_conn_next() returns
 *   SMTPP_CONN_WAIT without consuming them, and checks them against the
 *   settled state once the queue is empty.  The same when the queue is
 *   full.  Such a group costs one more round trip, never a wrong reply.
 *
 *   The result: whatever the next hop answers, the client gets the replies
 *   and the session ends in the state a lockstep server would have given
 *   (tests/test_conn.c checks every combination of answers of several
 *   groups against the lockstep run).
 *
 *   A proxy forwards every command with a DECIDE verdict.  It should also
 *   forward the commands whose verdict resets the transaction
 *   (ev.v.resets, RSET above all), so that the next hop stays in step, and
 *   drop the next hop's reply to them (the client gets the library's):
 *   smtpp_tracker_command_tag() (reply.h) keeps that apart.
 */
#ifndef SMTPP_CONN_H
#define SMTPP_CONN_H

#include "common.h"
#include "command.h"
#include "session.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Results of smtpp_conn_next(), next to SMTPP_AGAIN (0: read more) and
 * SMTPP_DONE (1: *ev holds an event). */
#define SMTPP_CONN_WAIT 3     /* a decision is unanswered (smtpp_conn_answer())
                                 or the greeting is not sent yet; nothing was
                                 consumed */
#define SMTPP_CONN_CLOSED 4   /* the connection is over: close it */

/* Commands a pipelined group may hold before the driver waits for answers. */
#define SMTPP_CONN_QUEUE 32

enum smtpp_conn_flag {
    /* Pipelined mode (see the overview): commands are checked while earlier
     * decisions are unanswered. */
    SMTPP_CONN_PIPELINE = 1u << 0,
    /* DATA bodies as the wire bytes, still dot-stuffed, the final "." line
     * included, instead of unstuffed content: forward them unchanged.
     * Nothing more is handed out once the message is doomed (a bare line
     * end under the default policy, too big, a line too long): the
     * MESSAGE_END verdict is then a refusal, and the next hop has part of
     * a message that must not be ended with ".": close that connection. */
    SMTPP_CONN_RAW_BODY = 1u << 1,
    /* Every region passed to smtpp_conn_next() is followed by
     * SMTPP_INPUT_PADDING readable, initialised octets: the parser is
     * initialised with SMTPP_INPUT_PADDED (command.h), faster with small
     * reads.  Only the command parser reads the padding. */
    SMTPP_CONN_INPUT_PADDED = 1u << 2
};

typedef enum smtpp_event_type {
    SMTPP_EV_NONE = 0,
    SMTPP_EV_PROXY,
    SMTPP_EV_COMMAND,
    SMTPP_EV_BODY,
    SMTPP_EV_MESSAGE_END,
    SMTPP_EV_AUTH,
    SMTPP_EV_REPLY,
    SMTPP_EV_CLOSE
    /* append new types here */
} smtpp_event_type;

typedef struct smtpp_event {
    uint8_t type;            /* smtpp_event_type */
    uint8_t verb;            /* the command the event belongs to (smtpp_verb):
                                COMMAND and REPLY its verb, BODY and
                                MESSAGE_END DATA or BDAT, AUTH AUTH */
    uint8_t deferred;        /* COMMAND in pipelined mode: checked against the
                                provisional state; a REPLY verdict is not to
                                be sent now (it comes back as SMTPP_EV_REPLY) */
    uint8_t last;            /* MESSAGE_END after DATA or BDAT LAST: the end
                                of the message (not just of a chunk) */
    uint32_t seq;            /* the command's number on this connection */
    smtpp_verdict v;         /* COMMAND, MESSAGE_END, AUTH, REPLY, CLOSE */
    smtpp_str raw;           /* COMMAND, AUTH: the line with its CRLF as
                                received (slice of the buffer) */
    smtpp_str data;          /* BODY: content; AUTH: decoded response */
    smtpp_proxy proxy;       /* PROXY */
    smtpp_command cmd;       /* COMMAND: the parsed line */
} smtpp_event;

/* One queued command of a pipelined group: what is needed to check it
 * again, and its verdict (private). */
typedef struct smtpp_conn_entry {
    smtpp_verdict _v;        /* provisional, then settled verdict */
    uint64_t _size;          /* SIZE= */
    uint32_t _present;       /* parameters present */
    uint32_t _seq;           /* the command's number */
    uint8_t _verb, _error, _body, _bits;
    uint8_t _prov;           /* provisional action (smtpp_action) */
    uint8_t _status;         /* queued, awaiting, superseded, due */
} smtpp_conn_entry;

typedef struct smtpp_conn {
    smtpp_session session;   /* the settled session: what was really answered
                                (read it; smtpp_session_ehlo(),
                                smtpp_session_format() take it) */
    smtpp_parser parser;     /* the command parser (its flags and limits may
                                be set after init) */
    uint32_t flags;          /* enum smtpp_conn_flag */
    uint32_t seq;            /* commands seen so far */
    /* private */
    smtpp_session _prov;     /* the provisional session (pipelined mode) */
    char *_sasl;             /* SASL decode buffer (caller's) */
    size_t _sasl_cap;
    uint8_t _other;          /* another reader consumed bytes: reset parser;
                                whether a body took all of the last region;
                                whether a DATA body is being read (conn.c,
                                OTHER_*) */
    uint8_t _closed;         /* SMTPP_EV_CLOSE handed out */
    uint8_t _qhead, _qcount; /* the queue of pipelined commands (a ring) */
    uint32_t _bodyseq;       /* seq of the DATA, BDAT or AUTH being read */
    smtpp_conn_entry _q[SMTPP_CONN_QUEUE];
} smtpp_conn;

/* Prepares a connection.  cfg (shared, read-only while sessions use it;
 * see session.h) must outlive it.  flags: enum smtpp_conn_flag.  The
 * parser is initialised with flags 0 (strict RFC 5321; SMTPP_INPUT_PADDED
 * under SMTPP_CONN_INPUT_PADDED) and its MAIL and
 * RCPT line limits set from cfg (smtpp_parser_configure(), command.h):
 * set c->parser.flags after this call for leniency; if you change
 * c->parser.max_line, call smtpp_parser_configure() again.  Never fails. */
SMTPP_API void smtpp_conn_init(smtpp_conn *c, const smtpp_config *cfg, unsigned flags);

/* The buffer AUTH responses are decoded into (RFC 4954: up to 12288 octets
 * of base64, so 9216 octets decoded).  Without one, only empty responses
 * ("=") can be decoded: others get 500 5.5.6.  The buffer must outlive
 * the connection or the next call of this function.  A proxy that only
 * forwards ev.raw still needs one for the check of the base64. */
SMTPP_API void smtpp_conn_sasl_buffer(smtpp_conn *c, char *dst, size_t cap);

/* Reports the greeting you are about to send: 220 opens the session, 554
 * refuses it (only QUIT then), 421 closes.  buffered: client bytes already
 * received; more than 0 makes the client an early talker (session.h,
 * smtpp_session_greeting()): *v is then 554 EARLY_TALKER unless
 * SMTPP_CFG_SYNC_REPORT_ONLY.  Send *v.  Call it once, before the first
 * smtpp_conn_next() that is to read commands (with SMTPP_CFG_PROXY: after
 * the PROXY event).  Returns 0, or -1 when no greeting is expected now. */
SMTPP_API int smtpp_conn_greeting(smtpp_conn *c, int code, size_t buffered, smtpp_verdict *v);

/* The next event from buf[0..len), the bytes not yet consumed.  Returns
 *   SMTPP_DONE         *ev holds an event;
 *   SMTPP_AGAIN        all complete input is handled: read more, call again;
 *   SMTPP_CONN_WAIT    answer the oldest DECIDE (smtpp_conn_answer()) or
 *                      send the greeting first; nothing was consumed;
 *   SMTPP_CONN_CLOSED  the connection is over (after SMTPP_EV_CLOSE).
 * *used: the bytes consumed by this call, whatever the result (it may be
 * more than 0 with SMTPP_AGAIN: message bytes are consumed as they come, an
 * over-long line is skipped without being buffered).  Drop them. */
SMTPP_API int smtpp_conn_next(smtpp_conn *c, const char *buf, size_t len, smtpp_event *ev,
                              size_t *used);

/* Reports the reply sent (or to be relayed) to the oldest unanswered DECIDE
 * verdict: a command's, a message's (one call per reply: v.count of them),
 * or an AUTH response's.  *v (may be NULL when you never pipeline) is set
 * to action 0 (send your reply, the decision stands) or, in pipelined mode,
 * to a REPLY verdict: the command was superseded by an earlier refusal
 * (see the overview); send *v instead.  Returns 0, or -1 when no decision
 * was awaited, or when library replies are due first (SMTPP_EV_REPLY
 * events: call smtpp_conn_next() until it hands out none); nothing
 * changes then. */
SMTPP_API int smtpp_conn_answer(smtpp_conn *c, int code, smtpp_verdict *v);

/* Decisions handed out and not yet answered. */
SMTPP_API size_t smtpp_conn_unanswered(const smtpp_conn *c);

/* Narrows the extensions this connection offers (both sessions; see
 * smtpp_session_limit_exts()). */
SMTPP_API void smtpp_conn_limit_exts(smtpp_conn *c, uint32_t mask);

/* The end of the client's input; unconsumed: the bytes still in the
 * region.  Returns 0 when the stream ended between commands (or after the
 * session closed), 1 inside a command or SASL line, 2 inside a message or a
 * BDAT chunk (a proxy must then make sure nothing partial is delivered).
 * The connection is closed afterwards. */
SMTPP_API int smtpp_conn_finish(smtpp_conn *c, size_t unconsumed);

/* "SMTPP_EV_BODY"; "" outside the enum. */
SMTPP_API const char *smtpp_event_name(smtpp_event_type t);

#ifdef __cplusplus
}
#endif
#endif /* SMTPP_CONN_H */
