#include <smtpp/smtpp.h>
#include <stdio.h>
#include <string.h>

int main(void)
{
    static const char line[] = "MAIL FROM:<a@example.org> SIZE=10\r\n";
    smtpp_parser p;
    smtpp_command c;
    size_t used;
    smtpp_parser_init(&p, 0);
    if (smtpp_parse_command(&p, line, strlen(line), &c, &used) != SMTPP_DONE || c.error ||
        c.verb != SMTPP_VERB_MAIL || c.p.size != 10 || smtpp_version() != SMTPP_VERSION_NUMBER)
        return 1;
    printf("ok %s\n", smtpp_version_string());
    return 0;
}
