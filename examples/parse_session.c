/* parse_session: reads an SMTP client stream (a file, or stdin) and prints
 * each command the library parsed, or the reply a refused line deserves.
 *
 *   parse_session [FILE]
 *
 * It shows the embedding loop of smtpp_parse_command: a read buffer that
 * the parser never copies from, `used` bytes dropped after every call, and
 * pipelined commands parsed one after another from the same buffer.  The
 * line limits are those of a server that offers SIZE, 8BITMIME, SMTPUTF8,
 * DSN and AUTH: MAIL and RCPT lines may be longer than 512 octets by what
 * those extensions add (smtpp_parser_configure). */
#include <smtpp/smtpp.h>

#include <stdio.h>
#include <string.h>

static void print_command(const smtpp_command *c)
{
    unsigned i;
    if (c->error) {
        smtpp_error e = (smtpp_error)c->error;
        printf("%-8s -> %d %s %s (at byte %u)\n",
               c->verb ? smtpp_verb_name((smtpp_verb)c->verb) : "?",
               smtpp_error_code(e), smtpp_error_enhanced_for(e, (smtpp_verb)c->verb),
               smtpp_error_reason(e), c->error_offset);
        return;
    }
    printf("%-8s", smtpp_verb_name((smtpp_verb)c->verb));
    switch (c->path.kind) {
    case SMTPP_PATH_NULL:       printf(" path=<> (null)"); break;
    case SMTPP_PATH_POSTMASTER: printf(" path=<%.*s> (postmaster)",
                                       (int)c->path.local.n, c->path.local.p); break;
    case SMTPP_PATH_MAILBOX:
        printf(" local=%.*s%s domain=%.*s", (int)c->path.local.n, c->path.local.p,
               c->path.quoted ? " (quoted)" : "", (int)c->path.domain.n, c->path.domain.p);
        break;
    default:
        if (c->arg.p) printf(" arg=%.*s", (int)c->arg.n, c->arg.p);
    }
    for (i = 0; i < c->nparams; i++) {
        const smtpp_param *p = &c->params[i];
        printf(" %.*s", (int)p->keyword.n, p->keyword.p);
        if (p->value.p) printf("=%.*s", (int)p->value.n, p->value.p);
    }
    if (c->p.present & (1u << SMTPP_PARAM_SIZE))
        printf(" [size %llu]", (unsigned long long)c->p.size);
    printf("\n");
}

int main(int argc, char **argv)
{
    static char buf[65536];
    size_t have = 0;
    FILE *f = argc > 1 ? fopen(argv[1], "rb") : stdin;
    smtpp_parser p;
    smtpp_config cfg;

    if (!f) {
        perror(argv[1]);
        return 2;
    }
    smtpp_config_init(&cfg, "mx.example");
    cfg.exts |= SMTPP_EXT_BIT(SMTPP_EXT_SIZE) | SMTPP_EXT_BIT(SMTPP_EXT_SMTPUTF8) |
                SMTPP_EXT_BIT(SMTPP_EXT_DSN) | SMTPP_EXT_BIT(SMTPP_EXT_AUTH);
    cfg.auth_mechs = SMTPP_AUTH_PLAIN;
    smtpp_parser_init(&p, 0);
    smtpp_parser_configure(&p, &cfg);
    for (;;) {
        size_t n = fread(buf + have, 1, sizeof buf - have, f), start = 0;
        have += n;
        for (;;) {
            smtpp_command cmd;
            size_t used;
            int r = smtpp_parse_command(&p, buf + start, have - start, &cmd, &used);
            start += used;
            if (r == SMTPP_AGAIN) break;
            print_command(&cmd);
        }
        memmove(buf, buf + start, have - start);
        have -= start;
        if (n == 0) break;
    }
    if (smtpp_parser_finish(&p, have))
        printf("(input ended inside a command line)\n");
    if (f != stdin) fclose(f);
    return 0;
}
