/* The fast lanes' oracle (SMTPP_CHECK_FAST_PATHS: the sanitizer, fuzzing
 * and aarch64 CI builds; CMakeLists.txt compiles this file for them
 * only).  Every line the command lane claims is lexed again by the
 * general path, and the two commands must agree field by field; every
 * mailbox the lane's scan claims for the general path likewise; every
 * reply line the reply lane claims likewise.  Any
 * difference aborts: it is a bug in the lane (command_lane.h, CONTRACT). */
#include "command_lane.h"
#include "reply_lane.h"

#include <stdlib.h>
#include <string.h>

#if defined(SMTPP_CHECK_FAST_PATHS)

unsigned long smtpp__lane_checked, smtpp__lane_short_lines, smtpp__lane_tail_lines;
unsigned long smtpp__reply_lane_lines, smtpp__reframes_checked;

static int same_str(smtpp_str a, smtpp_str b)
{
    return a.p == b.p && a.n == b.n;
}

static int same_path(const smtpp_path *x, const smtpp_path *y)
{
    return same_str(x->raw, y->raw) && same_str(x->route, y->route) &&
           same_str(x->mailbox, y->mailbox) && same_str(x->local, y->local) &&
           same_str(x->domain, y->domain) && same_str(x->literal, y->literal) &&
           x->kind == y->kind && x->domain_kind == y->domain_kind && x->quoted == y->quoted &&
           x->utf8 == y->utf8;
}

static int same_params(const smtpp_params *u, const smtpp_params *w)
{
    return u->present == w->present && u->body == w->body && u->ret == w->ret &&
           u->notify == w->notify && u->by_mode == w->by_mode && u->by_trace == w->by_trace &&
           u->mt_priority == w->mt_priority && u->size == w->size && u->holdfor == w->holdfor &&
           u->by_time == w->by_time && same_str(u->holduntil, w->holduntil) &&
           same_str(u->envid, w->envid) && same_str(u->auth, w->auth) &&
           same_str(u->orcpt_type, w->orcpt_type) && same_str(u->orcpt, w->orcpt);
}

void smtpp__reframe_check(const smtpp_parser *p, const uchar *b, size_t from, size_t len,
                          uint32_t lf1, uint32_t room, uint32_t past)
{
    smtpp_parser q = *p;
    int found = smtpp__frame_search_general(&q, b, from, len);
    if (found != (lf1 != 0)) abort();
    if (found && (q._lf != lf1 || q._room != room || q._past != past)) abort();
    smtpp__reframes_checked++;
}

void smtpp__command_lane_check(const smtpp_parser *p, const uchar *b, size_t len,
                               const smtpp_command *c, size_t n)
{
    smtpp_command c2;
    unsigned i;
    size_t n2 = smtpp__lex_line_general(p->flags, b, len, &c2);
    if (n2 != n || c2.verb != c->verb || c2.nparams != c->nparams ||
        c2.error_offset != c->error_offset || c2.bdat_last != c->bdat_last ||
        c2.auth_empty != c->auth_empty || c2.params_utf8 != c->params_utf8 ||
        c2.bdat_size != c->bdat_size || !same_str(c2.arg, c->arg) ||
        !same_str(c2.auth_initial, c->auth_initial))
        abort();
    switch (c->verb) {
    case SMTPP_VERB_MAIL:
    case SMTPP_VERB_RCPT:
        if (!same_path(&c->path, &c2.path) || !same_params(&c->p, &c2.p)) abort();
        for (i = 0; i < c->nparams; i++)
            if (c2.params[i].id != c->params[i].id ||
                !same_str(c2.params[i].keyword, c->params[i].keyword) ||
                !same_str(c2.params[i].value, c->params[i].value))
                abort();
        break;
    case SMTPP_VERB_HELO:
    case SMTPP_VERB_EHLO:
        if (!same_path(&c->path, &c2.path) || c->p.present != c2.p.present) abort();
        break;
    default:
        /* no path (both leave it empty) and no parameters */
        if (!same_path(&c->path, &c2.path) || c->p.present != c2.p.present) abort();
        break;
    }
    smtpp__lane_checked++;
}

void smtpp__mailbox_lane_check(unsigned flags, const uchar *s, const uchar *lim,
                               const uchar *e, const smtpp_path *out)
{
    smtpp_path p2;
    const uchar *e2 = smtpp__lex_mailbox_general(flags, s, lim, &p2);
    if (e2 != e || p2.quoted || !same_str(p2.local, out->local) ||
        !same_str(p2.domain, out->domain) || p2.domain_kind != out->domain_kind ||
        !same_str(p2.literal, out->literal) || p2.utf8 != out->utf8)
        abort();
}

void smtpp__reply_lane_check(const smtpp_reply_parser *p, const uchar *b, size_t avail,
                             const rp_line *l, size_t n)
{
    rp_line l2;
    smtpp__reply_lex_general(b, b + avail, b, n, p->flags, &l2);
    if (l2.err || l2.code != l->code || l2.sep != l->sep || l2.text_off != l->text_off ||
        l2.text_end != l->text_end || l2.bare_lf || l2.ignored != l->ignored ||
        l2.enh.cls != l->enh.cls || l2.enh.subject != l->enh.subject ||
        l2.enh.detail != l->enh.detail || memchr(b, '\n', n) != b + n - 1)
        abort();
    smtpp__reply_lane_lines++;
}

#else
/* ISO C wants something in every translation unit (this one is built
 * only with SMTPP_CHECK_FAST_PATHS). */
typedef int smtpp__lane_check_none;
#endif
