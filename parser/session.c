/* The session validator: sequencing (RFC 5321 4.1.4, 3.3), extensions
 * offered, server decisions fed back, message bodies, AUTH exchanges,
 * pipelining and connection limits.  docs/session-state.md draws the state
 * machine implemented here. */
#include "internal.h"
#include "vocab.h"

#include <string.h>
#if defined(SMTPP_CHECK_FAST_PATHS)
#  include <stdlib.h>
#endif

/* ---- The verdict table --------------------------------------------------- */

/* Every verdict as filled in, but for the action: one copy fills a
 * verdict, and the table lookups read it too. */
static const smtpp_verdict verdicts[SMTPP_V__COUNT] = {
#define SMTPP_X_(name, code, enh, close, text) \
    { 0, SMTPP_V_##name, close, 0, code, 0, 0, 1, enh, text },
    SMTPP_VERDICT_MAP(SMTPP_X_)
#undef SMTPP_X_
};

static const char *const verdict_names[SMTPP_V__COUNT] = {
#define SMTPP_X_(name, code, enh, close, text) "SMTPP_V_" #name,
    SMTPP_VERDICT_MAP(SMTPP_X_)
#undef SMTPP_X_
};

#define VOK(id) ((unsigned)(id) < SMTPP_V__COUNT)

const char *smtpp_verdict_name(smtpp_verdict_id id) { return VOK(id) ? verdict_names[id] : ""; }
int smtpp_verdict_code(smtpp_verdict_id id) { return VOK(id) ? verdicts[id].code : 0; }
const char *smtpp_verdict_enhanced(smtpp_verdict_id id) { return VOK(id) ? verdicts[id].enhanced : ""; }
int smtpp_verdict_closes(smtpp_verdict_id id) { return VOK(id) ? verdicts[id].close : 0; }
const char *smtpp_verdict_text(smtpp_verdict_id id) { return VOK(id) ? verdicts[id].text : ""; }

smtpp_verdict smtpp_verdict_row(smtpp_verdict_id id)
{
    smtpp_verdict v = verdicts[VOK(id) ? id : SMTPP_V_NONE];
    v.action = SMTPP_ACT_REPLY;
    return v;
}

static const char *const state_names[] = {
    "SMTPP_ST_PROXY", "SMTPP_ST_GREETING", "SMTPP_ST_REFUSED", "SMTPP_ST_CONNECTED",
    "SMTPP_ST_READY", "SMTPP_ST_MAIL", "SMTPP_ST_RCPT", "SMTPP_ST_DATA", "SMTPP_ST_BDAT",
    "SMTPP_ST_CHUNKING", "SMTPP_ST_AUTH", "SMTPP_ST_CLOSED"
};

const char *smtpp_state_name(smtpp_state st)
{
    return (unsigned)st < sizeof state_names / sizeof state_names[0] ? state_names[st] : "";
}

/* ---- Configuration -------------------------------------------------------- */

void smtpp_config_init(smtpp_config *cfg, const char *hostname)
{
    memset(cfg, 0, sizeof *cfg);
    cfg->hostname = hostname;
    cfg->exts = SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING) | SMTPP_EXT_BIT(SMTPP_EXT_8BITMIME) |
                SMTPP_EXT_BIT(SMTPP_EXT_ENHANCEDSTATUSCODES) | SMTPP_EXT_BIT(SMTPP_EXT_HELP);
    cfg->max_rcpts = 1000;
    cfg->max_errors = 20;
    cfg->max_junk = 100;
    cfg->auth_line_max = 12288;
}

/* ---- Helpers ----------------------------------------------------------------- */

#define ST(x) (1u << SMTPP_ST_##x)
/* the states in which the next client line is a command */
#define COMMAND_STATES (ST(REFUSED) | ST(CONNECTED) | ST(READY) | ST(MAIL) | ST(RCPT) | ST(CHUNKING))

enum { DATA_BEFORE_354 = 0, DATA_BODY, DATA_BODY_DONE, DATA_FINAL };

static int esmtp(const smtpp_session *s)
{
    return s->helo == SMTPP_VERB_EHLO || s->helo == SMTPP_VERB_LHLO;
}

static int in_transaction(const smtpp_session *s)
{
    return s->state == SMTPP_ST_MAIL || s->state == SMTPP_ST_RCPT ||
           s->state == SMTPP_ST_CHUNKING;
}

/* The configuration's extensions as narrowed on this session
 * (smtpp_session_limit_exts). */
static uint32_t cfg_exts(const smtpp_session *s)
{
    return s->cfg->exts & ~s->_exts_off;
}

/* The extensions that may be advertised now (whatever the greeting), one
 * bit per smtpp_ext. */
static uint32_t avail_mask(const smtpp_session *s)
{
    const smtpp_config *c = s->cfg;
    uint32_t m = cfg_exts(s);
    m &= ~SMTPP_EXT_BIT(s->tls ? SMTPP_EXT_STARTTLS : SMTPP_EXT_REQUIRETLS); /* RFC 8689 2 */
    if (!(m & SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING))) m &= ~SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME);
    if (c->auth_mechs == 0 || (!s->tls && (c->flags & SMTPP_CFG_AUTH_NEEDS_TLS)))
        m &= ~SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    /* the FUTURERELEASE keyword carries both maxima (RFC 4865 3): without
     * them it cannot be advertised, nor HOLDFOR/HOLDUNTIL accepted */
    if (c->hold_max == 0 || c->hold_until_max == NULL || c->hold_until_max[0] == '\0')
        m &= ~SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE);
    return m;
}

/* The extensions avail_mask() may take away from cfg_exts(). */
#define AVAIL_NARROWS (SMTPP_EXT_BIT(SMTPP_EXT_STARTTLS) | SMTPP_EXT_BIT(SMTPP_EXT_REQUIRETLS) | \
                       SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME) | SMTPP_EXT_BIT(SMTPP_EXT_AUTH) | \
                       SMTPP_EXT_BIT(SMTPP_EXT_FUTURERELEASE))

static int avail(const smtpp_session *s, int ext)
{
    return (unsigned)ext < 32 && (avail_mask(s) & SMTPP_EXT_BIT(ext)) != 0;
}

/* The extensions offered in this session: none after HELO. */
static uint32_t offered_mask(const smtpp_session *s)
{
    return esmtp(s) ? avail_mask(s) : 0;
}

/* smtpp_session_offers(s, SMTPP_EXT_PIPELINING) without the rest of
 * avail_mask(), which never takes PIPELINING away: asked for every
 * pipelined command. */
static int pipelining_offered(const smtpp_session *s)
{
    return (s->cfg->exts & SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING)) &&
           !(s->_exts_off & SMTPP_EXT_BIT(SMTPP_EXT_PIPELINING)) && esmtp(s);
}

int smtpp_session_offers(const smtpp_session *s, smtpp_ext ext)
{
    return (unsigned)ext < 32 && (offered_mask(s) & SMTPP_EXT_BIT(ext)) != 0;
}

/* The verbs that may only end a pipeline group (RFC 2920 3.1), as bits. */
#define VB(v) (1u << SMTPP_VERB_##v)
#define GROUP_ENDERS (VB(HELO) | VB(EHLO) | VB(LHLO) | VB(DATA) | VB(VRFY) | VB(EXPN) | \
                      VB(TURN) | VB(ATRN) | VB(QUIT) | VB(NOOP) | VB(AUTH) | VB(STARTTLS) | \
                      VB(XCLIENT))

int smtpp_verb_ends_group(smtpp_verb v)
{
    return (unsigned)v < 32 && ((GROUP_ENDERS >> v) & 1);
}

/* The DATA scanner's flags from the configuration's. */
static unsigned data_flags(uint32_t f)
{
    unsigned d = 0;
    if (f & SMTPP_CFG_PASS_BARE) d |= SMTPP_DATA_PASS_BARE;
    if (f & SMTPP_CFG_NORMALISE_BARE) d |= SMTPP_DATA_NORMALISE_BARE;
    if (f & SMTPP_CFG_DATA_RAW) d |= SMTPP_DATA_RAW;
    if (f & SMTPP_CFG_REFUSE_NUL) d |= SMTPP_DATA_REFUSE_NUL;
    return d;
}

static void reset_transaction(smtpp_session *s)
{
    s->rcpts = 0;
    s->rcpt_tried = 0;
    s->body = 0;
    s->smtputf8 = 0;
    s->mail_size = 0;
    s->chunked = 0;
    s->_failed = 0;
    s->_body_done = 0;
    s->state = (uint8_t)(s->helo ? SMTPP_ST_READY : SMTPP_ST_CONNECTED);
}

static int fill(smtpp_verdict *v, smtpp_verdict_id id, int action)
{
    *v = verdicts[id];
    v->action = (uint8_t)action;
    return action;
}

/* A reply the library decides.  Counts errors; closing replies close. */
static int reply(smtpp_session *s, smtpp_verdict *v, smtpp_verdict_id id)
{
    fill(v, id, SMTPP_ACT_REPLY);
    if (v->code >= 400) s->errors++;
    if (v->close) {
        s->state = SMTPP_ST_CLOSED;
        v->resets = SMTPP_RESET_DONE;
    }
    return SMTPP_ACT_REPLY;
}

/* The verbs whose positive reply ends the mail transaction. */
#define RESETTING_VERBS (VB(HELO) | VB(EHLO) | VB(LHLO) | VB(STARTTLS) | VB(XCLIENT))

static int decide(smtpp_session *s, smtpp_verdict *v, smtpp_verdict_id id, smtpp_verb verb)
{
    s->_await = (uint8_t)verb;
    fill(v, id, SMTPP_ACT_DECIDE);
    if ((unsigned)verb < 32 && ((RESETTING_VERBS >> verb) & 1))
        v->resets = SMTPP_RESET_IF_ACCEPTED;
    return SMTPP_ACT_DECIDE;
}

static int misuse(smtpp_verdict *v)
{
    return fill(v, SMTPP_V_MISUSE, SMTPP_ACT_REPLY);
}

/* 1 when every known parameter of cmd belongs to an offered extension
 * (param_ext[], vocab.h: the SMTPP_PARAM_MAP row's extension). */
static inline int params_offered(const smtpp_session *s, const smtpp_command *cmd)
{
    /* the known parameters (bits past them are ignored) */
    uint32_t todo = cmd->p.present & (uint32_t)((1ull << SMTPP_PARAM__COUNT) - 1), need = 0;
    if (!todo) return 1;
    /* only the parameters present: most commands carry none or one */
    while (todo) {
        unsigned id;
#if defined(__GNUC__)
        id = (unsigned)__builtin_ctz(todo);
#else
        for (id = 0; !(todo & (1u << id)); id++)
            ;
#endif
        todo &= todo - 1;
        need |= SMTPP_EXT_BIT(param_ext[id]);
    }
    if ((cmd->p.present & (1u << SMTPP_PARAM_BODY)) && cmd->p.body == SMTPP_BODY_BINARYMIME)
        need = (need & ~SMTPP_EXT_BIT(SMTPP_EXT_8BITMIME)) | SMTPP_EXT_BIT(SMTPP_EXT_BINARYMIME);
    /* offered_mask() after EHLO is cfg_exts() less what avail_mask() takes
     * away, which only a few parameters need */
    if (!esmtp(s)) return need == 0;
    if (!(need & AVAIL_NARROWS)) return (need & ~cfg_exts(s)) == 0;
    return (need & ~avail_mask(s)) == 0;
}

/* TLS and AUTH requirements of the configuration for mail commands. */
static smtpp_verdict_id gates(const smtpp_session *s)
{
    unsigned f = s->cfg->flags;
    if (SMTPP_LIKELY(!(f & (SMTPP_CFG_REQUIRE_TLS | SMTPP_CFG_REQUIRE_AUTH)))) return SMTPP_V_NONE;
    if ((f & SMTPP_CFG_REQUIRE_TLS) && !s->tls) return SMTPP_V_TLS_REQUIRED;
    if ((f & SMTPP_CFG_REQUIRE_AUTH) && !s->authed) return SMTPP_V_AUTH_REQUIRED;
    return SMTPP_V_NONE;
}

/* Why DATA or BDAT cannot start now, or NONE. */
static smtpp_verdict_id need_recipients(const smtpp_session *s)
{
    if (s->state == SMTPP_ST_CONNECTED) return SMTPP_V_NEED_HELO;
    if (s->state == SMTPP_ST_READY) return SMTPP_V_NEED_MAIL;
    if (s->state == SMTPP_ST_MAIL)
        return s->rcpt_tried ? SMTPP_V_NO_VALID_RCPT : SMTPP_V_NEED_RCPT;
    return SMTPP_V_NONE;
}

/* ---- Life cycle ---------------------------------------------------------------- */

void smtpp_session_init(smtpp_session *s, const smtpp_config *cfg)
{
    smtpp__zero(s, sizeof *s);
    s->cfg = cfg;
    s->state = (uint8_t)((cfg->flags & SMTPP_CFG_PROXY) ? SMTPP_ST_PROXY : SMTPP_ST_GREETING);
}

/* smtpp_session_next() past its inline part (session.h), for every state:
 * the usual ones too, since it is also 0.1's exported function (below).
 * The states with nothing awaited first: a command, a message. */
smtpp_next smtpp__session_next_other(const smtpp_session *s)
{
    if (!s->_await) {
        if ((unsigned)(s->state - SMTPP_ST_REFUSED) <=
                (unsigned)(SMTPP_ST_RCPT - SMTPP_ST_REFUSED) ||
            s->state == SMTPP_ST_CHUNKING)
            return SMTPP_NEXT_COMMAND;
        if (s->state == SMTPP_ST_DATA || s->state == SMTPP_ST_BDAT)
            return s->_body_done ? SMTPP_NEXT_REPLY : SMTPP_NEXT_MESSAGE;
    }
    switch (s->state) {
    case SMTPP_ST_PROXY:    return SMTPP_NEXT_PROXY;
    case SMTPP_ST_GREETING: return SMTPP_NEXT_GREETING;
    case SMTPP_ST_CLOSED:   return SMTPP_NEXT_NOTHING;
    default: break;
    }
    if (s->_await) return SMTPP_NEXT_REPLY;
    /* AUTH; any other value is not a state: nothing can be done */
    return s->state == SMTPP_ST_AUTH ? SMTPP_NEXT_SASL : SMTPP_NEXT_NOTHING;
}

/* 0.1 exported smtpp_session_next() itself, which the header now has
 * inline: a program linked against 0.1's shared library still finds the
 * symbol.  (It calls the out-of-line part, which answers every state: a
 * call to the inline one here could leave a local copy of that name.) */
#if defined(__GNUC__) && !defined(_WIN32)
#  define SMTPP_SYM2(x) #x
#  define SMTPP_SYM(x) SMTPP_SYM2(x)
SMTPP_API smtpp_next smtpp__session_next_0_1(const smtpp_session *s)
    __asm__(SMTPP_SYM(__USER_LABEL_PREFIX__) "smtpp_session_next");
smtpp_next smtpp__session_next_0_1(const smtpp_session *s)
{
    return smtpp__session_next_other(s);
}
#endif

int smtpp_session_proxy(smtpp_session *s, const char *buf, size_t len,
                        smtpp_proxy *out, size_t *used, smtpp_verdict *v)
{
    int r;
    memset(v, 0, sizeof *v);
    *used = 0;
    if (s->state != SMTPP_ST_PROXY) {
        memset(out, 0, sizeof *out);
        misuse(v);
        return SMTPP_DONE;
    }
    r = smtpp_proxy_parse(buf, len, out, used);
    if (r == SMTPP_AGAIN) return SMTPP_AGAIN;
    if (r < 0) {
        fill(v, SMTPP_V_PROXY_BAD, SMTPP_ACT_CLOSE);
        s->state = SMTPP_ST_CLOSED;
        return SMTPP_DONE;
    }
    s->state = SMTPP_ST_GREETING;
    return SMTPP_DONE;
}

void smtpp_session_greeting(smtpp_session *s, int code, unsigned flags, smtpp_verdict *v)
{
    if (s->state != SMTPP_ST_GREETING) {
        misuse(v);
        return;
    }
    if (flags & SMTPP_CHECK_MORE_INPUT) {
        s->early_talker = 1;
        s->sync_errors++;
        if (!(s->cfg->flags & SMTPP_CFG_SYNC_REPORT_ONLY)) {
            reply(s, v, SMTPP_V_EARLY_TALKER);
            return;
        }
    }
    fill(v, SMTPP_V_GREETING, SMTPP_ACT_REPLY);
    v->code = (uint16_t)code;
    if (code == 220) {
        s->state = SMTPP_ST_CONNECTED;
    } else if (code == 554) {
        v->text = "Service refused";
        s->state = SMTPP_ST_REFUSED;
    } else {
        v->text = "Service not available";
        v->close = 1;
        s->state = SMTPP_ST_CLOSED;
    }
}

/* ---- Commands -------------------------------------------------------------------- */

/* A BDAT line refused after its size was read: the chunk can be framed
 * (the parser sets bdat_sized only then; the error is checked again so
 * that no later rule of the parser can turn a doubtful line into one). */
static int bdat_framed(const smtpp_command *cmd)
{
    return !cmd->error ||
           (cmd->bdat_sized && (cmd->error == SMTPP_E_SYNTAX || cmd->error == SMTPP_E_NUL));
}

/* The chunk of n octets follows the command whatever its fate: read it
 * first.  why: the verdict after it when it is refused now (NONE: the
 * server decides after it). */
static int bdat_body(smtpp_session *s, uint64_t n, int last, smtpp_verdict_id why,
                     smtpp_error e, smtpp_verdict *v)
{
    s->_pending = (uint8_t)why;
    s->_pending_error = (uint8_t)e;
    s->_prior = s->state;
    s->_last = (uint8_t)last;
    s->_chunk_left = n;
    s->_body_done = 0;
    s->state = SMTPP_ST_BDAT;
    fill(v, SMTPP_V_NONE, SMTPP_ACT_BODY);
    v->code = 0;
    v->parse_error = (uint8_t)e;
    return SMTPP_ACT_BODY;
}

static SMTPP_NOINLINE int parse_error(smtpp_session *s, const smtpp_command *cmd, smtpp_verdict *v)
{
    smtpp_error e = (smtpp_error)cmd->error;
    if (cmd->verb == SMTPP_VERB_BDAT && bdat_framed(cmd)) {
        /* A wrong rest of line after a valid size (RFC 3030 2): the chunk
         * is read and refused, and the session goes on.  LAST is not
         * trusted on such a line: the transaction is failed, not ended. */
        return bdat_body(s, cmd->bdat_size, 0, SMTPP_V_BDAT_BAD_ARGS, e, v);
    }
    if (cmd->verb == SMTPP_VERB_BDAT) {
        /* The chunk size is unknown: the bytes that follow cannot be
         * framed, so the stream is lost (RFC 3030 has no recovery). */
        reply(s, v, SMTPP_V_BDAT_SYNTAX);
    } else {
        reply(s, v, e == SMTPP_E_UNKNOWN_COMMAND ? SMTPP_V_UNRECOGNIZED : SMTPP_V_SYNTAX);
        v->code = (uint16_t)smtpp_error_code(e);
        v->enhanced = smtpp_error_enhanced_for(e, (smtpp_verb)cmd->verb);
        v->text = smtpp_error_reason(e);
    }
    v->parse_error = (uint8_t)e;
    return SMTPP_ACT_REPLY;
}

/* The rules of MAIL after the state and the configuration's TLS and AUTH
 * requirements. */
static SMTPP_NOINLINE int mail_params(smtpp_session *s, const smtpp_command *cmd, smtpp_verdict *v)
{
    if (!params_offered(s, cmd)) return reply(s, v, SMTPP_V_PARAM_NOT_OFFERED);
    if ((cmd->p.present & (1u << SMTPP_PARAM_SIZE)) && s->cfg->max_size &&
        cmd->p.size > s->cfg->max_size)
        return reply(s, v, SMTPP_V_SIZE_EXCEEDED);   /* RFC 1870 6.1 */
    /* Kept for the transaction; cleared again if the server refuses. */
    s->body = cmd->p.body;
    s->smtputf8 = (cmd->p.present & (1u << SMTPP_PARAM_SMTPUTF8)) != 0;
    s->mail_size = cmd->p.size;
    return decide(s, v, SMTPP_V_MAIL_OK, SMTPP_VERB_MAIL);
}

/* Every rule of MAIL, in order. */
static SMTPP_NOINLINE int mail_rules(smtpp_session *s, const smtpp_command *cmd, smtpp_verdict *v)
{
    smtpp_verdict_id g;
    if (s->state == SMTPP_ST_CONNECTED) return reply(s, v, SMTPP_V_NEED_HELO);
    if ((g = gates(s)) != SMTPP_V_NONE) return reply(s, v, g);
    if (in_transaction(s)) return reply(s, v, SMTPP_V_NESTED_MAIL);
    return mail_params(s, cmd, v);
}

/* RFC 6531 3.3: UTF-8 in a parameter value only in an SMTPUTF8
 * transaction; outside it the value breaks RFC 5321's esmtp-value, which
 * the parser would have refused on MAIL. */
static SMTPP_NOINLINE int utf8_param_value(smtpp_session *s, smtpp_verdict *v)
{
    reply(s, v, SMTPP_V_SYNTAX);
    v->code = (uint16_t)smtpp_error_code(SMTPP_E_PARAM_VALUE);
    v->enhanced = smtpp_error_enhanced(SMTPP_E_PARAM_VALUE);
    v->text = smtpp_error_reason(SMTPP_E_PARAM_VALUE);
    v->parse_error = SMTPP_E_PARAM_VALUE;
    return SMTPP_ACT_REPLY;
}

/* The rules of RCPT after the state and the configuration's TLS and AUTH
 * requirements. */
static SMTPP_NOINLINE int rcpt_params(smtpp_session *s, const smtpp_command *cmd, smtpp_verdict *v)
{
    if (!params_offered(s, cmd)) return reply(s, v, SMTPP_V_PARAM_NOT_OFFERED);
    if (cmd->path.utf8 && !s->smtputf8) return reply(s, v, SMTPP_V_UTF8_ADDRESS);
    if (cmd->params_utf8 && !s->smtputf8) return utf8_param_value(s, v);
    if (s->cfg->max_rcpts && s->rcpts >= s->cfg->max_rcpts)
        return reply(s, v, SMTPP_V_TOO_MANY_RCPTS);
    return decide(s, v, SMTPP_V_RCPT_OK, SMTPP_VERB_RCPT);
}

/* Every rule of RCPT, in order. */
static SMTPP_NOINLINE int rcpt_rules(smtpp_session *s, const smtpp_command *cmd, smtpp_verdict *v)
{
    smtpp_verdict_id g;
    if (SMTPP_UNLIKELY(s->state != SMTPP_ST_MAIL && s->state != SMTPP_ST_RCPT)) {
        if (s->state == SMTPP_ST_CONNECTED) return reply(s, v, SMTPP_V_NEED_HELO);
        if ((g = gates(s)) != SMTPP_V_NONE) return reply(s, v, g);
        if (s->state == SMTPP_ST_READY) return reply(s, v, SMTPP_V_NEED_MAIL);
        return reply(s, v, SMTPP_V_RCPT_AFTER_BDAT);  /* CHUNKING */
    }
    if ((g = gates(s)) != SMTPP_V_NONE) return reply(s, v, g);
    return rcpt_params(s, cmd, v);
}

static SMTPP_NOINLINE int check_data(smtpp_session *s, smtpp_verdict *v)
{
    smtpp_verdict_id g;
    if (s->state == SMTPP_ST_CONNECTED) return reply(s, v, SMTPP_V_NEED_HELO);
    if ((g = gates(s)) != SMTPP_V_NONE) return reply(s, v, g);
    if (s->state == SMTPP_ST_CHUNKING) return reply(s, v, SMTPP_V_DATA_AFTER_BDAT);
    if ((g = need_recipients(s)) != SMTPP_V_NONE) return reply(s, v, g);
    if (s->body == SMTPP_BODY_BINARYMIME) return reply(s, v, SMTPP_V_BINARYMIME_DATA);
    s->_stage = DATA_BEFORE_354;
    return decide(s, v, SMTPP_V_START_DATA, SMTPP_VERB_DATA);
}

static int check_bdat(smtpp_session *s, const smtpp_command *cmd, smtpp_verdict *v)
{
    smtpp_verdict_id why = SMTPP_V_NONE;
    uint64_t n = cmd->bdat_size;

    if (!smtpp_session_offers(s, SMTPP_EXT_CHUNKING) && s->state != SMTPP_ST_CONNECTED)
        why = SMTPP_V_NOT_IMPLEMENTED;
    else if (s->state == SMTPP_ST_CONNECTED)
        why = (cfg_exts(s) & SMTPP_EXT_BIT(SMTPP_EXT_CHUNKING)) ? SMTPP_V_NEED_HELO
                                                                 : SMTPP_V_NOT_IMPLEMENTED;
    else if ((why = gates(s)) != SMTPP_V_NONE)
        ;
    else if (s->state != SMTPP_ST_CHUNKING && (why = need_recipients(s)) != SMTPP_V_NONE)
        ;
    else if (s->_failed)
        why = SMTPP_V_BDAT_FAILED;
    else if (s->cfg->max_size && (n > s->cfg->max_size || s->chunked > s->cfg->max_size - n))
        why = SMTPP_V_SIZE_EXCEEDED;
    return bdat_body(s, n, cmd->bdat_last, why, SMTPP_E_OK, v);
}

static int check_auth(smtpp_session *s, const smtpp_command *cmd, smtpp_verdict *v)
{
    const smtpp_config *c = s->cfg;
    uint32_t bit;
    if (!(cfg_exts(s) & SMTPP_EXT_BIT(SMTPP_EXT_AUTH)) || !c->auth_mechs)
        return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
    if (!esmtp(s)) return reply(s, v, SMTPP_V_NEED_EHLO);
    if ((c->flags & SMTPP_CFG_AUTH_NEEDS_TLS) && !s->tls)
        return reply(s, v, SMTPP_V_AUTH_NEEDS_TLS);
    if ((c->flags & SMTPP_CFG_REQUIRE_TLS) && !s->tls) return reply(s, v, SMTPP_V_TLS_REQUIRED);
    if (s->authed) return reply(s, v, SMTPP_V_ALREADY_AUTH);          /* RFC 4954 4 */
    if (in_transaction(s)) return reply(s, v, SMTPP_V_IN_TRANSACTION);
    bit = smtpp_auth_mech_bit(cmd->arg);
    if (!(c->auth_mechs & bit)) return reply(s, v, SMTPP_V_AUTH_MECHANISM);
    return decide(s, v, SMTPP_V_AUTH_CHALLENGE, SMTPP_VERB_AUTH);
}

static int enabled(const smtpp_session *s, int ext)
{
    return (cfg_exts(s) & SMTPP_EXT_BIT(ext)) != 0;
}

static int junk(smtpp_session *s)
{
    s->junk++;
    return s->cfg->max_junk && s->junk > s->cfg->max_junk;
}

/* RSET, NOOP, HELO/EHLO: the verb's rules, for check_verb() and the
 * shortcut (check_fast()). */
static int check_rset(smtpp_session *s, smtpp_verdict *v)
{
    if (junk(s)) return reply(s, v, SMTPP_V_TOO_MANY_JUNK);
    reset_transaction(s);
    reply(s, v, SMTPP_V_OK);
    v->resets = SMTPP_RESET_DONE;
    return SMTPP_ACT_REPLY;
}

static int check_noop(smtpp_session *s, smtpp_verdict *v)
{
    if (junk(s)) return reply(s, v, SMTPP_V_TOO_MANY_JUNK);
    return reply(s, v, SMTPP_V_OK);
}

static int check_hello(smtpp_session *s, smtpp_verb verb, smtpp_verdict *v)
{
    if (s->cfg->flags & SMTPP_CFG_LMTP) return reply(s, v, SMTPP_V_LMTP_USE_LHLO);
    return decide(s, v, SMTPP_V_HELLO, verb);
}

/* The rules of each verb, once the rules of every command (check_full())
 * have passed: from the refused session on. */
static SMTPP_NOINLINE int check_verb(smtpp_session *s, const smtpp_command *cmd,
                                     smtpp_verdict *v)
{
    smtpp_verb verb = (smtpp_verb)cmd->verb;
    smtpp_verdict_id g;

    if (s->state == SMTPP_ST_REFUSED) {
        /* a chunk that can be framed is read and refused all the same */
        if (verb == SMTPP_VERB_BDAT && bdat_framed(cmd))
            return bdat_body(s, cmd->bdat_size, 0, SMTPP_V_SESSION_REFUSED, SMTPP_E_OK, v);
        return reply(s, v, SMTPP_V_SESSION_REFUSED);
    }
    if (cmd->error) return parse_error(s, cmd, v);

    /* the commands of every transaction before the table of all */
    if (verb == SMTPP_VERB_RCPT) return rcpt_rules(s, cmd, v);
    if (verb == SMTPP_VERB_MAIL) return mail_rules(s, cmd, v);
    switch (verb) {
    case SMTPP_VERB_HELO:
    case SMTPP_VERB_EHLO: return check_hello(s, verb, v);
    case SMTPP_VERB_LHLO:
        if (!(s->cfg->flags & SMTPP_CFG_LMTP)) return reply(s, v, SMTPP_V_UNRECOGNIZED);
        return decide(s, v, SMTPP_V_HELLO, verb);
    case SMTPP_VERB_DATA: return check_data(s, v);
    case SMTPP_VERB_BDAT: return check_bdat(s, cmd, v);
    case SMTPP_VERB_AUTH: return check_auth(s, cmd, v);
    case SMTPP_VERB_RSET: return check_rset(s, v);
    case SMTPP_VERB_NOOP: return check_noop(s, v);
    case SMTPP_VERB_VRFY:
    case SMTPP_VERB_EXPN:
        if (junk(s)) return reply(s, v, SMTPP_V_TOO_MANY_JUNK);
        if (!enabled(s, verb == SMTPP_VERB_VRFY ? SMTPP_EXT_VRFY : SMTPP_EXT_EXPN))
            return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
        if ((cmd->p.present & (1u << SMTPP_PARAM_SMTPUTF8)) &&
            !smtpp_session_offers(s, SMTPP_EXT_SMTPUTF8))
            return reply(s, v, SMTPP_V_PARAM_NOT_IMPL);
        if ((g = gates(s)) != SMTPP_V_NONE) return reply(s, v, g);
        return decide(s, v, SMTPP_V_VRFY, verb);
    case SMTPP_VERB_HELP:
        if (junk(s)) return reply(s, v, SMTPP_V_TOO_MANY_JUNK);
        if (!enabled(s, SMTPP_EXT_HELP)) return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
        return decide(s, v, SMTPP_V_HELP, verb);
    case SMTPP_VERB_ETRN:
        if (junk(s)) return reply(s, v, SMTPP_V_TOO_MANY_JUNK);
        if (!enabled(s, SMTPP_EXT_ETRN)) return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
        if (s->state == SMTPP_ST_CONNECTED) return reply(s, v, SMTPP_V_NEED_HELO);
        if ((g = gates(s)) != SMTPP_V_NONE) return reply(s, v, g);
        if (in_transaction(s)) return reply(s, v, SMTPP_V_IN_TRANSACTION); /* RFC 1985 */
        return decide(s, v, SMTPP_V_ETRN, verb);
    case SMTPP_VERB_ATRN:
        if (!enabled(s, SMTPP_EXT_ATRN)) return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
        if (!s->authed) return reply(s, v, SMTPP_V_AUTH_REQUIRED);       /* RFC 2645 */
        if (in_transaction(s)) return reply(s, v, SMTPP_V_IN_TRANSACTION);
        return decide(s, v, SMTPP_V_OK, verb);
    case SMTPP_VERB_STARTTLS:
        if (!enabled(s, SMTPP_EXT_STARTTLS)) return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
        if (s->tls) return reply(s, v, SMTPP_V_TLS_ACTIVE);               /* RFC 3207 4.2 */
        if (!esmtp(s)) return reply(s, v, SMTPP_V_NEED_EHLO);
        if (in_transaction(s)) return reply(s, v, SMTPP_V_IN_TRANSACTION);
        return decide(s, v, SMTPP_V_STARTTLS, verb);
    case SMTPP_VERB_XCLIENT:
    case SMTPP_VERB_XFORWARD:
        if (!enabled(s, verb == SMTPP_VERB_XCLIENT ? SMTPP_EXT_XCLIENT : SMTPP_EXT_XFORWARD))
            return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
        if (in_transaction(s)) return reply(s, v, SMTPP_V_IN_TRANSACTION);
        return decide(s, v, verb == SMTPP_VERB_XCLIENT ? SMTPP_V_XCLIENT : SMTPP_V_OK, verb);
    case SMTPP_VERB_TURN:   /* RFC 2821 4.1.1.10 deprecates it: insecure */
        return reply(s, v, SMTPP_V_NOT_IMPLEMENTED);
    default:
        return reply(s, v, SMTPP_V_UNRECOGNIZED);
    }
}

/* Every rule, in its order: the rules of every command (the state, QUIT,
 * the error limit, pipelining), then check_verb().  The reference
 * smtpp_session_check()'s shortcut is checked against. */
static SMTPP_NOINLINE int check_full(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                                     smtpp_verdict *v)
{
    const smtpp_config *c = s->cfg;
    smtpp_verb verb = (smtpp_verb)cmd->verb;

    /* the states in which a command line is what comes next */
    if (SMTPP_UNLIKELY(s->_await || s->state >= 32 || !((COMMAND_STATES >> s->state) & 1))) {
        if (s->state == SMTPP_ST_CLOSED) return fill(v, SMTPP_V_AFTER_QUIT, SMTPP_ACT_CLOSE);
        return misuse(v);
    }

    if (verb == SMTPP_VERB_QUIT && !cmd->error) {
        reset_transaction(s);
        return reply(s, v, SMTPP_V_BYE);   /* closes: resets DONE */
    }
    if (c->max_errors && s->errors >= c->max_errors) return reply(s, v, SMTPP_V_TOO_MANY_ERRORS);

    /* RFC 2920: a group-ending command must be the last thing sent before
     * its reply; without PIPELINING nothing may follow a command.  BDAT is
     * followed by its chunk by design. */
    if ((flags & SMTPP_CHECK_MORE_INPUT) && verb != SMTPP_VERB_BDAT &&
        ((!cmd->error && smtpp_verb_ends_group(verb)) ||
         !pipelining_offered(s))) {
        s->sync_errors++;
        if (verb == SMTPP_VERB_STARTTLS && !cmd->error)
            return reply(s, v, SMTPP_V_STARTTLS_INJECTION);
        if (!(c->flags & SMTPP_CFG_SYNC_REPORT_ONLY))
            return reply(s, v, verb == SMTPP_VERB_DATA && !cmd->error ? SMTPP_V_EARLY_DATA
                                                                      : SMTPP_V_PIPELINING);
    }
    return check_verb(s, cmd, v);
}

/* The rules of check_full() between QUIT and the verb's own, for a
 * well-formed command other than QUIT, BDAT and STARTTLS (ends: the verb
 * ends a pipeline group): the error limit and pipelining.  1 to go on, a
 * violation counted under SYNC_REPORT_ONLY; 0 when check_full() must
 * answer (nothing changed then). */
static SMTPP_INLINE int in_step(smtpp_session *s, unsigned flags, int ends)
{
    /* errors >= max_errors when max_errors is not 0 */
    if (SMTPP_UNLIKELY(s->errors > s->cfg->max_errors - 1u)) return 0;
    if (!(flags & SMTPP_CHECK_MORE_INPUT) || (!ends && pipelining_offered(s))) return 1;
    if (!(s->cfg->flags & SMTPP_CFG_SYNC_REPORT_ONLY)) return 0;
    s->sync_errors++;
    return 1;
}

_Static_assert(!(GROUP_ENDERS & (VB(RCPT) | VB(MAIL) | VB(RSET))) &&
                   (GROUP_ENDERS & (VB(NOOP) | VB(HELO) | VB(EHLO) | VB(DATA))) ==
                       (VB(NOOP) | VB(HELO) | VB(EHLO) | VB(DATA)),
               "check_fast() passes in_step() which verbs end a pipeline group");

/* check_fast() per verb, each with the rules of in_step() first.  RCPT:
 * in a transaction (else check_full() decides); with no TLS or AUTH
 * requirement the rules of rcpt_rules() before rcpt_params() pass, and the
 * usual recipient (no parameter, no UTF-8, below the limit) passes those of
 * rcpt_params(). */
static SMTPP_NOINLINE int fast_rcpt(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                                    smtpp_verdict *v)
{
    const smtpp_config *c = s->cfg;
    if (SMTPP_UNLIKELY((unsigned)(s->state - SMTPP_ST_MAIL) > (unsigned)(SMTPP_ST_RCPT - SMTPP_ST_MAIL)) ||
        !in_step(s, flags, 0))
        return check_full(s, cmd, flags, v);
    if (SMTPP_UNLIKELY(c->flags & (SMTPP_CFG_REQUIRE_TLS | SMTPP_CFG_REQUIRE_AUTH)))
        return rcpt_rules(s, cmd, v);
    if (SMTPP_LIKELY(!cmd->p.present && !(cmd->path.utf8 | cmd->params_utf8) &&
                     s->rcpts <= c->max_rcpts - 1u))   /* max_rcpts 0: no limit */
        return decide(s, v, SMTPP_V_RCPT_OK, SMTPP_VERB_RCPT);
    return rcpt_params(s, cmd, v);
}

/* MAIL: outside a transaction after HELO or EHLO (else check_full()), with
 * no TLS or AUTH requirement, the rules of mail_rules() before
 * mail_params() pass. */
static SMTPP_NOINLINE int fast_mail(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                                    smtpp_verdict *v)
{
    if (SMTPP_UNLIKELY(s->state != SMTPP_ST_READY) || !in_step(s, flags, 0))
        return check_full(s, cmd, flags, v);
    if (SMTPP_UNLIKELY(s->cfg->flags & (SMTPP_CFG_REQUIRE_TLS | SMTPP_CFG_REQUIRE_AUTH)))
        return mail_rules(s, cmd, v);
    return mail_params(s, cmd, v);
}

static SMTPP_NOINLINE int fast_rset(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                                    smtpp_verdict *v)
{
    return in_step(s, flags, 0) ? check_rset(s, v) : check_full(s, cmd, flags, v);
}

static SMTPP_NOINLINE int fast_noop(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                                    smtpp_verdict *v)
{
    return in_step(s, flags, 1) ? check_noop(s, v) : check_full(s, cmd, flags, v);
}

static SMTPP_NOINLINE int fast_hello(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                                     smtpp_verdict *v)
{
    return in_step(s, flags, 1) ? check_hello(s, (smtpp_verb)cmd->verb, v)
                                : check_full(s, cmd, flags, v);
}

static SMTPP_NOINLINE int fast_other(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                                     smtpp_verdict *v)
{
    smtpp_verb verb = (smtpp_verb)cmd->verb;
    if (verb == SMTPP_VERB_DATA)
        return in_step(s, flags, 1) ? check_data(s, v) : check_full(s, cmd, flags, v);
    if (SMTPP_UNLIKELY(s->errors > s->cfg->max_errors - 1u)) return check_full(s, cmd, flags, v);
    if ((flags & SMTPP_CHECK_MORE_INPUT) &&
        (smtpp_verb_ends_group(verb) || (verb != SMTPP_VERB_BDAT && !pipelining_offered(s)))) {
        if (verb == SMTPP_VERB_STARTTLS || !(s->cfg->flags & SMTPP_CFG_SYNC_REPORT_ONLY))
            return check_full(s, cmd, flags, v);
        s->sync_errors++;
    }
    return check_verb(s, cmd, v);
}

/* The usual case first: a line that parsed, with nothing awaited, in a
 * session that is neither refused nor in a chunked transaction (CONNECTED
 * to RCPT).  The rules of check_full() then reduce to QUIT, the error limit
 * and pipelining (in_step()), and the verb's own rules follow, each verb's
 * in a small function of its own (no saved registers).  Whatever does not
 * fit goes to check_full() before anything is changed, so the result is
 * the same by the order of the rules; builds with SMTPP_CHECK_FAST_PATHS
 * check it on every call. */
static int check_fast(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                      smtpp_verdict *v)
{
    smtpp_verb verb = (smtpp_verb)cmd->verb;

    if (SMTPP_UNLIKELY((cmd->error | s->_await) != 0)) return check_full(s, cmd, flags, v);
    /* (each tests its own states) */
    if (verb == SMTPP_VERB_RCPT) return fast_rcpt(s, cmd, flags, v);
    if (verb == SMTPP_VERB_MAIL) return fast_mail(s, cmd, flags, v);
    if (SMTPP_UNLIKELY((unsigned)(s->state - SMTPP_ST_CONNECTED) >
                       (unsigned)(SMTPP_ST_RCPT - SMTPP_ST_CONNECTED)))
        return check_full(s, cmd, flags, v);
    /* not REFUSED, no error: check_verb() would go to the verb */
    switch (verb) {
    case SMTPP_VERB_QUIT:   /* before the error limit */
        reset_transaction(s);
        return reply(s, v, SMTPP_V_BYE);
    case SMTPP_VERB_RSET: return fast_rset(s, cmd, flags, v);
    case SMTPP_VERB_NOOP: return fast_noop(s, cmd, flags, v);
    case SMTPP_VERB_HELO:
    case SMTPP_VERB_EHLO: return fast_hello(s, cmd, flags, v);
    default: return fast_other(s, cmd, flags, v);
    }
}

#if defined(SMTPP_CHECK_FAST_PATHS)
static int same_session(const smtpp_session *a, const smtpp_session *b)
{
    return a->cfg == b->cfg && a->state == b->state && a->helo == b->helo && a->tls == b->tls &&
           a->authed == b->authed && a->early_talker == b->early_talker &&
           a->body == b->body && a->smtputf8 == b->smtputf8 && a->rcpt_tried == b->rcpt_tried &&
           a->rcpts == b->rcpts && a->errors == b->errors && a->junk == b->junk &&
           a->sync_errors == b->sync_errors && a->messages == b->messages &&
           a->mail_size == b->mail_size && a->chunked == b->chunked &&
           memcmp(&a->data, &b->data, sizeof a->data) == 0 && a->_await == b->_await &&
           a->_stage == b->_stage && a->_pending == b->_pending && a->_last == b->_last &&
           a->_failed == b->_failed && a->_prior == b->_prior &&
           a->_body_done == b->_body_done && a->_pending_error == b->_pending_error &&
           a->_replies == b->_replies && a->_scanned == b->_scanned &&
           a->_skipping == b->_skipping && a->_exts_off == b->_exts_off &&
           a->_chunk_left == b->_chunk_left;
}

static int same_verdict(const smtpp_verdict *a, const smtpp_verdict *b)
{
    return a->action == b->action && a->id == b->id && a->close == b->close &&
           a->parse_error == b->parse_error && a->code == b->code && a->resets == b->resets &&
           a->superseded == b->superseded && a->count == b->count &&
           a->enhanced == b->enhanced && a->text == b->text;
}
#endif

int smtpp_session_check(smtpp_session *s, const smtpp_command *cmd, unsigned flags,
                        smtpp_verdict *v)
{
#if defined(SMTPP_CHECK_FAST_PATHS)
    smtpp_session s2;
    smtpp_verdict v2;
    int r, r2;
    memcpy(&s2, s, sizeof s2);
    r2 = check_full(&s2, cmd, flags, &v2);
    r = check_fast(s, cmd, flags, v);
    if (r != r2 || !same_verdict(v, &v2) || !same_session(s, &s2)) abort();
    return r;
#else
    return check_fast(s, cmd, flags, v);
#endif
}

/* ---- What the server answered ------------------------------------------------- */

static void message_done(smtpp_session *s)
{
    reset_transaction(s);
}

/* What a positive reply to RCPT, MAIL, HELO/EHLO/LHLO changes; both paths
 * of smtpp_session_sent() below use them. */
static inline void rcpt_accepted(smtpp_session *s)
{
    s->rcpts++;
    s->state = SMTPP_ST_RCPT;
}

static inline void mail_accepted(smtpp_session *s)
{
    s->rcpts = 0;
    s->rcpt_tried = 0;
    s->chunked = 0;
    s->_failed = 0;
    s->state = SMTPP_ST_MAIL;
}

static inline void hello_accepted(smtpp_session *s, smtpp_verb verb)
{
    s->helo = (uint8_t)verb;   /* RFC 5321 4.1.4: as if RSET */
    reset_transaction(s);
}

int smtpp_session_sent(smtpp_session *s, smtpp_verb verb, int code)
{
    int ok;
    /* the usual replies first: a recipient, a sender or a greeting accepted
     * (2xx but 221, which closes); what the rest below does with them */
    if (SMTPP_LIKELY((unsigned)(code - 200) < 100u && code != 221 && s->_await == (uint8_t)verb)) {
        if (verb == SMTPP_VERB_RCPT) {
            s->_await = 0;
            s->rcpt_tried = 1;
            rcpt_accepted(s);
            return 0;
        }
        if (verb == SMTPP_VERB_MAIL) {
            s->_await = 0;
            mail_accepted(s);
            return 0;
        }
        if (verb == SMTPP_VERB_EHLO || verb == SMTPP_VERB_HELO || verb == SMTPP_VERB_LHLO) {
            s->_await = 0;
            hello_accepted(s, verb);
            return 0;
        }
    }
    ok = code >= 200 && code < 300;
    if (!s->_await || s->_await != (uint8_t)verb) return -1;
    if (code >= 400) s->errors++;
    s->_await = 0;
    if (verb == SMTPP_VERB_RCPT) {   /* the usual reply first */
        s->rcpt_tried = 1;
        if (ok) rcpt_accepted(s);
        goto done;
    }
    switch (verb) {
    case SMTPP_VERB_HELO:
    case SMTPP_VERB_EHLO:
    case SMTPP_VERB_LHLO:
        if (ok) hello_accepted(s, verb);
        break;
    case SMTPP_VERB_MAIL:
        if (ok) {
            mail_accepted(s);
        } else {
            s->body = 0;
            s->smtputf8 = 0;
            s->mail_size = 0;
        }
        break;
    case SMTPP_VERB_DATA:
        if (s->_stage == DATA_BEFORE_354) {
            if (code == 354) {
                s->state = SMTPP_ST_DATA;
                s->_stage = DATA_BODY;
                s->_body_done = 0;
                smtpp_data_init(&s->data, data_flags(s->cfg->flags), s->cfg->max_size,
                                s->cfg->max_text_line);
            }
            break;
        }
        /* DATA_FINAL: one of the replies after the message */
        if (ok) s->messages++, s->junk = 0;
        if (--s->_replies) s->_await = SMTPP_VERB_DATA;
        else message_done(s);
        break;
    case SMTPP_VERB_BDAT:
        if (ok && s->_last) s->messages++, s->junk = 0;
        if (!ok) s->_failed = 1;
        if (--s->_replies) {
            s->_await = SMTPP_VERB_BDAT;
        } else if (s->_last) {
            message_done(s);
        } else {
            s->state = SMTPP_ST_CHUNKING;
        }
        break;
    case SMTPP_VERB_AUTH:
        if (code == 334) {
            s->state = SMTPP_ST_AUTH;
            s->_scanned = 0;
            s->_skipping = 0;
        } else {
            if (code == 235) s->authed = 1;
            s->state = SMTPP_ST_READY;
        }
        break;
    case SMTPP_VERB_STARTTLS:
        if (code == 220) {
            /* RFC 3207 4.2: forget everything learnt before TLS. */
            s->tls = 1;
            s->helo = 0;
            s->authed = 0;
            reset_transaction(s);
        }
        break;
    case SMTPP_VERB_XCLIENT:
        if (code == 220) {  /* a new session, as if a new connection */
            s->helo = 0;
            s->authed = 0;
            reset_transaction(s);
        }
        break;
    case SMTPP_VERB_ATRN:
        if (ok) s->state = SMTPP_ST_CLOSED;  /* the roles turn: SMTP ends here */
        break;
    default:
        break;
    }
done:
    if (code == 421 || code == 221) s->state = SMTPP_ST_CLOSED;
    return 0;
}

/* ---- Message bytes ---------------------------------------------------------------- */

int smtpp_session_data(smtpp_session *s, const char *buf, size_t len, smtpp_str *out,
                       size_t *used)
{
    out->p = buf;
    out->n = 0;
    *used = 0;
    if (s->_body_done) return SMTPP_DONE;
    if (s->state == SMTPP_ST_DATA && s->_stage == DATA_BODY) {
        int r = smtpp_data_parse(&s->data, buf, len, out, used);
        if (r == SMTPP_DONE) s->_body_done = 1;
        return r;
    }
    if (s->state == SMTPP_ST_BDAT) {
        size_t n = len;
        if ((uint64_t)n > s->_chunk_left) n = (size_t)s->_chunk_left;
        if (s->_pending == SMTPP_V_NONE) {
            out->n = n;
            s->chunked += n;
        }
        s->_chunk_left -= n;
        *used = n;
        if (s->_chunk_left == 0) {
            s->_body_done = 1;
            return SMTPP_DONE;
        }
        return SMTPP_AGAIN;
    }
    return -1;
}

int smtpp_session_data_end(smtpp_session *s, smtpp_verdict *v)
{
    uint32_t count = 1;
    if (!s->_body_done || s->_await) return misuse(v);
    s->_body_done = 0;
    if (s->state == SMTPP_ST_DATA) {
        smtpp_verdict_id id = SMTPP_V_NONE;
        if (s->cfg->flags & SMTPP_CFG_LMTP) count = s->rcpts;
        switch (s->data.error) {
        case SMTPP_DATA_E_BARE_LF:
        case SMTPP_DATA_E_BARE_CR: id = SMTPP_V_BARE_LINE_END; break;
        case SMTPP_DATA_E_SIZE:    id = SMTPP_V_SIZE_EXCEEDED; break;
        case SMTPP_DATA_E_LINE:    id = SMTPP_V_DATA_LINE_TOO_LONG; break;
        case SMTPP_DATA_E_NUL:     id = SMTPP_V_NUL_IN_MESSAGE; break;
        default: break;
        }
        if (id != SMTPP_V_NONE) {
            message_done(s);
            reply(s, v, id);
            v->count = count;
            v->resets = SMTPP_RESET_DONE;
            return SMTPP_ACT_REPLY;
        }
        s->_stage = DATA_FINAL;
        s->_replies = count;
        decide(s, v, SMTPP_V_MESSAGE_OK, SMTPP_VERB_DATA);
        v->count = count;
        v->resets = SMTPP_RESET_ALWAYS;
        return SMTPP_ACT_DECIDE;
    }
    if (s->state == SMTPP_ST_BDAT) {
        smtpp_verdict_id why = (smtpp_verdict_id)s->_pending;
        if (s->_last && (s->cfg->flags & SMTPP_CFG_LMTP)) count = s->rcpts;
        if (why != SMTPP_V_NONE) {
            /* Refused when the command came; the chunk is gone now. */
            s->state = s->_prior;
            if (s->_prior == SMTPP_ST_RCPT || s->_prior == SMTPP_ST_CHUNKING) {
                if (s->_last) {
                    message_done(s);
                } else {
                    s->state = SMTPP_ST_CHUNKING;
                    s->_failed = 1;
                }
            }
            reply(s, v, why);
            v->parse_error = s->_pending_error;
            if (count == 0) count = 1;
            v->count = why == SMTPP_V_SIZE_EXCEEDED ? count : 1;
            if (s->_last && (s->_prior == SMTPP_ST_RCPT || s->_prior == SMTPP_ST_CHUNKING))
                v->resets = SMTPP_RESET_DONE;
            return SMTPP_ACT_REPLY;
        }
        s->_replies = count;
        /* the reply to BDAT LAST is the reply to the whole message */
        decide(s, v, s->_last ? SMTPP_V_MESSAGE_OK : SMTPP_V_CHUNK_OK, SMTPP_VERB_BDAT);
        v->count = count;
        if (s->_last) v->resets = SMTPP_RESET_ALWAYS;
        return SMTPP_ACT_DECIDE;
    }
    return misuse(v);
}

/* ---- SASL responses ------------------------------------------------------------------ */

static int auth_over(smtpp_session *s, smtpp_verdict *v, smtpp_verdict_id id)
{
    s->state = SMTPP_ST_READY;
    reply(s, v, id);
    return SMTPP_DONE;
}

/* The LF of the first CRLF in b[from..to) (its CR may be b[from - 1]), or
 * NULL. */
static const uchar *crlf_from(const uchar *b, size_t from, size_t to)
{
    while (from < to) {
        const uchar *lf = memchr(b + from, '\n', to - from);
        if (!lf) return NULL;
        if (lf > b && lf[-1] == '\r') return lf;
        from = (size_t)(lf - b) + 1;
    }
    return NULL;
}

int smtpp_session_auth_line(smtpp_session *s, const char *buf, size_t len, size_t *used,
                            char *dst, size_t cap, smtpp_str *resp, smtpp_verdict *v)
{
    const uchar *b = (const uchar *)buf, *lf;
    size_t lim = s->cfg->auth_line_max ? s->cfg->auth_line_max : 12288;
    smtpp_str line;
    long n;

    resp->p = dst;
    resp->n = 0;
    *used = 0;
    if (s->state != SMTPP_ST_AUTH || s->_await) {
        misuse(v);
        return SMTPP_DONE;
    }
    /* Lines end at CRLF only (RFC 5321 2.3.8), as command lines do: a
     * bare LF is part of the line (and refused with it), so nothing after
     * it is taken as a command.  A CR that ends the bytes seen so far is
     * never consumed without the LF after it. */
    if (s->_skipping) {
        lf = crlf_from(b, 0, len);
        if (!lf) {
            *used = len - (len && b[len - 1] == '\r');
            return SMTPP_AGAIN;
        }
        *used = (size_t)(lf - b) + 1;
        s->_skipping = 0;
        return auth_over(s, v, SMTPP_V_AUTH_LINE_TOO_LONG);
    }
    lf = crlf_from(b, s->_scanned < len ? s->_scanned : 0, len);
    if (!lf) {
        if (len >= lim) {
            s->_skipping = 1;
            s->_scanned = 0;
            *used = len - (b[len - 1] == '\r');
        } else {
            s->_scanned = (uint32_t)len;
        }
        return SMTPP_AGAIN;
    }
    s->_scanned = 0;
    *used = (size_t)(lf - b) + 1;
    if (*used > lim) return auth_over(s, v, SMTPP_V_AUTH_LINE_TOO_LONG);
    line.p = buf;
    line.n = (size_t)(lf - 1 - b);
    if (line.n == 1 && line.p[0] == '*') return auth_over(s, v, SMTPP_V_AUTH_CANCELLED);
    n = smtpp_base64_decode(line, dst, cap);
    if (n == -1) return auth_over(s, v, SMTPP_V_AUTH_BAD_BASE64);
    if (n < 0) return auth_over(s, v, SMTPP_V_AUTH_LINE_TOO_LONG);
    resp->n = (size_t)n;
    decide(s, v, SMTPP_V_AUTH_OK, SMTPP_VERB_AUTH);
    return SMTPP_DONE;
}

/* ---- Writing replies ---------------------------------------------------------------------- */

long smtpp_session_ehlo(const smtpp_session *s, char *dst, size_t cap, const char *greet)
{
    static const char xclient_attrs[] = "NAME ADDR PORT PROTO HELO LOGIN DESTADDR DESTPORT";
    static const char xforward_attrs[] = "NAME ADDR PORT PROTO HELO IDENT SOURCE";
    const smtpp_config *c = s->cfg;
    smtpp_ehlo e;
    int ext;

    memset(&e, 0, sizeof e);
    if (c->hostname) {
        e.domain.p = c->hostname;
        e.domain.n = strlen(c->hostname);
    }
    if (greet) {
        e.greet.p = greet;
        e.greet.n = strlen(greet);
    }
    for (ext = 0; ext < SMTPP_EXT__COUNT; ext++) {
        if (ext == SMTPP_EXT_VRFY || ext == SMTPP_EXT_EXPN || ext == SMTPP_EXT_HELP) continue;
        if (avail(s, ext)) e.exts |= SMTPP_EXT_BIT(ext);
    }
    if (c->max_size) {
        e.size_given = 1;
        e.size = c->max_size;
    }
    e.auth_mechs = c->auth_mechs & ~(uint32_t)SMTPP_AUTH_OTHER;
    if (c->deliverby_min) {
        e.deliverby_given = 1;
        e.deliverby_min = c->deliverby_min;
    }
    if (c->hold_max && c->hold_until_max) {
        e.futurerelease_given = 1;
        e.futurerelease_interval = c->hold_max;
        e.futurerelease_datetime.p = c->hold_until_max;
        e.futurerelease_datetime.n = strlen(c->hold_until_max);
    }
    e.xclient.p = xclient_attrs;
    e.xclient.n = sizeof xclient_attrs - 1;
    e.xforward.p = xforward_attrs;
    e.xforward.n = sizeof xforward_attrs - 1;
    e.limits_rcptmax = c->max_rcpts;
    return smtpp_format_ehlo(dst, cap, &e, NULL, 0);
}

/* 1 when the word h[0..n) reads as an enhanced status code at the start of
 * reply text: [245] "." digits "." digits (reply.h, section 1). */
static int code_shaped(const char *h, size_t n)
{
    size_t i = 2, start, field;
    if (n < 5 || (h[0] != '2' && h[0] != '4' && h[0] != '5') || h[1] != '.') return 0;
    for (field = 0;; field++) {
        for (start = i; i < n && h[i] >= '0' && h[i] <= '9'; i++)
            ;
        if (i == start) return 0;
        if (field == 1) return i == n;
        if (i == n || h[i] != '.') return 0;
        i++;
    }
}

/* Replies that start with the server's domain.  The greeting: "220
 * mx.example.org Service ready": RFC 5321 4.2 (the Greeting rule) and
 * 4.3.1 put the domain first, 4.2.2 writes its 421 and 554 forms the same
 * way; the answer to HELO (4.1.1.1: "250 domain [text]") and XCLIENT's
 * fresh 220 greeting likewise.  Every 421 (the connection is being closed)
 * carries it too, as 3.8 and 4.2.2 write "421 <domain> Service not
 * available", after the enhanced code when there is one ("421 4.4.2
 * mx.example.org Timeout").  221 does not: only the greeting and the HELO
 * reply are grammar in RFC 5321, and "221 2.0.0 Bye" is what deployed
 * servers send. */
static int domain_first(const smtpp_verdict *v)
{
    return v->id == SMTPP_V_GREETING || v->id == SMTPP_V_HELLO || v->id == SMTPP_V_XCLIENT ||
           v->code == 421;
}

static long format_with_host(const smtpp_session *s, const smtpp_verdict *v, const char *enh,
                             char *dst, size_t cap)
{
    char text[SMTPP_FMT_MAX_LINE];
    const char *host = s->cfg ? s->cfg->hostname : NULL;
    size_t hn = host ? strlen(host) : 0, tn = strlen(v->text);
    if (hn == 0 || memchr(host, ' ', hn) || memchr(host, '\t', hn) || code_shaped(host, hn))
        return SMTPP_FMT_E_ARG;
    if (hn + 1 + tn >= sizeof text) return SMTPP_FMT_E_TOO_LONG;
    memcpy(text, host, hn);
    text[hn] = ' ';
    memcpy(text + hn + 1, v->text, tn + 1);
    return smtpp_format_reply_str(dst, cap, v->code, enh, text, SMTPP_FMT_NO_WRAP);
}

void smtpp_session_limit_exts(smtpp_session *s, uint32_t mask)
{
    s->_exts_off = ~mask;
}

long smtpp_session_reply(const smtpp_session *s, int code, const char *enhanced,
                         const char *text, unsigned flags, char *dst, size_t cap)
{
    if (!s->cfg || !(cfg_exts(s) & SMTPP_EXT_BIT(SMTPP_EXT_ENHANCEDSTATUSCODES)) ||
        (enhanced && !enhanced[0]))
        enhanced = NULL;
    return smtpp_format_reply_str(dst, cap, code, enhanced, text ? text : "", flags);
}

long smtpp_session_format(const smtpp_session *s, const smtpp_verdict *v, char *dst, size_t cap)
{
    const char *enh = NULL;
    if (v->enhanced && v->enhanced[0] && s->cfg && v->id != SMTPP_V_GREETING &&
        (cfg_exts(s) & SMTPP_EXT_BIT(SMTPP_EXT_ENHANCEDSTATUSCODES)))
        enh = v->enhanced;
    if (domain_first(v)) return format_with_host(s, v, enh, dst, cap);
    return smtpp_format_reply_str(dst, cap, v->code, enh, v->text, 0);
}
