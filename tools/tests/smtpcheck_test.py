#!/usr/bin/env python3
"""ctest checks of smtpcheck.  Usage: smtpcheck_test.py SMTPCHECK SAMPLE CASE"""
import json
import os
import random
import subprocess
import sys
import tempfile

SMTPCHECK, SAMPLE, CASE = sys.argv[1], sys.argv[2], sys.argv[3]


def run(*args, data=None):
    p = subprocess.run([SMTPCHECK, *args], input=data, capture_output=True, timeout=60)
    if p.returncode < 0 or p.returncode > 2:
        sys.exit(f"smtpcheck {args} died or failed oddly: status {p.returncode}\n{p.stderr!r}")
    return p.returncode, p.stdout.decode("utf-8", "strict"), p.stderr.decode()


def expect(cond, what, out=""):
    if not cond:
        sys.exit(f"FAIL: {what}\n--- output:\n{out}")


def json_lines(out):
    objs = []
    for line in out.split("\n")[:-1]:   # not splitlines(): U+2028 may be in a string
        o = json.loads(line)
        expect(isinstance(o, dict), "each line is a JSON object", out)
        objs.append(o)
    return objs


def case_sample_plain():
    rc, out, _ = run()                   # no FILE: the bundled sample
    rc2, out2, _ = run(SAMPLE)
    expect(out == out2, "the default input is the bundled sample", out)
    expect(rc == 1, "exit status 1: the sample has refused commands", out)
    for line in [
        "S: 220 mx.smtpcheck.test ESMTP Service ready",
        "S: 250-PIPELINING",
        "S: 250-SIZE 10485760",
        "S: 250 AUTH PLAIN LOGIN",
        "S: 334 VXNlcm5hbWU6",
        "S: 235 2.7.0 Authentication successful",
        "   = MAIL local=alice domain=example.org SIZE=2048 BODY=8BITMIME",
        "   = RCPT path=<Postmaster> (postmaster)",
        "   = RCPT refused: SMTPP_E_DOMAIN_SYNTAX at byte 21 (invalid domain)",
        "S: 501 5.1.3 invalid domain",
        "S: 552 5.3.4 message size exceeds any limit",
        "S: 354 End data with <CR><LF>.<CR><LF>",
        "C: <message: 6 lines, 105 octets after unstuffing>",
        "S: 250 2.0.0 Message accepted",
        "C: <chunk: 20 octets>",
        "   = BDAT size=7 LAST",
        "   ! SMTPP_V_NEED_MAIL: Need MAIL command",
        "S: 503 5.5.1 Need MAIL command",
        "S: 502 5.5.1 Command not implemented",
        "S: 500 5.5.1 command not recognized",
        "S: 221 2.0.0 Bye",
    ]:
        expect(line in out.splitlines(), f"sample output has the line {line!r}", out)


def case_sample_json():
    rc, out, _ = run("--json")
    expect(rc == 1, "exit status 1 with --json too", out)
    objs = json_lines(out)
    for o in objs:
        for k in ("command", "code", "enhanced", "text"):
            expect(k in o, f"key {k} in every object", out)
    codes = [o["code"] for o in objs]
    expect(codes == [220, 250, 334, 334, 235, 250, 250, 250, 250, 501, 552, 555, 555, 501,
                     354, 250, 250, 250, 250, 250, 503, 502, 500, 221],
           f"reply codes in order (got {codes})", out)
    expect(objs[0]["command"] is None, "the greeting answers no command", out)
    data = [o for o in objs if o["command"] == "DATA"]
    expect(data[0]["code"] == 354 and data[1]["after"] == "message" and data[1]["octets"] == 105,
           "DATA: 354, then the final reply after the message", out)
    bdat = [o for o in objs if o["after"] == "chunk"]
    expect([o["command"] for o in bdat] == ["BDAT 20", "BDAT 7 LAST"], "one reply per BDAT", out)
    bad = objs[9]
    expect(bad["enhanced"] == "5.1.3" and bad["error"] == "SMTPP_E_DOMAIN_SYNTAX"
           and bad["offset"] == 21 and bad["reason"] == "invalid domain",
           "a refused line carries the error, offset and reason", out)


def case_clean_exit():
    s = (b"EHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\n"
         b"DATA\r\nSubject: x\r\n\r\nhi\r\n.\r\nQUIT\r\n")
    rc, out, _ = run("-", data=s)
    expect(rc == 0, "exit status 0 when nothing is refused", out)
    rc, out, _ = run("--burst", "-", data=s)
    expect(rc == 1 and "554 5.5.0" in out, "--burst: EHLO followed by more input is a pipelining violation", out)


def case_flags():
    s = b"EHLO c.example\r\nMAIL FROM:<a@example.org> SIZE=2000\r\nQUIT\r\n"
    rc, out, _ = run("--size", "1000", "-", data=s)
    expect(rc == 1 and "S: 552 5.3.4" in out and "S: 250-SIZE 1000" in out, "--size N", out)
    rc, out, _ = run("--no-size", "-", data=s)
    expect(rc == 1 and "S: 555 5.5.4" in out and "250-SIZE" not in out, "--no-size", out)
    s = b"EHLO c.example\r\nMAIL FROM:<j\xc3\xb6rg@example.org> SMTPUTF8\r\nQUIT\r\n"
    rc, out, _ = run("-", data=s)
    expect(rc == 0 and "local=jörg" in out, "SMTPUTF8 sender accepted", out)
    rc, out, _ = run("--no-smtputf8", "-", data=s)
    expect(rc == 1, "--no-smtputf8 refuses it", out)
    # the MAIL line limit grows with SIZE, BINARYMIME, SMTPUTF8, DSN and AUTH
    # (smtpp_parser_configure): a valid 741-octet MAIL line is accepted, and
    # refused once those extensions are taken away; NOOP keeps 512
    mail = (b"MAIL FROM:<" + b"u" * 64 + b"@" + b"d" * 60 + b".example> SIZE=2000 BODY=BINARYMIME"
            b" SMTPUTF8 RET=HDRS ENVID=" + b"E" * 100 + b" AUTH=")
    mail += b"a" * (741 - 2 - len(mail)) + b"\r\n"
    expect(len(mail) == 741, "741-octet MAIL line")
    s = b"EHLO c.example\r\n" + mail + b"QUIT\r\n"
    rc, out, _ = run("-", data=s)
    expect(rc == 0 and "S: 250 2.1.0" in out, "741-octet MAIL line accepted", out)
    rc, out, _ = run("--no-auth", "--no-dsn", "-", data=s)
    expect(rc == 1 and "line too long" in out, "741-octet MAIL line without AUTH and DSN", out)
    s = b"EHLO c.example\r\nNOOP " + b"x" * 506 + b"\r\nQUIT\r\n"
    rc, out, _ = run("-", data=s)
    expect(rc == 1 and "line too long" in out, "513-octet NOOP refused", out)
    s = b"EHLO c.example\r\nMAIL FROM: <a@example.org>\r\nQUIT\r\n"
    expect(run("-", data=s)[0] == 1, "space after colon refused by default")
    expect(run("--lenient-space-after-colon", "-", data=s)[0] == 0, "--lenient-space-after-colon")
    s = b"LHLO c.example\r\nMAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nRCPT TO:<c@example.org>\r\nDATA\r\nx\r\n.\r\nQUIT\r\n"
    rc, out, _ = run("--lmtp", "--json", "-", data=s)
    finals = [o for o in json_lines(out) if o["after"] == "message"]
    expect(rc == 0 and len(finals) == 2, "--lmtp: one reply per recipient after DATA", out)
    s = b"EHLO c.example\r\nSTARTTLS\r\nEHLO c.example\r\nQUIT\r\n"
    rc, out, _ = run("-", data=s)
    expect(rc == 0 and "S: 220 2.0.0 Ready to start TLS" in out and out.count("250-STARTTLS") == 1,
           "after STARTTLS the session goes on under TLS", out)
    rc, out, _ = run("--max-rcpts", "1", "-", data=b"EHLO c\r\nMAIL FROM:<a@b.c>\r\nRCPT TO:<b@b.c>\r\nRCPT TO:<c@b.c>\r\n")
    expect(rc == 1 and "S: 452 4.5.3 Too many recipients" in out, "--max-rcpts", out)
    for bad in (["--size"], ["--size", "x"], ["--nope"], ["a", "b"]):
        rc, out, err = run(*bad)
        expect(rc == 2 and err.startswith("smtpcheck: "), f"usage error {bad} exits 2 with a message", err)
    rc, out, err = run("/nonexistent/file")
    expect(rc == 2 and "cannot open" in err, "missing file exits 2", err)


def case_json_escaping():
    s = b"EHLO c\r\nNOOP \x01\x7f\xff\xc3(\"\\\r\nNOOP caf\xc3\xa9\r\nQUIT\r\n"
    rc, out, _ = run("--json", "-", data=s)
    objs = json_lines(out)
    expect(objs[2]["command"] == "NOOP \x01\x7f\xff\xc3(\"\\", "control and non-UTF-8 bytes as \\u00XX", out)
    expect("\\u0001" in out and "\\u00ff" in out and "\\u00c3(" in out, "escapes as expected", out)
    expect(objs[3]["command"] == "NOOP café", "UTF-8 kept", out)


def case_garbage():
    rnd = random.Random(7)
    pieces = [b"EHLO x\r\n", b"MAIL FROM:<a@b.c>\r\n", b"RCPT TO:<d@e.f>\r\n", b"DATA\r\n",
              b"BDAT 5\r\n", b"BDAT 99999999999999999999999 LAST\r\n", b"AUTH PLAIN\r\n",
              b"AUTH LOGIN =\r\n", b"*\r\n", b".\r\n", b"\r\n", b"\n", b"\r", b"\x00",
              b"STARTTLS\r\n", b"QUIT\r\n", b"x" * 700, b"250-foo\r\n", b"250 bar\r\n"]
    with tempfile.TemporaryDirectory() as d:
        for i in range(150):
            if i % 3 == 0:
                data = bytes(rnd.randrange(256) for _ in range(rnd.randrange(3000)))
            else:
                data = b"".join(rnd.choice(pieces) for _ in range(rnd.randrange(40)))
            path = os.path.join(d, "g")
            with open(path, "wb") as f:
                f.write(data)
            for mode in ([], ["--json"], ["--burst"], ["--replies"], ["--replies", "--json"],
                         ["--lmtp", "--lenient-bare-lf"]):
                rc, out, _ = run(*mode, path)
                expect(rc in (0, 1), f"garbage input {data[:80]!r} mode {mode}: status {rc}")
                if "--json" in mode:
                    json_lines(out)


def case_replies():
    s = (b"220 mx.example ESMTP\r\n250-mx.example hi\r\n250-PIPELINING\r\n250-SIZE 1000\r\n"
         b"250 AUTH PLAIN\r\n250 2.1.0 OK\r\n550-5.1.1 no\r\n550 5.1.1 such user\r\n"
         b"354 go\r\n")
    rc, out, _ = run("--replies", "--json", "-", data=s)
    objs = json_lines(out)
    expect(rc == 0 and [o["code"] for o in objs] == [220, 250, 250, 550, 354], "reply codes", out)
    expect(objs[1]["lines"] == 4 and objs[1]["capabilities"] == {"PIPELINING": None, "SIZE": "1000", "AUTH": "PLAIN"},
           "EHLO reply capabilities", out)
    expect(objs[3]["enhanced"] == "5.1.1" and objs[3]["text"] == ["no", "such user"], "multi-line reply", out)
    rc, out, _ = run("--replies", "-", data=s + b"25x bad\r\n250 ok\r\n")
    expect(rc == 1 and "malformed reply" in out and "250 -         1 line  | ok" in out,
           "a malformed reply is reported and the next one read", out)


def case_replies_enhanced():
    # a token shaped like an enhanced code that is not a valid one of the
    # reply's class: plain text by default, malformed with the switch
    s = (b"550 5.01.1 no such user\r\n250 4.0.0 ok\r\n550-5.1.1 a\r\n550 5.1000.1 b\r\n"
         b"550 5.1.1 fine\r\n")
    rc, out, _ = run("--replies", "--json", "-", data=s)
    objs = json_lines(out)
    expect(rc == 0 and [o["code"] for o in objs] == [550, 250, 550, 550], "default: every reply read", out)
    expect(objs[0]["enhanced"] is None and objs[0]["text"] == ["5.01.1 no such user"]
           and objs[0].get("enhanced_ignored") is True, "default: malformed code left as text", out)
    expect(objs[1]["enhanced"] is None and objs[1]["text"] == ["4.0.0 ok"]
           and objs[1].get("enhanced_ignored") is True, "default: code of another class left as text", out)
    expect(objs[2]["enhanced"] is None and objs[2]["text"] == ["a", "5.1000.1 b"]
           and objs[2].get("enhanced_mixed") is True and objs[2].get("enhanced_ignored") is True,
           "default: multi-line reply with one such line", out)
    expect(objs[3]["enhanced"] == "5.1.1" and "enhanced_ignored" not in objs[3], "a valid code", out)
    rc, out, _ = run("--replies", "-", data=s)
    expect(rc == 0 and "550 -         1 line  | 5.01.1 no such user" in out
           and out.count("kept as text") == 3, "default, text output", out)
    rc, out, _ = run("--replies", "--json", "--strict-enhanced-syntax", "-", data=s)
    objs = json_lines(out)
    expect(rc == 1 and [o.get("error") for o in objs] ==
           ["SMTPP_RE_BAD_ENHANCED", "SMTPP_RE_ENHANCED_CLASS", "SMTPP_RE_BAD_ENHANCED", None]
           and objs[3]["enhanced"] == "5.1.1", "strict: those replies are malformed", out)
    rc, out, _ = run("--strict-enhanced-syntax", "--replies", "-", data=s)
    expect(rc == 1 and out.count("malformed reply") == 3, "strict, text output", out)


def case_auth():
    import base64

    def b64(x):
        return base64.b64encode(x).decode()

    def session(*lines):
        return ("EHLO c\r\n" + "".join(l + "\r\n" for l in lines) + "QUIT\r\n").encode()

    def codes(out):
        return [o["code"] for o in json_lines(out)][2:-1]   # no greeting, EHLO, QUIT

    # without --auth: any well-formed credentials; a malformed PLAIN message is 501
    rc, out, _ = run("--json", "-", data=session("AUTH PLAIN " + b64(b"\0x\0y")))
    expect(codes(out) == [235], "any credentials without --auth", out)
    rc, out, _ = run("--json", "-", data=session("AUTH PLAIN " + b64(b"x\0y")))
    expect(codes(out) == [501] and json_lines(out)[2]["enhanced"] == "5.5.2", "malformed PLAIN: 501 5.5.2", out)
    # with --auth: only that pair (the password may hold ':')
    good = b64(b"\0alice\0s:cret")
    bad = [b"\0alice\0wrong", b"\0bob\0s:cret", b"bob\0alice\0s:cret", b"\0alice\0s:cre",
           b"\0alic\0s:cret"]
    malformed = [b"alice\0s:cret", b"\0alice\0s:cret\0", b"\0\0s:cret", b"\0alice\0",
                 b"\0al\xffice\0s:cret", b"\0" + b"a" * 256 + b"\0p", b""]
    for m in bad:
        rc, out, _ = run("--json", "--auth", "alice:s:cret", "-", data=session("AUTH PLAIN " + b64(m)))
        objs = json_lines(out)
        expect(rc == 1 and codes(out) == [535] and objs[2]["enhanced"] == "5.7.8",
               f"wrong PLAIN credentials {m!r}: 535 5.7.8", out)
        rc, out, _ = run("--json", "--auth", "alice:s:cret", "-", data=session("AUTH PLAIN", b64(m) or "="))
        expect(codes(out) == [334, 535], f"wrong PLAIN credentials after 334 {m!r}", out)
    for m in malformed:
        rc, out, _ = run("--json", "--auth", "alice:s:cret", "-",
                         data=session("AUTH PLAIN", b64(m) or "="))
        expect(codes(out) == [334, 501] and json_lines(out)[3]["enhanced"] == "5.5.2",
               f"malformed PLAIN {m!r}: 501 5.5.2", out)
    # the right pair: initial response, after a 334, and then authenticated
    rc, out, _ = run("--json", "--auth", "alice:s:cret", "-",
                     data=session("AUTH PLAIN " + good, "MAIL FROM:<a@b.c>"))
    expect(rc == 0 and codes(out) == [235, 250], "right PLAIN credentials: 235", out)
    rc, out, _ = run("--json", "--auth", "alice:s:cret", "-",
                     data=session("AUTH PLAIN", b64(b"alice\0alice\0s:cret")))
    expect(codes(out) == [334, 235], "authzid equal to authcid is granted", out)
    # a failure, then the right pair
    rc, out, _ = run("--json", "--auth", "alice:s:cret", "-",
                     data=session("AUTH PLAIN " + b64(b"\0alice\0x"), "AUTH PLAIN " + good))
    expect(codes(out) == [535, 235], "retry after 535", out)
    # LOGIN with the same pair, with and without an initial response
    for lines, want in [
        (["AUTH LOGIN", b64(b"alice"), b64(b"s:cret")], [334, 334, 235]),
        (["AUTH LOGIN " + b64(b"alice"), b64(b"s:cret")], [334, 235]),
        (["AUTH LOGIN", b64(b"alice"), b64(b"nope")], [334, 334, 535]),
        (["AUTH LOGIN", b64(b"bob"), b64(b"s:cret")], [334, 334, 535]),
        (["AUTH LOGIN", "=", b64(b"s:cret")], [334, 334, 535]),
    ]:
        rc, out, _ = run("--json", "--auth", "alice:s:cret", "-", data=session(*lines))
        expect(codes(out) == want, f"LOGIN {lines}: {want}", out)
    for badarg in ("alice", ":x", "alice:"):
        rc, out, err = run("--auth", badarg)
        expect(rc == 2 and "--auth" in err, f"--auth {badarg}: usage error", err)


CASES = {k[5:]: v for k, v in globals().items() if k.startswith("case_")}
if CASE not in CASES:
    sys.exit(f"unknown case {CASE}; cases: {' '.join(CASES)}")
CASES[CASE]()
print("ok", CASE)
