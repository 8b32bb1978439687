/* A canonical text form of parser results, shared by the tests and the
 * fuzzers: two results are the same exactly when their descriptions are. */
#ifndef SMTPP_TEST_DESCRIBE_H
#define SMTPP_TEST_DESCRIBE_H

#include <smtpp/smtpp.h>
#include <stdio.h>
#include <string.h>

/* ck_assert_msg() for hot loops: Check's asserts record every pass with a
 * write to its pipe (a system call each), which made the split-everywhere
 * tests spend most of their time in the kernel; this one costs nothing
 * until it fails.  (ck_abort_msg() is Check's, from <check.h>.) */
#define REQUIRE(cond, ...) do { if (!(cond)) ck_abort_msg(__VA_ARGS__); } while (0)

typedef struct dbuf {
    char *p;
    size_t n, cap;
} dbuf;

static inline void dput(dbuf *d, const char *s, size_t n)
{
    size_t i;
    for (i = 0; i < n && d->n + 4 < d->cap; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x7f || c == '\\' || c == '|') {
            d->n += (size_t)snprintf(d->p + d->n, d->cap - d->n, "\\%02x", c);
        } else {
            d->p[d->n++] = (char)c;
        }
    }
    d->p[d->n] = 0;
}

static inline void dputs(dbuf *d, const char *s) { dput(d, s, strlen(s)); }

static inline void dnum(dbuf *d, const char *k, long long v)
{
    char t[64];
    snprintf(t, sizeof t, " %s=%lld", k, v);
    dputs(d, t);
}

static inline void dslice(dbuf *d, const char *k, smtpp_str s)
{
    dputs(d, " ");
    dputs(d, k);
    if (!s.p) { dputs(d, "=-"); return; }
    dputs(d, "=[");
    dput(d, s.p, s.n);
    dputs(d, "]");
}

/* 1 when a command without a path left it empty (command.h: kind NONE and
 * every slice absent), but for a HELO/EHLO/LHLO argument's domain, literal
 * and domain kind. */
static inline int path_left_empty(const smtpp_path *x, int hello)
{
    return !x->raw.p && !x->raw.n && !x->route.p && !x->route.n && !x->mailbox.p &&
           !x->mailbox.n && !x->local.p && !x->local.n && !x->quoted && !x->utf8 &&
           (hello || (!x->domain.p && !x->domain.n && !x->literal.p && !x->literal.n &&
                      !x->domain_kind));
}

/* Appends one command's description and a newline.  A command with no
 * path that did not leave the path empty is marked " PATH-NOT-EMPTY" (its
 * slices are not read: they may point anywhere), and one that left a
 * field of another verb set " FIELD-NOT-CLEARED". */
static inline void describe_command(dbuf *d, const smtpp_command *c)
{
    unsigned i;
    dputs(d, smtpp_verb_name((smtpp_verb)c->verb));
    if (c->error) {
        dputs(d, " ERR ");
        dputs(d, smtpp_error_name((smtpp_error)c->error));
        dnum(d, "at", c->error_offset);
        dslice(d, "line", c->line);
        dputs(d, "\n");
        return;
    }
    dslice(d, "line", c->line);
    dslice(d, "arg", c->arg);
    if (c->path.kind) {
        dnum(d, "path", c->path.kind);
        dslice(d, "raw", c->path.raw);
        dslice(d, "route", c->path.route);
        dslice(d, "mbox", c->path.mailbox);
        dslice(d, "local", c->path.local);
        dslice(d, "domain", c->path.domain);
        dslice(d, "lit", c->path.literal);
        dnum(d, "dk", c->path.domain_kind);
        dnum(d, "q", c->path.quoted);
        dnum(d, "u8", c->path.utf8);
    } else if (c->verb == SMTPP_VERB_HELO || c->verb == SMTPP_VERB_EHLO ||
               c->verb == SMTPP_VERB_LHLO) {
        /* the argument as a domain (path.kind stays NONE) */
        dslice(d, "domain", c->path.domain);
        dslice(d, "lit", c->path.literal);
        dnum(d, "dk", c->path.domain_kind);
    }
    if (!c->path.kind &&
        !path_left_empty(&c->path, c->verb == SMTPP_VERB_HELO || c->verb == SMTPP_VERB_EHLO ||
                                       c->verb == SMTPP_VERB_LHLO))
        dputs(d, " PATH-NOT-EMPTY");
    /* the fields of other verbs, and the error offset, are cleared */
    if (c->error_offset ||
        (c->verb != SMTPP_VERB_BDAT && (c->bdat_size || c->bdat_last || c->bdat_sized)) ||
        (c->verb != SMTPP_VERB_AUTH && (c->auth_initial.p || c->auth_initial.n || c->auth_empty)))
        dputs(d, " FIELD-NOT-CLEARED");
    if (c->verb == SMTPP_VERB_BDAT) {
        dnum(d, "bdat", (long long)c->bdat_size);
        dnum(d, "last", c->bdat_last);
    }
    if (c->verb == SMTPP_VERB_AUTH) {
        dslice(d, "ir", c->auth_initial);
        dnum(d, "empty", c->auth_empty);
    }
    if (c->p.present) {
        dnum(d, "present", c->p.present);
        dnum(d, "size", (long long)c->p.size);
        dnum(d, "body", c->p.body);
        dnum(d, "ret", c->p.ret);
        dnum(d, "notify", c->p.notify);
        dnum(d, "mtp", c->p.mt_priority);
        dnum(d, "holdfor", c->p.holdfor);
        dnum(d, "by", c->p.by_time);
        dnum(d, "bymode", c->p.by_mode);
        dnum(d, "bytrace", c->p.by_trace);
        dslice(d, "holduntil", c->p.holduntil);
        dslice(d, "envid", c->p.envid);
        dslice(d, "auth", c->p.auth);
        dslice(d, "orcpt_type", c->p.orcpt_type);
        dslice(d, "orcpt", c->p.orcpt);
    }
    if (c->params_utf8) dnum(d, "pu8", c->params_utf8);
    for (i = 0; i < c->nparams; i++) {
        dnum(d, "param", c->params[i].id);
        dslice(d, "k", c->params[i].keyword);
        dslice(d, "v", c->params[i].value);
    }
    dputs(d, "\n");
}

#endif
