#!/usr/bin/env python3
"""Writes the seed corpus of the structure-aware session harness
(fuzz/steps_fuzzer.c) into fuzz/corpus/steps/ (or the directory given).

Two groups of seeds:
  matrix-<state>-<input>: reaches one session state of docs/session-state.md
      and sends one command there, for every command state and every
      column of the coverage table (so every reachable pair is hit);
  scenario-*: whole sessions for the deep states (AUTH exchanges, BDAT
      after DATA, LMTP, PIPELINING groups, PROXY headers, STARTTLS with
      buffered input, limits, smuggling bodies).

The encoding (see the header comment of steps_fuzzer.c): 6 header bytes
(config flags, extensions, parser options, greeting, seed, reserved), then
4 bytes a step (kind, variant, answers, flags).
"""
import os
import sys

# step kinds (enum kind in steps_fuzzer.c)
(HELO, MAIL, RCPT, DATA, BDAT, RSET, NOOP, QUIT, QUERY, AUTH, SASL,
 STARTTLS, XCLIENT, JUNK, PROXY, TEXT) = range(16)

# answer nibbles (answer_code in steps_fuzzer.c)
PROPOSED, A250, A334, A235, A354, A220, A451, A452, A550, A554, A535, A421 = (
    0, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)

# config flags
LMTP, REQ_AUTH, AUTH_TLS, REQ_TLS, CPROXY, SYNC_REPORT, PASS_BARE, SMALL = (
    1, 2, 4, 8, 16, 32, 64, 128)
ALL_EXTS = 0xff

# greeting byte
G220, G554, G421, GEARLY, OCTETS = 0, 5, 6, 7, 8


def step(kind, variant=0, answer=PROPOSED, later=None, pipe=False, split=0):
    a = answer | ((answer if later is None else later) << 4)
    return bytes([kind, variant & 0xff, a, ((split & 0x7f) << 1) | (1 if pipe else 0)])


def seed(steps, flags=0, exts=ALL_EXTS, pflags=0, greet=G220, rnd=0):
    return bytes([flags, exts, pflags, greet, rnd, 0]) + b"".join(steps)


def bdat(size_index, last):
    return (size_index << 1) | (1 if last else 0)  # sizes 0 1 5 17 400; 5: bad


EHLO = step(HELO, 0)
MAIL0 = step(MAIL, 0)
RCPT0 = step(RCPT, 0)

# one step per column of the coverage table
COLUMNS = {
    "HELO": step(HELO, 1), "EHLO": step(HELO, 0), "LHLO": step(HELO, 2),
    "MAIL": step(MAIL, 0), "RCPT": step(RCPT, 0), "DATA": step(DATA, 2),
    "BDAT": step(BDAT, bdat(1, True)), "RSET": step(RSET, 0), "NOOP": step(NOOP, 0),
    "QUIT": step(QUIT), "VRFY": step(QUERY, 0), "EXPN": step(QUERY, 1),
    "HELP": step(QUERY, 2), "AUTH": step(AUTH, 1), "STARTTLS": step(STARTTLS, 0),
    "TURN": step(QUERY, 6), "ATRN": step(QUERY, 5), "ETRN": step(QUERY, 4),
    "XCLIENT": step(XCLIENT, 0), "XFORWARD": step(XCLIENT, 1),
    "unknown": step(JUNK, 0), "badline": step(JUNK, 8),
}

STATES = {
    "REFUSED": ([], G554),
    "CONNECTED": ([], G220),
    "READY": ([EHLO], G220),
    "MAIL": ([EHLO, MAIL0], G220),
    "RCPT": ([EHLO, MAIL0, RCPT0], G220),
    "CHUNKING": ([EHLO, MAIL0, RCPT0, step(BDAT, bdat(2, False))], G220),
    "CLOSED": ([step(QUIT)], G220),
}


def scenarios():
    s = {}
    def body(v, *a, **k):
        return step(DATA, v, *a, **k)
    # AUTH exchanges
    s["auth-plain"] = seed([EHLO, step(AUTH, 0), step(SASL, 6, A235), MAIL0, RCPT0, body(0),
                            step(QUIT)], flags=REQ_AUTH)
    s["auth-plain-initial"] = seed([EHLO, step(AUTH, 1, A235), MAIL0, RCPT0, body(0)])
    s["auth-login"] = seed([EHLO, step(AUTH, 2), step(SASL, 0, A334), step(SASL, 5, A235),
                            MAIL0, step(QUIT)])
    s["auth-login-initial"] = seed([EHLO, step(AUTH, 3, A334), step(SASL, 5, A535), step(AUTH, 2),
                                    step(SASL, 1)])
    s["auth-cancel"] = seed([EHLO, step(AUTH, 0), step(SASL, 1), step(AUTH, 5), step(SASL, 3),
                             step(AUTH, 6), step(SASL, 7), step(AUTH, 4), step(AUTH, 7),
                             step(AUTH, 8)])
    s["auth-too-long"] = seed([EHLO, step(AUTH, 0), step(SASL, 4), step(AUTH, 2), step(SASL, 8),
                               step(SASL, 2)], flags=SMALL)
    s["auth-needs-tls"] = seed([EHLO, step(AUTH, 1), step(STARTTLS, 0), EHLO, step(AUTH, 1, A235),
                                MAIL0], flags=AUTH_TLS | REQ_TLS)
    s["auth-refused-then-mail"] = seed([EHLO, MAIL0, step(AUTH, 1, A535), step(AUTH, 1, A451)],
                                       flags=REQ_AUTH)
    # DATA and BDAT
    for v in range(13):
        s["data-body-%d" % v] = seed([EHLO, MAIL0, RCPT0, body(v), step(QUIT)],
                                     flags=SMALL if v in (10, 11) else 0)
    s["data-pass-bare"] = seed([EHLO, MAIL0, RCPT0, body(3), body(4), body(7)], flags=PASS_BARE)
    s["data-early"] = seed([EHLO, MAIL0, RCPT0, body(0x80)])
    s["data-refused"] = seed([EHLO, MAIL0, RCPT0, body(0, A554), MAIL0, RCPT0, body(1, A451)])
    s["bdat-after-data"] = seed([EHLO, MAIL0, RCPT0, body(0), MAIL0, RCPT0,
                                 step(BDAT, bdat(2, False)), step(BDAT, bdat(0, True)),
                                 MAIL0, RCPT0, body(0), step(BDAT, bdat(1, True))])
    s["bdat-chunks"] = seed([EHLO, MAIL0, RCPT0, step(BDAT, bdat(3, False)),
                             step(BDAT, bdat(2, False), A550), step(BDAT, bdat(1, False)),
                             body(0), RCPT0, step(BDAT, bdat(4, True))], flags=SMALL)
    s["bdat-bad"] = seed([EHLO, MAIL0, RCPT0, step(BDAT, bdat(5, False)), EHLO])
    s["bdat-no-rcpt"] = seed([step(BDAT, bdat(2, True)), EHLO, step(BDAT, bdat(2, True)), MAIL0,
                              step(BDAT, bdat(2, False))])
    s["bdat-binarymime"] = seed([EHLO, step(MAIL, 4), RCPT0, body(0), step(BDAT, bdat(3, True))])
    s["bdat-not-offered"] = seed([EHLO, MAIL0, RCPT0, step(BDAT, bdat(2, True))], exts=0)
    # LMTP
    s["lmtp"] = seed([step(HELO, 2), MAIL0, RCPT0, step(RCPT, 1), step(RCPT, 4), body(0, PROPOSED, A550),
                      MAIL0, RCPT0, step(RCPT, 1), step(BDAT, bdat(2, True)), step(HELO, 0)], flags=LMTP)
    # PIPELINING
    s["pipeline-ok"] = seed([EHLO, step(MAIL, 0, pipe=True), step(RCPT, 0, pipe=True),
                             step(RCPT, 1, A550, pipe=True), body(0)])
    s["pipeline-violation"] = seed([step(HELO, 0, pipe=True), step(NOOP, 0, pipe=True), MAIL0])
    s["pipeline-report-only"] = seed([step(HELO, 0, pipe=True), step(NOOP, 0, pipe=True), MAIL0,
                                      step(STARTTLS, 1)], flags=SYNC_REPORT)
    s["pipeline-bdat"] = seed([EHLO, step(MAIL, 0, pipe=True), step(RCPT, 0, pipe=True),
                               step(BDAT, bdat(3, False), pipe=True), step(BDAT, bdat(1, True))])
    # PROXY
    for v in range(8):
        s["proxy-%d" % v] = seed([step(PROXY, v), EHLO, step(QUIT)], flags=CPROXY)
    s["proxy-pipelined"] = seed([step(PROXY, 0, pipe=True), EHLO], flags=CPROXY)
    s["proxy-not-configured"] = seed([step(PROXY, 0), EHLO])
    # STARTTLS
    s["starttls"] = seed([EHLO, step(STARTTLS, 0), EHLO, step(MAIL, 10), RCPT0, body(0)],
                         flags=REQ_TLS)
    s["starttls-buffered"] = seed([EHLO, step(STARTTLS, 1)])
    s["starttls-buffered-report"] = seed([EHLO, step(STARTTLS, 1)], flags=SYNC_REPORT)
    s["starttls-refused"] = seed([EHLO, step(STARTTLS, 0, A451), MAIL0, step(STARTTLS, 0)], flags=REQ_TLS)
    # XCLIENT / XFORWARD / queries
    s["xclient"] = seed([EHLO, step(AUTH, 1, A235), step(XCLIENT, 0, A220), MAIL0, EHLO,
                         step(XCLIENT, 1), step(XCLIENT, 2)])
    s["queries"] = seed([EHLO] + [step(QUERY, v) for v in range(9)] + [step(QUERY, 5, A250)])
    s["queries-disabled"] = seed([EHLO] + [step(QUERY, v) for v in range(9)] + [step(XCLIENT, 0)],
                                 exts=0)
    # limits
    s["limits-rcpts"] = seed([EHLO, MAIL0] + [RCPT0] * 5 + [body(0)], flags=SMALL)
    s["limits-junk"] = seed([EHLO] + [step(NOOP, 0)] * 9, flags=SMALL)
    s["limits-errors"] = seed([EHLO] + [step(JUNK, 0)] * 10, flags=SMALL)
    s["limits-size"] = seed([EHLO, step(MAIL, 7), step(MAIL, 2), RCPT0, body(11)], flags=SMALL)
    # MAIL / RCPT variants and parser options
    s["mail-variants"] = seed([EHLO] + sum([[step(MAIL, v), step(RSET, 0)] for v in range(17)], []))
    s["mail-variants-small"] = seed([EHLO] + sum([[step(MAIL, v), step(RSET, 0)] for v in range(17)], []),
                                    flags=SMALL, exts=0xfe)
    s["rcpt-variants"] = seed([EHLO, MAIL0] + [step(RCPT, v) for v in range(9)])
    s["rcpt-smtputf8"] = seed([EHLO, step(MAIL, 5), step(RCPT, 5), body(6)])
    s["lenient"] = seed([EHLO, step(MAIL, 8), step(MAIL, 16), step(JUNK, 3), step(JUNK, 7)], pflags=0x7f)
    s["helo-variants"] = seed([step(HELO, v) for v in range(10)] + [step(RSET, 1), step(NOOP, 1)])
    s["junk"] = seed([EHLO] + [step(JUNK, v) for v in range(14)] + [step(TEXT, v) for v in range(7)])
    # greeting
    s["greeting-421"] = seed([EHLO], greet=G421)
    s["greeting-early"] = seed([EHLO, step(QUIT)], greet=GEARLY)
    s["greeting-early-report"] = seed([EHLO, step(QUIT)], greet=GEARLY, flags=SYNC_REPORT)
    s["refused"] = seed([EHLO, MAIL0, step(QUIT)], greet=G554)
    # answers that close
    s["answer-421"] = seed([EHLO, step(MAIL, 0, A421), RCPT0])
    s["answer-atrn"] = seed([EHLO, step(QUERY, 5, A250), EHLO])
    # octet by octet
    s["octets-session"] = seed([EHLO, step(AUTH, 0), step(SASL, 6, A235), MAIL0, RCPT0, body(3),
                                MAIL0, RCPT0, step(BDAT, bdat(2, True)), step(QUIT)], greet=OCTETS)
    return s


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus", "steps")
    os.makedirs(out, exist_ok=True)
    n = 0
    for st, (prefix, greet) in STATES.items():
        for col, st_step in COLUMNS.items():
            data = seed(prefix + [st_step, step(QUIT)], greet=greet)
            with open(os.path.join(out, "matrix-%s-%s" % (st, col)), "wb") as f:
                f.write(data)
            n += 1
    for name, data in scenarios().items():
        with open(os.path.join(out, "scenario-" + name), "wb") as f:
            f.write(data)
        n += 1
    print("wrote %d seeds to %s" % (n, out))


if __name__ == "__main__":
    main()
