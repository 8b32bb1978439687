/* The reply tracker: pairs replies with the commands they answer. */
#include "smtpp/smtpp.h"

#include <string.h>

void smtpp_tracker_init(smtpp_tracker *t, unsigned flags)
{
    memset(t, 0, sizeof *t);
    t->flags = flags;
}

int smtpp_tracker_command(smtpp_tracker *t, smtpp_verb v, unsigned flags)
{
    return smtpp_tracker_command_tag(t, v, flags, 0);
}

int smtpp_tracker_command_tag(smtpp_tracker *t, smtpp_verb v, unsigned flags, uint64_t tag)
{
    smtpp_tracker_entry *e;
    if (t->_count >= SMTPP_TRACKER_CAP) {
        t->overflow = 1;
        return SMTPP_TRACK_FULL;
    }
    e = &t->_ring[(t->_head + t->_count) % SMTPP_TRACKER_CAP];
    memset(e, 0, sizeof *e);
    e->verb = (uint8_t)v;
    e->flags = (uint8_t)flags;
    e->tag = tag;
    t->_count++;
    return SMTPP_TRACK_OK;
}

static void pop(smtpp_tracker *t)
{
    t->_head = (t->_head + 1) % SMTPP_TRACKER_CAP;
    t->_count--;
}

/* One of the per-recipient replies of LMTP (RFC 2033 4.2). */
static int recipient_reply(smtpp_tracker *t, smtpp_tracker_entry *e, smtpp_match *m)
{
    m->kind = SMTPP_MATCH_RECIPIENT;
    m->index = t->recipients - e->left;
    e->left--;
    m->remaining = e->left;
    if (e->left == 0) {
        pop(t);
        t->recipients = 0;
    }
    return m->kind;
}

int smtpp_tracker_reply(smtpp_tracker *t, int code, smtpp_match *m)
{
    smtpp_tracker_entry *e;
    int lmtp = (t->flags & SMTPP_TRACK_LMTP) != 0;

    memset(m, 0, sizeof *m);
    if (!t->greeted) {
        t->greeted = 1;
        m->kind = SMTPP_MATCH_GREETING;
        return m->kind;
    }
    if (t->_count == 0) {
        m->kind = SMTPP_MATCH_UNSOLICITED;
        return m->kind;
    }
    e = &t->_ring[t->_head];
    m->verb = e->verb;
    m->tag = e->tag;
    if (e->stage == 2)
        return recipient_reply(t, e, m);

    switch (e->verb) {
    case SMTPP_VERB_AUTH:
        if (code == 334) {
            e->stage = 1;
            m->kind = SMTPP_MATCH_INTERMEDIATE;
            return m->kind;
        }
        break;
    case SMTPP_VERB_DATA:
        if (e->stage == 0) {
            if (code == 354) {
                e->stage = 1;
                m->kind = SMTPP_MATCH_INTERMEDIATE;
                return m->kind;
            }
            break; /* refused: that was the only reply */
        }
        goto message_end;
    case SMTPP_VERB_BDAT:
        if (e->flags & SMTPP_TRACK_BDAT_LAST)
            goto message_end;
        break;
    case SMTPP_VERB_RCPT:
        if (code >= 200 && code < 300)
            t->recipients++;
        break;
    case SMTPP_VERB_MAIL:
    case SMTPP_VERB_RSET:
    case SMTPP_VERB_HELO:
    case SMTPP_VERB_EHLO:
    case SMTPP_VERB_LHLO:
        t->recipients = 0;
        break;
    default:
        break;
    }
    pop(t);
    m->kind = SMTPP_MATCH_FINAL;
    return m->kind;

message_end:
    /* After the message: in LMTP one reply per accepted recipient follows
     * (RFC 2033 4.2); either way the transaction is over. */
    if (lmtp && t->recipients > 0) {
        e->stage = 2;
        e->left = t->recipients;
        return recipient_reply(t, e, m);
    }
    t->recipients = 0;
    pop(t);
    m->kind = SMTPP_MATCH_FINAL;
    return m->kind;
}

size_t smtpp_tracker_pending(const smtpp_tracker *t)
{
    return t->_count;
}

smtpp_expect smtpp_tracker_expect(const smtpp_tracker *t)
{
    const smtpp_tracker_entry *e;
    if (t->_count == 0)
        return SMTPP_EXPECT_COMMAND;
    e = &t->_ring[t->_head];
    if (e->stage == 1 && e->verb == SMTPP_VERB_AUTH)
        return SMTPP_EXPECT_SASL;
    if (e->stage == 1 && e->verb == SMTPP_VERB_DATA)
        return SMTPP_EXPECT_MESSAGE;
    return SMTPP_EXPECT_COMMAND;
}
