/* The end of the command framing, shared by the general path
 * (parser/command.re) and the fast lane's entry (parser/command_lane.c,
 * LANE_FN(smtpp__parse_lane)), so that both consume a line the same way
 * from one definition.  Internal: hidden symbols, not part of the API. */
#ifndef SMTPP_COMMAND_FRAME_H
#define SMTPP_COMMAND_FRAME_H

#include "internal.h"

/* The rest of line_done(), out of line (command.re): a line over the limit
 * (AUTH, MAIL and RCPT lines may have their own), or one that ends in a
 * bare LF (only under SMTPP_LENIENT_BARE_LF: strict framing ends lines at
 * CRLF only). */
void smtpp__line_unusual(const smtpp_parser *p, const uchar *b, size_t n, smtpp_command *cmd);

/* smtpp_parse_command() without the lane's first try (command.re): the
 * framing from the start, then the lane (when `lane` is set: the caller has
 * not offered it the line yet) or the grammar.  The lane's entry calls it
 * for every line it does not take, and smtpp_parse_command() for every
 * line when the parser has no lane. */
int smtpp__parse_general(smtpp_parser *p, const char *buf, size_t len, smtpp_command *cmd,
                         size_t *used, int lane);
/* The `lane` of the lane's entry when it found no hint it could use: once
 * the framing has found a line end (and the region is one the entry runs
 * the lane on: SMTPP_LANE_MIN <= len <= UINT32_MAX - SMTPP_LANE_READ),
 * smtpp__parse_general() hands the call back to smtpp_parse_command(),
 * whose entry then takes the line with the hint set, in the same copy of
 * the lane's code as every other line (a second copy for the first line
 * of each read cost a few mispredicted branches per read).  It cannot
 * come back again: with a hint, the entry's inline or bounded form always
 * runs for such a region, and neither calls with this value. */
#define SMTPP__LANE_AGAIN 2

/* The line b[0..n) is parsed: consume it, and refuse it if it is too long
 * or ends in a bare LF.  Both paths end here; crlf (a constant) when the
 * lane has seen the CRLF already.  The usual case needs no 16-octet floor:
 * smtpp__line_unusual() applies it. */
static inline int line_done(smtpp_parser *p, const uchar *b, size_t n, smtpp_command *cmd,
                            size_t *used, int crlf)
{
    *used = n;
    p->_lf -= (uint32_t)n;   /* n <= _lf: the line ends at or before the hint;
                                what was searched (_lf + _past) moves with it */
    if (SMTPP_LIKELY(n <= p->max_line && (crlf || (n >= 2 && b[n - 2] == '\r'))))
        cmd->line = (smtpp_str){ (const char *)b, n - 2 };
    else
        smtpp__line_unusual(p, b, n, cmd);
    return SMTPP_DONE;
}

/* 1 when the hint (_lf) points at an LF inside the region b[0..len): a line
 * ends there, so the result is DONE whoever parses the line.  (_lf - 1u
 * wraps when the hint is 0, "none known".) */
static inline int hint_good(const smtpp_parser *p, const uchar *b, size_t len)
{
    return p->_lf - 1u < len && b[p->_lf - 1] == '\n';
}

/* Octets the lane's usual form may read past the first LF of the line it
 * looks at (command_lane.h, "What it reads"). */
#define SMTPP_LANE_AFTER_LF 63

/* 1 when a line end at or after b, before the end of the region b[0..len),
 * has SMTPP_LANE_AFTER_LF octets of the region after its LF, so that the
 * lane may take the line at b in its usual form: its first LF is at or
 * before that one.  The line end is the one _room says (1 + its offset is
 * _lf - _room); when none is known, or it has been consumed, that
 * difference is 0 or wraps, and is not below len - SMTPP_LANE_AFTER_LF.
 * The caller has checked SMTPP_LANE_AFTER_LF < len <= UINT32_MAX.  Like
 * the hint, it was found as a line end and is trusted as one once its LF
 * is still there: a line ends in the region, so the result is DONE. */
static inline int lane_room(const smtpp_parser *p, const uchar *b, size_t len)
{
    uint32_t r = p->_lf - p->_room;
    return r - 1u < len - SMTPP_LANE_AFTER_LF && b[r - 1] == '\n';
}

#endif
