/* The command fast lane (parser/command_lane.c): a second parser for the
 * few command shapes that make up nearly every session, written with
 * vectors and no branch per octet.  The grammar and the framing are in
 * parser/command.re; this is what they may rely on.
 *
 * CONTRACT
 *
 * What it claims.  smtpp__command_lane(p, b, len, cmd) looks at the line
 * that starts at b and either returns 0 (it does not vouch for the line;
 * *cmd may have been written and means nothing) or returns n, the length
 * of the line with its CRLF, and has filled *cmd: every field the general
 * path (lex_line() in command.re) sets for that line, with the same value,
 * and no error.  `line` is the framing's (line_done() sets it either way).
 * The lines it takes:
 *   - MAIL FROM:<mailbox> and MAIL FROM:<>, RCPT TO:<mailbox>, where the
 *     mailbox is a dot-string local part of at most 62 octets "@" a domain
 *     of LDH labels or U-labels, or an IPv4/IPv6 address literal, with any
 *     of the parameters SIZE (up to 16 digits), BODY, SMTPUTF8, RET, ENVID,
 *     AUTH, NOTIFY, ORCPT=rfc822;xtext (each at most once, on its own
 *     verb, values of at most 126 octets);
 *   - RSET, QUIT, DATA, NOOP without argument;
 *   - HELO and EHLO with a domain name or an IPv4/IPv6 address literal;
 *   each ending in CRLF right after its last field (verbs and keywords in
 *   any case).  Anything else, including every line with an error, is 0.
 *
 * What it reads.  len is the number of octets readable from b; it needs
 * SMTPP_LANE_MIN and returns 0 with fewer.  Every field scan stops at the
 * first octet outside its set, and LF (like NUL) is in none and matches
 * no word: so each read starts at or before the line's first LF, after
 * octets the lane has matched, and none reads more than 64 octets (the
 * mailbox and domain windows; a long xtext value's second window is read
 * only when the first held no octet outside the value's set, so it too
 * starts at or before the LF).  Hence the usual form: when the line's
 * first LF has SMTPP_LANE_AFTER_LF (63) readable octets after it
 * (command_frame.h), every scan reads its windows with no bound to check,
 * whatever the line's length.  Near the end of the region (the LF closer
 * to it, or not in it at all), each scan checks its window against b +
 * len instead (`bounded` in command_lane.c: the mailbox and domain scans
 * drop to a 32-octet window, a parameter needs 24 octets, an xtext window
 * 64) and gives up when it does not fit; the line is then tried on a copy
 * of its first 256 octets followed by zeros (a zero stops every scan as
 * an LF does; a rest of 64 octets or fewer, the usual one, is copied over
 * 128 zeros only), and the slices moved back to b.  So a line of the lane's
 * shapes is refused for want of octets only when len < SMTPP_LANE_MIN,
 * or when it is longer than the copy and its bounded form failed.  Its
 * answer (n and every field of *cmd) depends only on the octets of the
 * line, b[0 .. n): octets after the line's LF are read (whole vectors,
 * 8-octet words) but never change the result, which is what makes the
 * padded copy give the same answer.  (The entry also prefetches the
 * octet 4096 after each line's start, inside the region or not: a hint
 * to the cache, not a read, which cannot fault and changes nothing.)
 *
 * Which form runs is decided from the framing's hints, not by a search:
 * the framing (command.re, find_room()) keeps, next to the last line end
 * it found (_lf), the last one with SMTPP_LANE_AFTER_LF octets of the
 * region after it (_room); every line up to that one takes the usual
 * form (lane_room()), and only the last line or two of each read take
 * the bounded one.  smtpp__command_lane() itself, for the general path
 * and the tests, looks for an LF in b[0 .. len - SMTPP_LANE_AFTER_LF).
 *
 * The framing of a new read.  When the entry has no hint (the first call
 * after a read, and the call that finds only a partial line), it does the
 * framing's usual case itself (lane_reframe() in command_lane.c): the
 * same hints the general path's search would set (_lf, _room, _past; the
 * last 128 octets as two LF masks, a backward search otherwise), or AGAIN
 * when nothing new holds a line end, then the entry again.  A hint left
 * over, a line being skipped or one over the line limit still go to the
 * general path.  Its rule for a line end is the general path's: an LF
 * after a CR, or any LF under SMTPP_LENIENT_BARE_LF.
 *
 * With SMTPP_INPUT_PADDED (command.h; taken at smtpp_parser_init(), where
 * it sets SMTPP_SIMD_PADDED in _simd) the caller promises
 * SMTPP_INPUT_PADDING readable octets after every region, so every LF in
 * the region has the room after it and every line takes the usual form:
 * the entry points below count the padding in len.
 *
 * Why it may ignore the options (p->flags, enum smtpp_option in
 * include/smtpp/command.h) and the limits.  Every option only loosens the
 * grammar or the framing: a line the strict grammar accepts is parsed the
 * same under every flag, and the lane takes only lines the strict grammar
 * accepts (and that contain no LF but the one of their CRLF), so:
 *   SMTPP_LENIENT_BARE_LF: the line holds no other LF, so it is the same
 *     line whether bare LFs end lines or not;
 *   SMTPP_LENIENT_SPACE_AFTER_COLON: the lane wants "<" right after ":";
 *   SMTPP_LENIENT_NO_BRACKETS: the lane wants the brackets;
 *   SMTPP_LENIENT_LOCAL_DOTS: the lane wants a dot-string, which the
 *     grammar reads as one (dot_str_a comes first) under the flag too;
 *   SMTPP_LENIENT_LONG_LOCAL: the lane's local parts are under 64 octets;
 *   SMTPP_LENIENT_TRAILING_SPACE: the lane wants CRLF right after the last
 *     field;
 *   SMTPP_ACCEPT_UNKNOWN_PARAMS: the lane takes known parameters only, and
 *     those parse the same with or without it (it changes what an unknown
 *     keyword gives; duplicates of known keywords are refused either way,
 *     and the lane leaves them to the grammar);
 *   SMTPP_INPUT_PADDED: not about the grammar at all (above).
 * The line limits (max_line, max_mail_line ...) are checked by the
 * framing on the length the lane returns, as on the general path's.  The
 * parser has no other option; one that tightened the grammar (refusing a
 * line the strict grammar takes) would have to make the lane refuse lines
 * under it.
 *
 * How it is checked.  Builds with SMTPP_CHECK_FAST_PATHS (the sanitizer,
 * fuzzing and aarch64 CI builds) pass every line the lane claims to
 * smtpp__command_lane_check() (parser/lane_check.c), which lexes it again
 * with the general path (smtpp__lex_line_general(), command.re) and aborts
 * on any difference, field by field; likewise every mailbox
 * smtpp__mailbox_lane() claims for the general path, and the hints of
 * every read lane_reframe() frames, against the general path's search on
 * a copy of the parser (smtpp__reframe_check()).  The test suite feeds
 * every input also padded (tests/feed.h), so that both paths see it, and
 * test_command.c checks that the answer does not depend on the octets
 * after the line, and that the usual lines take the lane.
 *
 * Builds.  The same source is compiled for the target's baseline (SSE2 on
 * x86-64, NEON on aarch64: *_base) and, on x86-64 unless SMTPP_NO_AVX2,
 * with AVX2 (command_lane_avx2.c: *_avx2); smtpp_parser_init() sets
 * p->_simd to the one this CPU runs (smtpp__simd_level()).  Other CPUs and
 * SMTPP_NO_SIMD have no lane: smtpp__command_lane() is then always 0. */
#ifndef SMTPP_COMMAND_LANE_H
#define SMTPP_COMMAND_LANE_H

#include "command_frame.h"
#include "internal.h"

/* The buffer of the lane's copy of a line near the end of the region: its
 * first SMTPP_LANE_READ - SMTPP_LANE_AFTER_LF - 1 octets, then zeros. */
#define SMTPP_LANE_READ 320
/* With SMTPP_INPUT_PADDED, every LF in the region has the room after it. */
_Static_assert(SMTPP_LANE_AFTER_LF < SMTPP_INPUT_PADDING, "the padding covers the lane's reads");
/* Octets it needs readable to look at a line at all: the first words it
 * reads (8 + 4), rounded up. */
#define SMTPP_LANE_MIN 16

#if defined(SMTPP_HAVE_LANE)
size_t smtpp__command_lane_base(const smtpp_parser *p, const uchar *b, size_t len,
                                smtpp_command *cmd);
const uchar *smtpp__mailbox_lane_base(const uchar *s, const uchar *lim, smtpp_path *out);
const char *smtpp__lane_name_base(void);
int smtpp__parse_lane_base(smtpp_parser *p, const char *buf, size_t len, smtpp_command *cmd,
                           size_t *used);
int smtpp__parse_lane_padded_base(smtpp_parser *p, const char *buf, size_t len,
                                  smtpp_command *cmd, size_t *used);
#endif
#if defined(SMTPP_HAVE_AVX2)
size_t smtpp__command_lane_avx2(const smtpp_parser *p, const uchar *b, size_t len,
                                smtpp_command *cmd);
const uchar *smtpp__mailbox_lane_avx2(const uchar *s, const uchar *lim, smtpp_path *out);
const char *smtpp__lane_name_avx2(void);
int smtpp__parse_lane_avx2(smtpp_parser *p, const char *buf, size_t len, smtpp_command *cmd,
                           size_t *used);
int smtpp__parse_lane_padded_avx2(smtpp_parser *p, const char *buf, size_t len,
                                  smtpp_command *cmd, size_t *used);
#endif

/* smtpp__parse_lane_*(): smtpp_parser_init() chose a lane, and
 * smtpp_parse_command() (command.re) hands every call to the one p->_simd
 * names.  It is the framing's usual call in one function: when nothing is
 * being skipped and the line end lane_room() knows is still in the
 * region, it runs the lane's usual form inline (else, when the hint (_lf)
 * is an LF in the region of at least SMTPP_LANE_MIN octets, its bounded
 * form, out of line: "What it reads" above) and, if the lane takes the
 * line, consumes it with
 * line_done() (command_frame.h, the general path's one definition);
 * everything else goes on to smtpp__parse_general() (command.re) as a
 * tail call, with the lane's answer kept (the lane is not asked twice).
 * When there was no hint to use at all (the first call on each new read),
 * the general path searches for one and hands the call back
 * (SMTPP__LANE_AGAIN, command_frame.h), so that the first line of each
 * read too takes this copy of the lane's code.  Its result is
 * smtpp_parse_command()'s.  smtpp__parse_lane_padded_*() is
 * the same for a parser with SMTPP_INPUT_PADDED (_simd has
 * SMTPP_SIMD_PADDED): every line has the room, so every one takes the
 * inline form on the hint alone, one copy of the lane's code for all of
 * them (a second copy for the last lines of each read cost branch
 * predictions). */

/* The lane (above) of the build p->_simd names. */
static inline size_t smtpp__command_lane(const smtpp_parser *p, const uchar *b, size_t len,
                                         smtpp_command *cmd)
{
    if (p->_simd & SMTPP_SIMD_PADDED) len += SMTPP_INPUT_PADDING;   /* readable */
    if (len < SMTPP_LANE_MIN) return 0;
#if defined(SMTPP_HAVE_AVX2)
    if (SMTPP_LIKELY((p->_simd & SMTPP_SIMD_LANES) == SMTPP_SIMD_AVX2))
        return smtpp__command_lane_avx2(p, b, len, cmd);
#endif
#if defined(SMTPP_HAVE_LANE)
    if (p->_simd) return smtpp__command_lane_base(p, b, len, cmd);
#endif
    (void)p;
    (void)b;
    (void)cmd;
    return 0;
}

/* The lane's scan of a Mailbox at s (local part "@" domain; readable up to
 * lim, at least 32 octets), for the general path: the end of the domain,
 * with the local part, domain, kind, literal and utf8 of *out set as
 * lex_local() and lex_domain() set them; NULL when it does not vouch for
 * it.  simd: the parser's _simd. */
static inline const uchar *smtpp__mailbox_lane(unsigned simd, const uchar *s, const uchar *lim,
                                               smtpp_path *out)
{
#if defined(SMTPP_HAVE_AVX2)
    if (simd == SMTPP_SIMD_AVX2) return smtpp__mailbox_lane_avx2(s, lim, out);
#endif
#if defined(SMTPP_HAVE_LANE)
    if (simd) return smtpp__mailbox_lane_base(s, lim, out);
#endif
    (void)simd;
    (void)s;
    (void)lim;
    (void)out;
    return NULL;
}

/* The name of the lane p->_simd names ("avx2", "sse2", "neon"), or NULL
 * when there is none: for the tests. */
const char *smtpp__lane_name(const smtpp_parser *p);

#if defined(SMTPP_CHECK_FAST_PATHS)
/* The oracle (parser/lane_check.c): aborts unless the general path gives
 * the line at b (len octets readable) the same n and *c. */
void smtpp__command_lane_check(const smtpp_parser *p, const uchar *b, size_t len,
                               const smtpp_command *c, size_t n);
/* The framing of a new read (command_lane.c, lane_reframe()): aborts
 * unless the general path's search of b[from..len) on a copy of *p finds
 * a line end exactly when lf1 is not 0, and then sets the hints _lf, _room
 * and _past to lf1, room and past. */
void smtpp__reframe_check(const smtpp_parser *p, const uchar *b, size_t from, size_t len,
                          uint32_t lf1, uint32_t room, uint32_t past);
/* The general path's search alone (command.re): the hints search_ends()
 * sets on *q for b[from..len), and _past as the general path then sets
 * it; 0, hints untouched, when it finds no line end. */
int smtpp__frame_search_general(smtpp_parser *q, const uchar *b, size_t from, size_t len);
/* The same for a mailbox smtpp__mailbox_lane() took: [s, e) and *out. */
void smtpp__mailbox_lane_check(unsigned flags, const uchar *s, const uchar *lim,
                               const uchar *e, const smtpp_path *out);
/* What the general path makes of the line at b, len octets readable
 * (command.re, without the lane): the line's length, or 0 with an error
 * or no line end. */
size_t smtpp__lex_line_general(unsigned flags, const uchar *b, size_t len, smtpp_command *c);
/* The general path's local part "@" domain at s (command.re, without the
 * lane): the end of the domain, or NULL; fills *out as lex_path() does. */
const uchar *smtpp__lex_mailbox_general(unsigned flags, const uchar *s, const uchar *lim,
                                        smtpp_path *out);
/* Lines the lane took and the oracle confirmed, since the program began. */
extern unsigned long smtpp__lane_checked;
/* Of those, the lines it took near the end of the region (the room after
 * the line's LF short of SMTPP_LANE_AFTER_LF): in place (bounded), and
 * from a padded copy. */
extern unsigned long smtpp__lane_short_lines, smtpp__lane_tail_lines;
/* Reads whose framing lane_reframe() did and the oracle confirmed (found
 * a line end or not). */
extern unsigned long smtpp__reframes_checked;
#endif

#endif
