/*
 * smtpp/common.h - definitions shared by every part of libsmtpp.
 *
 * libsmtpp parses the SMTP wire protocol (RFC 5321 and its extensions)
 * without doing any I/O and without allocating memory.  This header holds
 * what the topic headers share: the export macro, the version, the slice
 * type used for every string the library hands back, and the result codes
 * of the incremental parsers.  Include <smtpp/smtpp.h> rather than this
 * file directly.
 */
#ifndef SMTPP_COMMON_H
#define SMTPP_COMMON_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* ---- Export macro --------------------------------------------------------
 * SMTPP_API marks the public functions.  The library is compiled with
 * -fvisibility=hidden, so anything without SMTPP_API stays private. */
#if defined(_WIN32) && !defined(SMTPP_STATIC)
#  ifdef SMTPP_BUILDING
#    define SMTPP_API __declspec(dllexport)
#  else
#    define SMTPP_API __declspec(dllimport)
#  endif
#elif defined(__GNUC__)
#  define SMTPP_API __attribute__((visibility("default")))
#else
#  define SMTPP_API
#endif

/* ---- Version -------------------------------------------------------------
 * The macros give the version of the header you compiled against;
 * smtpp_version() gives the version of the library you linked against. */
#define SMTPP_VERSION_MAJOR 0
#define SMTPP_VERSION_MINOR 1
#define SMTPP_VERSION_PATCH 0
#define SMTPP_VERSION_NUMBER \
    (SMTPP_VERSION_MAJOR * 10000 + SMTPP_VERSION_MINOR * 100 + SMTPP_VERSION_PATCH)

/* Returns SMTPP_VERSION_NUMBER of the linked library. */
SMTPP_API unsigned smtpp_version(void);
/* Returns the linked library's version as a static "MAJOR.MINOR.PATCH". */
SMTPP_API const char *smtpp_version_string(void);

/* ---- Slices --------------------------------------------------------------
 * Every string the parsers return is a slice: a pointer into the buffer the
 * caller passed in, and a length.  Slices are NOT NUL-terminated and live
 * exactly as long as the caller keeps those bytes where they are.  An
 * absent value has p == NULL and n == 0; an empty but present value has
 * p != NULL and n == 0. */
typedef struct smtpp_str {
    const char *p;
    size_t n;
} smtpp_str;

#ifdef __cplusplus
}
#endif
#endif /* SMTPP_COMMON_H */
