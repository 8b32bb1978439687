/* The vocabulary tables the library's source files share, generated from
 * the maps in the public headers: SMTPP_VERB_MAP and SMTPP_PARAM_MAP
 * (command.h), SMTPP_EXT_MAP (reply.h).  Each table is indexed by the
 * enum the same map generates, so no table can fall out of step with it.
 *
 * They are static const arrays, so every use is a plain load from a table
 * the compiler can see (the fast lane reads param_verbs[] and
 * param_kwlen[] per parameter).  A file that includes this header but
 * uses none of them gets no copy. */
#ifndef SMTPP_VOCAB_H
#define SMTPP_VOCAB_H

#include "internal.h"

#if defined(__GNUC__)
#  define SMTPP_MAYBE_UNUSED __attribute__((unused))
#else
#  define SMTPP_MAYBE_UNUSED
#endif

/* ---- Parameters ---------------------------------------------------------- */

/* The verbs each known parameter is valid on, as bits (1u << smtpp_verb). */
SMTPP_MAYBE_UNUSED static const uint32_t param_verbs[SMTPP_PARAM__COUNT] = {
#define SMTPP_X_(name, keyword, verb, ext, example) 1u << SMTPP_VERB_##verb,
    SMTPP_PARAM_MAP(SMTPP_X_)
#undef SMTPP_X_
};

/* The length of each known keyword ("MT-PRIORITY": 11). */
SMTPP_MAYBE_UNUSED static const uint8_t param_kwlen[SMTPP_PARAM__COUNT] = {
#define SMTPP_X_(name, keyword, verb, ext, example) (uint8_t)(sizeof keyword - 1),
    SMTPP_PARAM_MAP(SMTPP_X_)
#undef SMTPP_X_
};

/* The extension that offers each known parameter (smtpp_ext). */
SMTPP_MAYBE_UNUSED static const uint8_t param_ext[SMTPP_PARAM__COUNT] = {
#define SMTPP_X_(name, keyword, verb, ext, example) SMTPP_EXT_##ext,
    SMTPP_PARAM_MAP(SMTPP_X_)
#undef SMTPP_X_
};

/* ---- What the maps promise ------------------------------------------------ */

/* The masks and bit sets are 32 bits wide: smtpp_params.present has a bit
 * per parameter, param_verbs[] a bit per verb, smtpp_config.exts and
 * smtpp_ehlo.exts a bit per extension. */
_Static_assert(SMTPP_PARAM__COUNT <= 32, "smtpp_params.present has 32 bits");
_Static_assert(SMTPP_VERB__COUNT <= 32, "verb masks have 32 bits");
_Static_assert(SMTPP_EXT__COUNT <= 32, "extension masks have 32 bits");

/* Every keyword fits param_kwlen[] and the lexers' word buffers, and every
 * parameter is valid on a verb that takes parameters (the parser reads
 * parameters after MAIL and RCPT paths only). */
#define SMTPP_X_(name, keyword, verb, ext, example)                                         \
    _Static_assert(sizeof keyword - 1 >= 1 && sizeof keyword - 1 <= 64,                   \
                   "parameter keyword length: " keyword);                                  \
    _Static_assert(SMTPP_VERB_##verb == SMTPP_VERB_MAIL || SMTPP_VERB_##verb == SMTPP_VERB_RCPT, \
                   "parameters are parsed on MAIL and RCPT only: " keyword);               \
    _Static_assert(SMTPP_EXT_##ext < SMTPP_EXT__COUNT, "parameter's extension: " keyword);
SMTPP_PARAM_MAP(SMTPP_X_)
#undef SMTPP_X_

/* The enum values are ABI: the maps are append-only.  These pin the values
 * of every row as released (a row inserted or moved fails here). */
_Static_assert(SMTPP_VERB_UNKNOWN == 0, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_HELO == 1, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_EHLO == 2, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_LHLO == 3, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_MAIL == 4, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_RCPT == 5, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_DATA == 6, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_BDAT == 7, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_RSET == 8, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_NOOP == 9, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_QUIT == 10, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_VRFY == 11, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_EXPN == 12, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_HELP == 13, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_AUTH == 14, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_STARTTLS == 15, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_TURN == 16, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_ATRN == 17, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_ETRN == 18, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_XCLIENT == 19, "smtpp_verb values are ABI");
_Static_assert(SMTPP_VERB_XFORWARD == 20, "smtpp_verb values are ABI");
_Static_assert(SMTPP_PARAM_SIZE == 0, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_BODY == 1, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_SMTPUTF8 == 2, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_RET == 3, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_ENVID == 4, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_AUTH == 5, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_REQUIRETLS == 6, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_MT_PRIORITY == 7, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_HOLDFOR == 8, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_HOLDUNTIL == 9, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_BY == 10, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_NOTIFY == 11, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_PARAM_ORCPT == 12, "smtpp_param_id values are ABI");
_Static_assert(SMTPP_EXT_SIZE == 0, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_PIPELINING == 1, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_8BITMIME == 2, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_BINARYMIME == 3, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_CHUNKING == 4, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_DSN == 5, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_SMTPUTF8 == 6, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_ENHANCEDSTATUSCODES == 7, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_STARTTLS == 8, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_AUTH == 9, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_REQUIRETLS == 10, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_MT_PRIORITY == 11, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_FUTURERELEASE == 12, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_DELIVERBY == 13, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_ETRN == 14, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_ATRN == 15, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_XCLIENT == 16, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_XFORWARD == 17, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_LIMITS == 18, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_VRFY == 19, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_EXPN == 20, "smtpp_ext values are ABI");
_Static_assert(SMTPP_EXT_HELP == 21, "smtpp_ext values are ABI");

#endif
