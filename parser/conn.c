/* The connection driver (include/smtpp/conn.h): the loop every embedding
 * wrote by hand around the parser and the session, and the pipelined mode.
 *
 * Pipelined mode.  c->session is the settled session (S): it has seen the
 * real answers.  c->_prov (P) is S with every queued command replayed as if
 * each unanswered DECIDE had been accepted as proposed; new commands are
 * checked against P while the queue is not empty.  The queue holds, in
 * command order, every command checked since the oldest unanswered
 * decision, with a status:
 *   Q_QUEUED      checked against P only;
 *   Q_AWAITING    checked against S, which now awaits its answer (at most
 *                 one entry, and every entry before it is SUPERSEDED or DUE);
 *   Q_SUPERSEDED  forwarded as DECIDE, but S refused it when its turn came:
 *                 its answer is still due, then the client gets S's reply;
 *   Q_DUE         a library reply, checked against S: handed out as
 *                 SMTPP_EV_REPLY once it is at the head.
 * An answer settles the head; settle() then checks the queued entries
 * against S, in order, until S awaits an answer again, and rebuilds P. */
#include "internal.h"

#include <string.h>

enum { Q_QUEUED = 0, Q_AWAITING, Q_SUPERSEDED, Q_DUE };

/* smtpp_conn_entry._bits */
enum { B_UTF8 = 1u << 0, B_MORE = 1u << 1, B_LAST = 1u << 2 };

static const char *const event_names[] = {
    "SMTPP_EV_NONE", "SMTPP_EV_PROXY", "SMTPP_EV_COMMAND", "SMTPP_EV_BODY",
    "SMTPP_EV_MESSAGE_END", "SMTPP_EV_AUTH", "SMTPP_EV_REPLY", "SMTPP_EV_CLOSE"
};

const char *smtpp_event_name(smtpp_event_type t)
{
    return (unsigned)t < sizeof event_names / sizeof event_names[0] ? event_names[t] : "";
}

/* The bits of c->_other. */
enum {
    OTHER_READER = 1,   /* another reader consumed bytes: reset the parser */
    /* the last call handed out content of a body that took all of its
     * region, and the body goes on: a call with nothing more gets
     * SMTPP_AGAIN at once (smtpp_conn_next()) */
    OTHER_DRAINED = 2,
    /* a DATA body is being read, nothing queued or awaited (what
     * smtpp_session_next() would say: SMTPP_NEXT_MESSAGE, state DATA):
     * smtpp_conn_next() goes to the message's scanner at once (body_next()).
     * Set on the first read of the body, with SMTPP_DATA_RAW when the
     * driver has SMTPP_CONN_RAW_BODY; cleared when the end mark is taken.
     * Nothing else changes the session while a body is read. */
    OTHER_BODY = 4
};

void smtpp_conn_init(smtpp_conn *c, const smtpp_config *cfg, unsigned flags)
{
    /* All but the queue, four fifths of the struct: an entry is written
     * (digest()) before it is read, and only the _qcount entries from
     * _qhead are ever read. */
    smtpp__zero(c, offsetof(smtpp_conn, _q));
    smtpp_session_init(&c->session, cfg);
    smtpp_parser_init(&c->parser, (flags & SMTPP_CONN_INPUT_PADDED) ? SMTPP_INPUT_PADDED : 0);
    smtpp_parser_configure(&c->parser, cfg);   /* MAIL/RCPT/AUTH line limits */
    c->flags = flags;
}

void smtpp_conn_sasl_buffer(smtpp_conn *c, char *dst, size_t cap)
{
    c->_sasl = dst;
    c->_sasl_cap = dst ? cap : 0;
}

int smtpp_conn_greeting(smtpp_conn *c, int code, size_t buffered, smtpp_verdict *v)
{
    if (c->session.state != SMTPP_ST_GREETING) {
        memset(v, 0, sizeof *v);
        return -1;
    }
    smtpp_session_greeting(&c->session, code, buffered ? SMTPP_CHECK_MORE_INPUT : 0, v);
    return 0;
}

void smtpp_conn_limit_exts(smtpp_conn *c, uint32_t mask)
{
    smtpp_session_limit_exts(&c->session, mask);
    smtpp_session_limit_exts(&c->_prov, mask);
}

/* ---- The queue ------------------------------------------------------------ */

static smtpp_conn_entry *qat(smtpp_conn *c, unsigned i)
{
    return &c->_q[(c->_qhead + i) % SMTPP_CONN_QUEUE];
}

static void qpop(smtpp_conn *c)
{
    c->_qhead = (uint8_t)((c->_qhead + 1) % SMTPP_CONN_QUEUE);
    c->_qcount--;
}

static void digest(smtpp_conn_entry *e, const smtpp_command *cmd, unsigned flags, uint32_t seq)
{
    memset(e, 0, sizeof *e);
    e->_verb = cmd->verb;
    e->_error = cmd->error;
    e->_body = cmd->p.body;
    e->_present = cmd->p.present;
    e->_size = cmd->p.size;
    e->_seq = seq;
    e->_bits = (uint8_t)((cmd->path.utf8 ? B_UTF8 : 0) |
                         ((flags & SMTPP_CHECK_MORE_INPUT) ? B_MORE : 0) |
                         (cmd->bdat_last ? B_LAST : 0));
}

/* Checks a queued command again, against session s: the fields the session
 * reads, and nothing else, come from the digest. */
static int recheck(smtpp_session *s, const smtpp_conn_entry *e, smtpp_verdict *v)
{
    smtpp_command cmd;
    memset(&cmd, 0, sizeof cmd);
    cmd.verb = e->_verb;
    cmd.error = e->_error;
    cmd.p.body = e->_body;
    cmd.p.present = e->_present;
    cmd.p.size = e->_size;
    cmd.path.utf8 = (e->_bits & B_UTF8) != 0;
    cmd.bdat_last = (e->_bits & B_LAST) != 0;
    return smtpp_session_check(s, &cmd, (e->_bits & B_MORE) ? SMTPP_CHECK_MORE_INPUT : 0, v);
}

/* P = S, then the unanswered decision and the queued commands replayed as
 * if every decision were accepted as proposed. */
static void rebuild_prov(smtpp_conn *c)
{
    unsigned i;
    smtpp_verdict v;
    c->_prov = c->session;
    for (i = 0; i < c->_qcount; i++) {
        smtpp_conn_entry *e = qat(c, i);
        if (e->_status == Q_AWAITING) {
            smtpp_session_sent(&c->_prov, (smtpp_verb)e->_verb, e->_v.code);
        } else if (e->_status == Q_QUEUED) {
            if (recheck(&c->_prov, e, &v) == SMTPP_ACT_DECIDE)
                smtpp_session_sent(&c->_prov, (smtpp_verb)e->_verb, v.code);
        }
    }
}

/* Checks the queued commands against S, in order, until S awaits an answer
 * (or closes: nothing after a closing reply is processed).  rebuild: P may
 * differ from S replayed now (an answer other than the proposed code). */
static void settle(smtpp_conn *c, int rebuild)
{
    smtpp_session *s = &c->session;
    unsigned i;
    for (i = 0; i < c->_qcount && smtpp_session_next(s) == SMTPP_NEXT_COMMAND; i++) {
        smtpp_conn_entry *e = qat(c, i);
        smtpp_verdict v;
        int act;
        if (e->_status != Q_QUEUED) continue;
        act = recheck(s, e, &v);
        if (act != e->_prov || v.id != e->_v.id) rebuild = 1;   /* P took another path */
        if (act == SMTPP_ACT_DECIDE) {
            if (e->_prov == SMTPP_ACT_DECIDE) {
                e->_v = v;
                e->_status = Q_AWAITING;
            } else {
                /* Cannot happen with the commands held back (see
                 * smtpp_conn_next); should it, the command was not
                 * forwarded: the session follows the refusal the client
                 * is about to get. */
                smtpp_session_sent(s, (smtpp_verb)e->_verb, e->_v.code);
                e->_status = Q_DUE;
            }
        } else {
            e->_v = v;
            e->_status = e->_prov == SMTPP_ACT_DECIDE ? Q_SUPERSEDED : Q_DUE;
        }
    }
    if (s->state == SMTPP_ST_CLOSED && i < c->_qcount)
        c->_qcount = (uint8_t)i;   /* what follows a closing reply is never answered */
    /* When every answer so far was the proposed code, S has walked the
     * same checks as P did, and P is still S with the rest replayed. */
    if (rebuild) rebuild_prov(c);
}

size_t smtpp_conn_unanswered(const smtpp_conn *c)
{
    size_t n = 0;
    unsigned i;
    if (c->_qcount == 0) return c->session._await ? 1 : 0;
    for (i = 0; i < c->_qcount; i++)
        if (c->_q[(c->_qhead + i) % SMTPP_CONN_QUEUE]._prov == SMTPP_ACT_DECIDE) n++;
    return n;
}

int smtpp_conn_answer(smtpp_conn *c, int code, smtpp_verdict *v)
{
    smtpp_verdict none;
    smtpp_conn_entry *e;
    int rebuild;
    if (!v) v = &none;
    memset(v, 0, sizeof *v);
    if (c->_qcount == 0) {
        smtpp_session *s = &c->session;
        if (!s->_await) return -1;
        return smtpp_session_sent(s, (smtpp_verb)s->_await, code);
    }
    e = qat(c, 0);
    if (e->_status == Q_SUPERSEDED) {
        *v = e->_v;
        v->superseded = code >= 200 && code < 400;
        qpop(c);
        return 0;
    }
    if (e->_status != Q_AWAITING) return -1;   /* library replies are due first */
    rebuild = code != e->_v.code;
    if (smtpp_session_sent(&c->session, (smtpp_verb)e->_verb, code) != 0) return -1;
    qpop(c);
    settle(c, rebuild);
    return 0;
}

/* ---- Events ------------------------------------------------------------------ */

static void ev_start(smtpp_event *ev, int type, int verb, uint32_t seq)
{
    ev->type = (uint8_t)type;
    ev->verb = (uint8_t)verb;
    ev->deferred = 0;
    ev->last = 0;
    ev->seq = seq;
    memset(&ev->v, 0, sizeof ev->v);
    ev->raw.p = ev->data.p = NULL;
    ev->raw.n = ev->data.n = 0;
}

/* The verdict ids whose refusal could turn into a DECIDE once an unanswered
 * decision is refused: a second MAIL, a command not allowed during a
 * transaction, a recipient over the limit. */
static int may_turn(int id)
{
    return id == SMTPP_V_NESTED_MAIL || id == SMTPP_V_IN_TRANSACTION ||
           id == SMTPP_V_TOO_MANY_RCPTS;
}

/* The verbs never taken while a decision is unanswered: what follows them
 * is not a command (AUTH, BDAT), or they start a new session. */
#define VB(v) (1u << SMTPP_VERB_##v)
#define HELD_VERBS (VB(HELO) | VB(EHLO) | VB(LHLO) | VB(AUTH) | VB(STARTTLS) | VB(XCLIENT) | \
                    VB(BDAT))

static int held_verb(unsigned verb)
{
    return verb < 32 && ((HELD_VERBS >> verb) & 1);
}

/* A command line.  Returns SMTPP_DONE with *ev, SMTPP_AGAIN, or
 * SMTPP_CONN_WAIT (the command is held back: nothing consumed). */
static int on_command(smtpp_conn *c, const char *buf, size_t len, smtpp_event *ev, size_t *used)
{
    int r, pipelined = c->_qcount > 0;
    unsigned flags;
    if (c->_other & OTHER_READER) smtpp_parser_reset(&c->parser);
    c->_other = 0;
    r = smtpp_parse_command(&c->parser, buf, len, &ev->cmd, used);
    if (r == SMTPP_AGAIN) return SMTPP_AGAIN;
    flags = *used < len ? SMTPP_CHECK_MORE_INPUT : 0;
    ev_start(ev, SMTPP_EV_COMMAND, ev->cmd.verb, c->seq);
    ev->raw.p = buf;
    ev->raw.n = *used;
    if (!pipelined) {
        smtpp_session_check(&c->session, &ev->cmd, flags, &ev->v);
        if (ev->v.action == SMTPP_ACT_BODY) {
            c->_bodyseq = c->seq;
        } else if (ev->v.action == SMTPP_ACT_DECIDE && (c->flags & SMTPP_CONN_PIPELINE) &&
                   !held_verb(ev->cmd.verb)) {
            smtpp_conn_entry *e = &c->_q[c->_qhead];
            digest(e, &ev->cmd, flags, c->seq);
            e->_prov = SMTPP_ACT_DECIDE;
            e->_status = Q_AWAITING;
            e->_v = ev->v;
            c->_qcount = 1;
            rebuild_prov(c);
        }
        if (ev->v.action == SMTPP_ACT_DECIDE && ev->cmd.verb == SMTPP_VERB_AUTH)
            c->_bodyseq = c->seq;
    } else {
        smtpp_session saved;
        smtpp_conn_entry *e;
        unsigned verb = ev->cmd.verb;
        /* BDAT even with an error: what follows it is a chunk or lost */
        int held = c->_qcount >= SMTPP_CONN_QUEUE || verb == SMTPP_VERB_BDAT ||
                   (!ev->cmd.error && held_verb(verb));
        if (!held) {
            saved = c->_prov;
            smtpp_session_check(&c->_prov, &ev->cmd, flags, &ev->v);
            if ((ev->v.action == SMTPP_ACT_REPLY && may_turn(ev->v.id)) ||
                ev->v.action == SMTPP_ACT_BODY) {
                c->_prov = saved;
                held = 1;
            }
        }
        if (held) {
            /* Taken again once the queue is empty; the parser forgets it. */
            *used = 0;
            c->_other = OTHER_READER;
            ev->type = SMTPP_EV_NONE;
            return SMTPP_CONN_WAIT;
        }
        if (ev->v.action == SMTPP_ACT_DECIDE)
            smtpp_session_sent(&c->_prov, (smtpp_verb)verb, ev->v.code);
        e = qat(c, c->_qcount);
        digest(e, &ev->cmd, flags, c->seq);
        e->_prov = ev->v.action;
        e->_status = Q_QUEUED;
        e->_v = ev->v;
        c->_qcount++;
        ev->deferred = 1;
        /* nothing unanswered before it any more: settle it at once */
        if (smtpp_session_next(&c->session) == SMTPP_NEXT_COMMAND) settle(c, 1);
    }
    c->seq++;
    return SMTPP_DONE;
}

/* One call of the message's reader on buf[off..len): the body scanner
 * itself for a DATA body (OTHER_BODY; smtpp_session_data() for the state
 * it knows), else smtpp_session_data().  *out: the content; *n: octets
 * consumed. */
static int message_read(smtpp_conn *c, const char *buf, size_t len, size_t off, smtpp_str *out,
                        size_t *n)
{
    /* (buf is NULL when len is 0, and NULL + 0 is undefined) */
    const char *at = off ? buf + off : buf;
    *n = 0;
    if (c->_other & OTHER_BODY) {
        int r = smtpp_data_parse(&c->session.data, at, len - off, out, n);
        if (r == SMTPP_DONE) {
            c->session._body_done = 1;
            c->_other = OTHER_READER;
        }
        return r;
    }
    return smtpp_session_data(&c->session, at, len - off, out, n);
}

/* The BODY event for the content in ev->data, after the reader consumed
 * *used octets of len and answered r.  Returns SMTPP_DONE. */
static int body_event(smtpp_conn *c, smtpp_event *ev, size_t len, int r, const size_t *used)
{
    smtpp_str data = ev->data;
    ev_start(ev, SMTPP_EV_BODY,
             c->session.state == SMTPP_ST_BDAT ? SMTPP_VERB_BDAT : SMTPP_VERB_DATA, c->_bodyseq);
    ev->data = data;
    if (r == SMTPP_AGAIN && *used == len) c->_other |= OTHER_DRAINED;
    return SMTPP_DONE;
}

/* Message bytes: a DATA body or a BDAT chunk, after a call of the reader
 * that consumed off octets and gave r and ev->data.  Returns SMTPP_DONE
 * with a BODY event, SMTPP_AGAIN, or -2 (the end mark was consumed: the
 * MESSAGE_END event is next). */
static int message_from(smtpp_conn *c, const char *buf, size_t len, smtpp_event *ev,
                        size_t *used, size_t off, int r)
{
    while (r >= 0) {
        size_t n;
        if (ev->data.n) {
            *used = off;
            return body_event(c, ev, len, r, used);
        }
        if (r != SMTPP_MORE) break;   /* SMTPP_AGAIN: all consumed; SMTPP_DONE: the end follows */
        r = message_read(c, buf, len, off, &ev->data, &n);
        off += n;
    }
    *used = off;
    return c->session._body_done ? -2 : SMTPP_AGAIN;
}

static int message_end(smtpp_conn *c, smtpp_event *ev)
{
    smtpp_session *s = &c->session;
    int bdat = s->state == SMTPP_ST_BDAT;
    int last = !bdat || s->_last;
    ev_start(ev, SMTPP_EV_MESSAGE_END, bdat ? SMTPP_VERB_BDAT : SMTPP_VERB_DATA, c->_bodyseq);
    ev->last = (uint8_t)last;
    smtpp_session_data_end(s, &ev->v);
    return SMTPP_DONE;
}

static int close_event(smtpp_conn *c, smtpp_event *ev)
{
    ev_start(ev, SMTPP_EV_CLOSE, 0, c->seq);
    c->_closed = 1;
    return SMTPP_DONE;
}

/* A read of a message past its first call of the reader (r, n octets
 * consumed, ev->data): its content, or the end of the message. */
static SMTPP_NOINLINE int body_rest(smtpp_conn *c, const char *buf, size_t len, smtpp_event *ev,
                                    size_t *used, size_t n, int r)
{
    r = message_from(c, buf, len, ev, used, n, r);
    if (r != -2) return r;
    return message_end(c, ev);   /* the end mark was consumed */
}

/* A read of a message: its content, or the end of the message.  The
 * usual one (content, and all of it taken) here, the rest in body_rest():
 * this function saves few registers. */
static SMTPP_NOINLINE int body_next(smtpp_conn *c, const char *buf, size_t len, smtpp_event *ev,
                                    size_t *used)
{
    int r = message_read(c, buf, len, 0, &ev->data, used);
    if (SMTPP_LIKELY(r == SMTPP_AGAIN && ev->data.n)) return body_event(c, ev, len, r, used);
    return body_rest(c, buf, len, ev, used, *used, r);
}

/* smtpp_conn_next() past its first tests (below). */
static SMTPP_NOINLINE int conn_next_event(smtpp_conn *c, const char *buf, size_t len,
                                          smtpp_event *ev, size_t *used)
{
    smtpp_session *s = &c->session;

    /* library replies of a pipelined group, in their turn */
    if (c->_qcount) {
        smtpp_conn_entry *e = qat(c, 0);
        if (e->_status == Q_DUE) {
            ev_start(ev, SMTPP_EV_REPLY, e->_verb, e->_seq);
            ev->v = e->_v;
            qpop(c);
            return SMTPP_DONE;
        }
        /* new commands go against the provisional state, if it takes any */
        if (s->state == SMTPP_ST_CLOSED) return SMTPP_CONN_WAIT;
        if (smtpp_session_next(&c->_prov) != SMTPP_NEXT_COMMAND) return SMTPP_CONN_WAIT;
        return on_command(c, buf, len, ev, used);
    }

    /* (inline for a command and for a message being read: each read of a
     * body comes here for its content) */
    switch (smtpp_session_next(s)) {
    case SMTPP_NEXT_COMMAND:
        return on_command(c, buf, len, ev, used);
    case SMTPP_NEXT_MESSAGE:
        c->_other = OTHER_READER;
        if (s->state == SMTPP_ST_DATA) {
            /* the first read of a DATA body: the next ones go to
             * body_next() at once.  SMTPP_CONN_RAW_BODY: the DATA reader
             * hands out the message dot-stuffed, as the next hop must
             * receive it (the bytes the client sent while they conform;
             * bare line ends rewritten under NORMALISE), its DONE slice
             * the ".\r\n" mark, nothing once the message is doomed. */
            c->_other = OTHER_READER | OTHER_BODY;
            if (c->flags & SMTPP_CONN_RAW_BODY) s->data.flags |= SMTPP_DATA_RAW;
        }
        return body_next(c, buf, len, ev, used);
    case SMTPP_NEXT_REPLY:
        if (!s->_await && s->_body_done) return message_end(c, ev);
        return SMTPP_CONN_WAIT;
    case SMTPP_NEXT_SASL: {
        smtpp_str resp;
        smtpp_verdict v;
        int r;
        c->_other = OTHER_READER;
        r = smtpp_session_auth_line(s, buf, len, used, c->_sasl, c->_sasl_cap, &resp, &v);
        if (r == SMTPP_AGAIN) return SMTPP_AGAIN;
        ev_start(ev, SMTPP_EV_AUTH, SMTPP_VERB_AUTH, c->_bodyseq);
        ev->v = v;
        ev->raw.p = buf;
        ev->raw.n = *used;
        ev->data = resp;
        return SMTPP_DONE;
    }
    case SMTPP_NEXT_PROXY: {
        smtpp_verdict v;
        int r;
        c->_other = OTHER_READER;
        r = smtpp_session_proxy(s, buf, len, &ev->proxy, used, &v);
        if (r == SMTPP_AGAIN) return SMTPP_AGAIN;
        ev_start(ev, SMTPP_EV_PROXY, 0, c->seq);
        ev->v = v;
        ev->raw.p = buf;
        ev->raw.n = *used;
        return SMTPP_DONE;
    }
    case SMTPP_NEXT_GREETING:
        return SMTPP_CONN_WAIT;
    default:   /* SMTPP_NEXT_NOTHING: closed */
        return close_event(c, ev);
    }
}

int smtpp_conn_next(smtpp_conn *c, const char *buf, size_t len, smtpp_event *ev, size_t *used)
{
    *used = 0;
    ev->type = SMTPP_EV_NONE;
    if (c->_closed) return SMTPP_CONN_CLOSED;
    /* Reads of a body, here before any register is saved
     * (conn_next_event() has the rest).  The call after a body's content
     * that took all of the last region (the second call of every read of
     * a body), with nothing more: what the message's scanner would answer.
     * (Nothing is queued while a body is read: with a queue, only
     * commands are.)  Then a DATA body's next read: its scanner at once. */
    if (c->_other & (OTHER_DRAINED | OTHER_BODY)) {
        if (c->_other & OTHER_DRAINED) {
            c->_other &= (uint8_t)~OTHER_DRAINED;
            if (len == 0) return SMTPP_AGAIN;
        }
        /* the next read of a DATA body */
        if (c->_other & OTHER_BODY) return body_next(c, buf, len, ev, used);
    }
    return conn_next_event(c, buf, len, ev, used);
}

int smtpp_conn_finish(smtpp_conn *c, size_t unconsumed)
{
    smtpp_session *s = &c->session;
    int r = 0;
    if (!c->_closed && s->state != SMTPP_ST_CLOSED) {
        if (c->_qcount == 0 && (s->state == SMTPP_ST_DATA || s->state == SMTPP_ST_BDAT) &&
            !s->_body_done && !s->_await)
            r = 2;
        else if (s->state == SMTPP_ST_AUTH && !s->_await)
            r = unconsumed > 0 || s->_skipping;
        else {
            if (c->_other & OTHER_READER) smtpp_parser_reset(&c->parser);
            r = smtpp_parser_finish(&c->parser, unconsumed);
        }
    }
    c->_closed = 1;
    c->_qcount = 0;
    return r;
}
