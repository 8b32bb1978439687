/* The error table, verb and parameter names, version. */
#include "internal.h"

static const struct {
    short code;
    const char *enh;
    const char *name;
    const char *reason;
} error_table[SMTPP_E__COUNT] = {
#define SMTPP_X_(name, code, enh, text) { code, enh, "SMTPP_E_" #name, text },
    SMTPP_ERROR_MAP(SMTPP_X_)
#undef SMTPP_X_
};

static int error_ok(smtpp_error e) { return (unsigned)e < SMTPP_E__COUNT; }

int smtpp_error_code(smtpp_error e)
{
    return error_ok(e) ? error_table[e].code : 500;
}

const char *smtpp_error_enhanced(smtpp_error e)
{
    return error_ok(e) ? error_table[e].enh : "5.5.0";
}

const char *smtpp_error_enhanced_for(smtpp_error e, smtpp_verb v)
{
    const char *enh = smtpp_error_enhanced(e);
    if (v == SMTPP_VERB_MAIL && enh[2] == '1' && enh[4] == '3' && enh[5] == 0)
        return "5.1.7";
    return enh;
}

const char *smtpp_error_name(smtpp_error e)
{
    return error_ok(e) ? error_table[e].name : "SMTPP_E_?";
}

const char *smtpp_error_reason(smtpp_error e)
{
    return error_ok(e) ? error_table[e].reason : "unknown error";
}

static const char *const verb_names[SMTPP_VERB__COUNT] = {
    "",
#define SMTPP_X_(name, keyword, args) keyword,
    SMTPP_VERB_MAP(SMTPP_X_)
#undef SMTPP_X_
};

const char *smtpp_verb_name(smtpp_verb v)
{
    return (unsigned)v < SMTPP_VERB__COUNT ? verb_names[v] : "";
}

static const char *const param_names[SMTPP_PARAM__COUNT] = {
#define SMTPP_X_(name, keyword, verb, ext, example) keyword,
    SMTPP_PARAM_MAP(SMTPP_X_)
#undef SMTPP_X_
};

const char *smtpp_param_name(smtpp_param_id id)
{
    return (unsigned)id < SMTPP_PARAM__COUNT ? param_names[id] : "";
}

#define SMTPP_STR2_(x) #x
#define SMTPP_STR_(x) SMTPP_STR2_(x)

unsigned smtpp_version(void) { return SMTPP_VERSION_NUMBER; }

const char *smtpp_version_string(void)
{
    return SMTPP_STR_(SMTPP_VERSION_MAJOR) "." SMTPP_STR_(SMTPP_VERSION_MINOR) "."
           SMTPP_STR_(SMTPP_VERSION_PATCH);
}
