/* The resets of a command's fields, shared by the grammar
 * (parser/command.re) and the fast lane (parser/command_lane.c), so that
 * both leave every field alike. */
#ifndef SMTPP_COMMAND_FIELDS_H
#define SMTPP_COMMAND_FIELDS_H

#include "internal.h"

/* The slice of the octets [a, b). */
#define SL(a, b) ((smtpp_str){ (const char *)(a), (size_t)((b) - (a)) })

/* Field-by-field clears: a memset of these structs compiles to `rep stos`,
 * whose start-up cost is most of the price of a short command. */
static inline void path_clear(smtpp_path *x)
{
    static const smtpp_str none = { NULL, 0 };
    x->raw = none;
    x->route = none;
    x->mailbox = none;
    x->local = none;
    x->domain = none;
    x->literal = none;
    x->kind = 0;
    x->domain_kind = 0;
    x->quoted = 0;
    x->utf8 = 0;
}

static inline void params_clear(smtpp_params *x)
{
    static const smtpp_str none = { NULL, 0 };
    x->present = 0;
    x->body = 0;
    x->ret = 0;
    x->notify = 0;
    x->by_mode = 0;
    x->by_trace = 0;
    x->mt_priority = 0;
    x->size = 0;
    x->holdfor = 0;
    x->by_time = 0;
    x->holduntil = none;
    x->envid = none;
    x->auth = none;
    x->orcpt_type = none;
    x->orcpt = none;
}

/* Resets what every command defines, the path included: a command
 * without one leaves it empty, never as an earlier command left it (the
 * caller's struct is usually reused, and an old slice may point into
 * octets it has dropped).  p is reset by the blocks that fill it; with
 * p.present 0 none of its fields is meaningful (command.h). */
static inline void command_reset(smtpp_command *c)
{
    c->verb = 0;
    c->error = 0;
    c->nparams = 0;
    c->bdat_last = 0;
    c->auth_empty = 0;
    c->params_utf8 = 0;
    c->error_offset = 0;
    c->bdat_size = 0;
    c->bdat_sized = 0;
    c->line = (smtpp_str){ NULL, 0 };
    c->arg = (smtpp_str){ NULL, 0 };
    c->auth_initial = (smtpp_str){ NULL, 0 };
    path_clear(&c->path);
    c->p.present = 0;
}

/* The parameters' verbs and keyword lengths (param_verbs[], param_kwlen[])
 * come from parser/vocab.h, generated from SMTPP_PARAM_MAP. */
#include "vocab.h"

#endif
