/* Shared declarations of the benchmark: the reference implementations in
 * baseline.c, called by bench.c.  Not part of the library. */
#ifndef SMTPP_BENCH_H
#define SMTPP_BENCH_H

#include <stddef.h>
#include <stdint.h>

/* What one run over a workload produced.  Every reference and every
 * library path fills it; sum feeds the printed checksum. */
typedef struct bench_out {
    uint64_t sum;     /* folded results: nothing can be optimized away */
    uint64_t items;   /* commands, messages or replies completed */
    uint64_t errors;  /* items the parser refused (0 on generated streams) */
} bench_out;

/* The practical limit of any line-based parser: memchr for every LF.
 * items = lines. */
void ref_memchr_lines(const char *buf, size_t len, bench_out *o);

/* What users write by hand: lines split with memchr, each line
 * NUL-terminated in place (the byte after it is saved and restored, so buf
 * must be writable and is unchanged afterwards), verbs dispatched with
 * strncasecmp, the path found with strchr, parameters split at spaces,
 * SIZE read with strtoull.  Validates nothing.  items = commands. */
void ref_commands_handwritten(char *buf, size_t len, bench_out *o);

/* The same command loop; after DATA, each body line is copied without a
 * leading dot into out (cap >= the largest message), and a line that is
 * just "." ends the message.  items = messages. */
void ref_data_handwritten(char *buf, size_t len, char *out, size_t cap, bench_out *o);

/* Replies by hand: lines split with memchr, the code read from three
 * digits, the separator decides whether the reply goes on, an enhanced
 * code read with strtoul when the text starts with [245]".".  items =
 * replies. */
void ref_replies_handwritten(const char *buf, size_t len, bench_out *o);

#endif
