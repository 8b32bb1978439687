/*
 * smtpp.h - libsmtpp, an SMTP wire-protocol library with no I/O.
 *
 * Include this one header.  The topics live in their own files:
 *   smtpp/common.h   version, export macro, slices
 *   smtpp/command.h  the incremental, zero-copy command parser (client side)
 *   smtpp/reply.h    reply parser, formatter, code tables, EHLO capabilities
 *   smtpp/session.h  the server side: verdicts, bodies, AUTH, pipelining
 *   smtpp/conn.h     the connection driver: bytes in, events out
 *
 * Memory: the library never allocates.  Every object (parser, command,
 * reply) is a plain struct the caller places where it likes (stack,
 * connection struct) and prepares with its _init function.  Every string it
 * returns is a slice of the caller's buffer.
 *
 * Threads: no global state.  Objects may be used from any thread, one thread
 * at a time each.
 */
#ifndef SMTPP_H
#define SMTPP_H

#include "common.h"
#include "command.h"
#include "reply.h"
#include "session.h"
#include "conn.h"

#endif /* SMTPP_H */
