#!/usr/bin/env python3
"""examples/proxy in front of a real Postfix (tests/postfix/upstream.py).

Usage: postfix_test.py PROXY CASE [--asan]
Each case starts its own Postfix (127.0.0.1, a port in 27000-27999) and its
own proxy (127.0.0.1, a free port), and stops both whatever happens.
Postfix delivers into a maildir with LF line ends, so "byte for byte" means:
the delivered message equals what the client meant to send, with each CRLF
as LF (Postfix stores lines, not line ends); dots, 8-bit and UTF-8 octets,
blank lines and trailing spaces exactly."""
import asyncio
import os
import random
import select
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from upstream import Postfix  # noqa: E402

PROXY, CASE = sys.argv[1], sys.argv[2]   # PROXY: "none" for the direct cases
ASAN = "--asan" in sys.argv[3:]
TIMEOUT = 60

MESSAGE = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.net>\r\n"
           b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
           b"Message-ID: <proxy-1@example.org>\r\n"
           b"Subject: proxy test\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n"
           b"\r\n"
           b"Hello Bob,\r\n"
           b".a line that starts with a dot\r\n"
           b"..and one with two\r\n"
           b".\r\n"
           b"caf\xc3\xa9 \xe2\x82\xac  \r\n"
           b"\r\n"
           b"-- \r\n"
           b"Alice\r\n")


def lf(b):
    return b.replace(b"\r\n", b"\n")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def need(prog):
    path = shutil.which(prog)
    if not path:
        fail(f"{prog} is not installed (scripts/deps.sh installs it)")
    return path


class Proxy:
    """examples/proxy on a free loopback port in front of upstream_port."""

    def __init__(self, upstream_port, policy="refuse"):
        self.log = tempfile.TemporaryFile(mode="w+")
        self.proc = subprocess.Popen([PROXY, "-u", str(upstream_port), "-p", "0", "-b", policy, "-v"],
                                     stdout=subprocess.PIPE, stderr=self.log)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("listening on 127.0.0.1:"):
            self.stop()
            fail(f"the proxy did not start: {line!r}\n{self.text()}")
        self.port = int(line.rsplit(":", 1)[1])
        self.fd0 = fds(self.proc.pid)     # std streams and the listening socket

    def text(self):
        self.log.seek(0)
        return self.log.read()

    def stop(self):
        """SIGTERM: the proxy frees everything and exits 0 (the ASan build
        then reports any leak and fails the exit status)."""
        if self.proc.poll() is None:
            self.proc.terminate()      # our own child, by its pid
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                fail("the proxy did not exit on SIGTERM")
        text = self.text()
        if self.proc.returncode != 0 or "Sanitizer" in text or "runtime error" in text:
            fail(f"the proxy exited with {self.proc.returncode}:\n{text[-6000:]}")
        return text

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            self.proc.kill()
            print("--- proxy log\n" + self.text()[-4000:])
            return
        self.stop()


def delivered(pf, expect, what):
    """Waits for Postfix's queue to empty; checks that exactly the messages
    in expect (list of (sender, rcpt, message bytes as sent, CRLF)) were
    delivered, in any order, each exactly once."""
    got = pf.settle()
    want = sorted((s, r.lower(), lf(m)) for s, r, m in expect)
    have = sorted((d.sender, d.rcpt.lower(), d.body) for d in got)
    if want != have:
        fail(f"{what}: delivered messages differ\n--- expected\n" +
             "\n".join(repr(w)[:300] for w in want) + "\n--- delivered\n" +
             "\n".join(repr(h)[:300] for h in have))
    return got


def run(cmd, what, data=None):
    try:
        p = subprocess.run(cmd, input=data, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail(f"{what}: timed out")
    if p.returncode != 0:
        fail(f"{what}: exit status {p.returncode}\n{p.stdout.decode(errors='replace')}\n"
             f"{p.stderr.decode(errors='replace')}")
    return p.stdout.decode(errors="replace")


class Raw:
    """A hand-driven client socket that reads whole replies."""

    def __init__(self, port):
        self.s = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
        self.buf = b""

    def replies(self, n):
        out = []
        while len(out) < n:
            while b"\r\n" not in self.buf:
                try:
                    d = self.s.recv(65536)
                except ConnectionResetError:
                    d = b""
                if not d:
                    return out
                self.buf += d
            line, self.buf = self.buf.split(b"\r\n", 1)
            if line[3:4] == b"-":
                continue
            out.append(line)
        return out

    def codes(self, n):
        return [int(l[:3]) for l in self.replies(n)]

    def send(self, b):
        try:
            self.s.sendall(b)
        except (BrokenPipeError, ConnectionResetError):
            pass            # closed by the peer: the replies read so far tell

    def eof(self):
        """True when the peer closed cleanly (FIN, no RST) with nothing more to read."""
        try:
            return self.buf == b"" and self.s.recv(65536) == b""
        except ConnectionResetError:
            return False

    def close(self):
        self.s.close()


# ---- clients: smtplib, curl, swaks, msmtp ------------------------------------------

def case_smtplib_plain():
    with Postfix() as pf, Proxy(pf.port) as px:
        with smtplib.SMTP("127.0.0.1", px.port, timeout=TIMEOUT) as s:
            refused = s.sendmail("alice@example.org", ["bob@example.net", "carol@test.example"], MESSAGE)
            if refused:
                fail(f"recipients refused: {refused}")
        with smtplib.SMTP("127.0.0.1", px.port, timeout=TIMEOUT) as s:
            s.helo("client.example.org")
            s.sendmail("alice@example.org", ["dave@example.net"], MESSAGE)
        delivered(pf, [("alice@example.org", "bob@example.net", MESSAGE),
                       ("alice@example.org", "carol@test.example", MESSAGE),
                       ("alice@example.org", "dave@example.net", MESSAGE)], "smtplib")


def case_smtplib_pipelined():
    bodies = [MESSAGE.replace(b"proxy test", b"message %d" % i) for i in range(5)]
    with Postfix() as pf, Proxy(pf.port) as px:
        with smtplib.SMTP("127.0.0.1", px.port, timeout=TIMEOUT) as s:
            s.ehlo()
            if not s.has_extn("pipelining"):
                fail("the proxy does not offer PIPELINING although Postfix does")
            for i, b in enumerate(bodies):
                s.sendmail(f"alice{i}@example.org", [f"bob{i}@example.net"], b,
                           mail_options=["BODY=8BITMIME"])
        delivered(pf, [(f"alice{i}@example.org", f"bob{i}@example.net", b) for i, b in enumerate(bodies)],
                  "smtplib, 5 messages on one connection")


def case_smtplib_smtputf8():
    sender, rcpt = "jörg@exämple.org", "用户@例子.广告"
    body = MESSAGE.replace(b"From: Alice <alice@example.org>", "From: Jörg <jörg@exämple.org>".encode())
    with Postfix() as pf, Proxy(pf.port) as px:
        with smtplib.SMTP("127.0.0.1", px.port, timeout=TIMEOUT) as s:
            s.ehlo()
            if not s.has_extn("smtputf8"):
                fail("the proxy does not offer SMTPUTF8 although Postfix does")
            s.sendmail(sender, [rcpt, "bob@example.net"], body, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
            s.command_encoding = "utf-8"
            code, resp = s.docmd("MAIL", f"FROM:<{sender}>")     # no SMTPUTF8: the proxy refuses
            if code != 553:
                fail(f"non-ASCII sender without SMTPUTF8: {code} {resp!r}, expected 553")
        delivered(pf, [(sender, rcpt, body), (sender, "bob@example.net", body)], "SMTPUTF8")
        if "mail=1 rcpt=2 data=1" not in pf.log():   # the refused MAIL never reached Postfix
            fail("Postfix's command counts:\n" + pf.log())


def case_smtplib_auth():
    """Postfix here offers no AUTH (no SASL back end), so neither does the
    proxy: the EHLO reply lacks it and AUTH is refused by the proxy."""
    with Postfix() as pf, Proxy(pf.port) as px:
        with smtplib.SMTP("127.0.0.1", px.port, timeout=TIMEOUT) as s:
            s.ehlo()
            if s.has_extn("auth"):
                fail("the proxy offers AUTH, which Postfix does not")
            code, resp = s.docmd("AUTH", "PLAIN AHRlc3QAc2VjcmV0")
            if code not in (502, 503, 500):
                fail(f"AUTH without the extension: {code} {resp!r}")
            try:
                s.login("test", "secret")
                fail("login succeeded without AUTH")
            except smtplib.SMTPNotSupportedError:
                pass
            s.sendmail("alice@example.org", ["bob@example.net"], MESSAGE)
        delivered(pf, [("alice@example.org", "bob@example.net", MESSAGE)], "after AUTH refused")
        if "auth=" in pf.log():         # Postfix counts the commands it got at disconnect
            fail("AUTH reached Postfix:\n" + pf.log())


def write_message(d, data=MESSAGE):
    path = os.path.join(d, "message.eml")
    with open(path, "wb") as f:
        f.write(data)
    return path


def case_curl():
    curl = need("curl")
    with Postfix() as pf, Proxy(pf.port) as px, tempfile.TemporaryDirectory() as d:
        path = write_message(d)
        run([curl, "-sS", "--max-time", str(TIMEOUT), f"smtp://127.0.0.1:{px.port}/client.example.org",
             "--mail-from", "alice@example.org", "--mail-rcpt", "bob@example.net",
             "--mail-rcpt", "carol@test.example", "-T", path], "curl")
        delivered(pf, [("alice@example.org", "bob@example.net", MESSAGE),
                       ("alice@example.org", "carol@test.example", MESSAGE)], "curl")


def case_swaks():
    swaks = need("swaks")
    with Postfix() as pf, Proxy(pf.port) as px, tempfile.TemporaryDirectory() as d:
        path = write_message(d, MESSAGE[:-2])     # swaks adds the last CRLF itself
        base = [swaks, "--server", "127.0.0.1", "--port", str(px.port), "--helo", "client.example.org",
                "--from", "alice@example.org", "--data", path, "--timeout", str(TIMEOUT)]
        run(base + ["--to", "bob@example.net,carol@test.example"], "swaks")
        out = run(base + ["--to", "dave@example.net", "--pipeline"], "swaks --pipeline")
        if "MAIL FROM:<alice@example.org>" not in out:
            fail(f"swaks --pipeline transcript:\n{out}")
        delivered(pf, [("alice@example.org", "bob@example.net", MESSAGE),
                       ("alice@example.org", "carol@test.example", MESSAGE),
                       ("alice@example.org", "dave@example.net", MESSAGE)], "swaks")
        # swaks --pipeline sent MAIL, RCPT and DATA in one write: one upstream write
        if "upstream write 65 bytes\n" not in px.text():   # MAIL 31, RCPT 28, DATA 6
            fail("swaks --pipeline: no upstream write carried MAIL, RCPT and DATA together\n" + px.text())


def case_msmtp():
    msmtp = need("msmtp")
    with Postfix() as pf, Proxy(pf.port) as px, tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "msmtprc")
        with open(conf, "w") as f:
            f.write("defaults\n")
        os.chmod(conf, 0o600)
        run([msmtp, "-C", conf, "--host=127.0.0.1", f"--port={px.port}", "--tls=off", "--auth=off",
             "--domain=client.example.org", "--from=alice@example.org", "bob@example.net",
             "carol@test.example"], "msmtp", data=MESSAGE)
        delivered(pf, [("alice@example.org", "bob@example.net", MESSAGE),
                       ("alice@example.org", "carol@test.example", MESSAGE)], "msmtp")


# ---- pipelining ------------------------------------------------------------------------

def case_pipelined_group():
    """MAIL, three RCPT (one unknown to Postfix, one it will not relay to) and
    DATA in one client write reach Postfix in one write; the client gets
    Postfix's own refusals, in order; the message goes to the accepted two."""
    group = (b"MAIL FROM:<p@example.org> BODY=8BITMIME\r\nRCPT TO:<q@example.net>\r\n"
             b"RCPT TO:<unknown@example.net>\r\nRCPT TO:<x@elsewhere.example>\r\n"
             b"RCPT TO:<r@test.example>\r\nDATA\r\n")
    with Postfix() as pf, Proxy(pf.port) as px:
        c = Raw(px.port)
        c.replies(1)
        c.send(b"EHLO client.example.org\r\n")
        c.replies(1)
        c.send(group)
        got = c.replies(6)
        codes = [int(l[:3]) for l in got]
        if codes != [250, 250, 550, 554, 250, 354]:
            fail(f"replies to the group: {got}")
        if b"User unknown" not in got[2] or b"Relay access denied" not in got[3]:
            fail(f"the client did not get Postfix's own refusals: {got}")
        c.send(MESSAGE.replace(b"\r\n.", b"\r\n..") + b".\r\n")
        if c.codes(1) != [250]:
            fail("message not accepted")
        c.send(b"QUIT\r\n")
        c.codes(1)
        c.close()
        delivered(pf, [("p@example.org", "q@example.net", MESSAGE), ("p@example.org", "r@test.example", MESSAGE)],
                  "pipelined group")
        writes = [l.split(" ", 1)[1] for l in px.text().split("\n") if "upstream write" in l]
        if f"upstream write {len(group)} bytes" not in writes:
            fail(f"the group of {len(group)} bytes did not reach Postfix in one write:\n" + "\n".join(writes))


# ---- smuggling -------------------------------------------------------------------------

SMUGGLE = [("LF.LF", b"\n.\n"), ("LF.CRLF", b"\n.\r\n"), ("CRLF.LF", b"\r\n.\n"), ("CR.CR", b"\r.\r"),
           ("CR.CRLF", b"\r.\r\n"), ("CRLF.CR", b"\r\n.\r"), ("LF.CR", b"\n.\r"), ("CR.LF", b"\r.\n"),
           ("CR.CRCRLF", b"\r.\r\r\n")]
EVIL = "evil@attacker.example"


def smuggle_body(name, seq, bare_commands=False):
    end = b"\n" if bare_commands else b"\r\n"
    return (b"Subject: smuggling " + name.encode() + b"\r\n\r\nfirst part" + seq +
            b"MAIL FROM:<" + EVIL.encode() + b">" + end + b"RCPT TO:<victim@example.net>" + end +
            b"DATA" + end + b"Subject: SMUGGLED" + end + end + b"smuggled" + end)


def smuggle_session(port, name, seq, bare, follow=False):
    """One session: the body with the smuggling attempt, ended by a real
    CRLF.CRLF; returns the client's replies after the greeting."""
    c = Raw(port)
    c.replies(1)
    c.send(b"EHLO client.example.org\r\n")
    out = c.replies(1)
    for cmd in (b"MAIL FROM:<alice@example.org>\r\n", b"RCPT TO:<bob@example.net>\r\n", b"DATA\r\n"):
        c.send(cmd)
        out += c.replies(1)
    c.send(smuggle_body(name, seq, bare) + b"\r\n.\r\n")
    out += c.replies(1)
    if follow:      # a good message on the same connection afterwards
        for cmd in (b"MAIL FROM:<alice@example.org>\r\n", b"RCPT TO:<carol@example.net>\r\n", b"DATA\r\n",
                    b"Subject: after " + name.encode() + b"\r\n\r\nfine\r\n.\r\n"):
            c.send(cmd)
            out += c.replies(1)
    c.send(b"QUIT\r\n")
    out += c.replies(10)        # up to the close: a smuggled session adds replies here
    c.close()
    return [l.decode(errors="replace") for l in out]


def variants():
    for name, seq in SMUGGLE:
        for bare in (False, True):
            yield name + (" (commands with LF)" if bare else ""), name, seq, bare


def case_smuggling_direct():
    """What Postfix itself does with each variant (sent straight to it):
    recorded, not asserted: it depends on the version and on
    smtpd_forbid_bare_newline."""
    for setting in (None, "normalize", "reject"):
        extra = {"smtpd_forbid_bare_newline": setting} if setting else {}
        with Postfix(maxproc=20, extra=extra) as pf:
            label = f"Postfix {pf.version()}, smtpd_forbid_bare_newline = {setting or 'default (no)'}"
            print(f"== {label}")
            results = []
            for title, name, seq, bare in variants():
                replies = smuggle_session(pf.port, name, seq, bare)
                results.append((title, replies))
            got = pf.settle()
            for title, replies in results:
                print(f"{title:32} replies to the message, then after it: "
                      f"{' | '.join(r[:30] for r in replies[4:])}")
            evil = [d for d in got if d.sender == EVIL]
            print(f"   messages delivered: {len(got)}, of them smuggled (sender {EVIL}): {len(evil)}")
            # what is asserted: Postfix's replies and its deliveries agree
            queued = sum(r.startswith("250 2.0.0 Ok: queued as") for _, rs in results for r in rs)
            if queued != len({d.queue_id for d in got}) or any(rs[-1][:3] != "221" for _, rs in results):
                fail(f"{label}: {queued} messages queued by the replies, {len(got)} delivered")
            for d in evil:
                print(f"   smuggled: {d.body[:80]!r}")


def smuggling_through(policy):
    with Postfix() as pf, Proxy(pf.port, policy) as px:
        results = []
        for title, name, seq, bare in variants():
            replies = smuggle_session(px.port, name, seq, bare, follow=True)
            results.append((title, replies))
        got = pf.settle()
        evil = [d for d in got if d.sender == EVIL or d.body.startswith(b"Subject: SMUGGLED")]
        if evil:
            fail(f"policy {policy}: a smuggled message reached Postfix: {evil}\n" + "\n".join(f"{t:32} {r}" for t, r in results))
        after = [d for d in got if d.body.startswith(b"Subject: after ")]
        got = [d for d in got if d not in after]
        if sorted(d.body for d in after) != sorted(b"Subject: after %s\n\nfine\n" % n.encode()
                                                   for _, n, _, _ in variants()):
            fail(f"policy {policy}: the good message after each attempt: {after}")
        report = []
        for title, replies in results:
            codes = [r[:3] for r in replies]
            report.append(f"{title:32} {' '.join(codes)}")
            want_end = "550" if policy == "refuse" else "250"
            if codes != ["250", "250", "250", "354", want_end, "250", "250", "354", "250", "221"]:
                fail(f"policy {policy}, {title}: replies {replies}\n" + "\n".join(report))
        print("\n".join(report))
        ids = {d.queue_id for d in got}
        n = 0 if policy == "refuse" else len(results)
        if len(got) != n or len(ids) != n:
            fail(f"policy {policy}: {len(got)} deliveries of {len(ids)} messages, expected {n}: {got}")
        for d in got:
            if b"MAIL FROM:<" + EVIL.encode() + b">" not in d.body:
                fail(f"policy {policy}: the smuggling attempt is not content of the message: {d.body!r}")
        if policy == "normalise":       # unstuffed at CRLF line starts, bare CR and LF -> CRLF
            want = sorted(lf(normalise(smuggle_body(name, seq, bare).replace(b"\r\n.", b"\r\n") + b"\r\n"))
                          for _, name, seq, bare in variants())
            if sorted(d.body for d in got) != want:
                fail("normalise: delivered messages differ\n" + "\n".join(repr(w) for w in want) +
                     "\n---\n" + "\n".join(repr(d.body) for d in got))


def normalise(b):
    out, i = bytearray(), 0
    while i < len(b):
        if b[i:i + 2] == b"\r\n":
            out += b"\r\n"
            i += 2
        else:
            out += b"\r\n" if b[i:i + 1] in (b"\r", b"\n") else b[i:i + 1]
            i += 1
    return bytes(out)


def case_smuggling_refuse():
    smuggling_through("refuse")


def case_smuggling_pass():
    smuggling_through("pass")


def case_smuggling_normalise():
    smuggling_through("normalise")


# ---- faults ----------------------------------------------------------------------------

def case_client_vanishes():
    """The client disconnects in the middle of its message: Postfix gets no
    end of data and delivers nothing; a later message on a new connection
    goes through; the proxy keeps no connection."""
    with Postfix() as pf, Proxy(pf.port) as px:
        for how in ("close", "reset"):
            c = Raw(px.port)
            c.replies(1)
            c.send(b"EHLO client.example.org\r\n")
            c.replies(1)
            c.send(b"MAIL FROM:<alice@example.org>\r\n")
            c.replies(1)
            c.send(b"RCPT TO:<bob@example.net>\r\nDATA\r\n")
            if c.codes(2) != [250, 354]:
                fail("no 354")
            c.send(b"Subject: partial " + how.encode() + b"\r\n\r\nthe first lines\r\n.\r")   # no end
            time.sleep(0.5)   # let it reach Postfix (not asserted on)
            if how == "reset":
                c.s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            c.close()
        with smtplib.SMTP("127.0.0.1", px.port, timeout=TIMEOUT) as s:
            s.sendmail("alice@example.org", ["carol@test.example"], MESSAGE)
        delivered(pf, [("alice@example.org", "carol@test.example", MESSAGE)], "after the client vanished")
        if pf.log().count("lost connection after DATA") < 2:
            fail("Postfix did not see the connections lost in DATA:\n" + pf.log()[-3000:])
        no_connections(px)


def no_connections(px):
    """Waits until the proxy holds no connection: its descriptors are those
    it started with (two per connection otherwise)."""
    deadline = time.time() + 30
    while fds(px.proc.pid) != px.fd0 and time.time() < deadline:
        time.sleep(0.1)
    if fds(px.proc.pid) != px.fd0:
        fail(f"the proxy still has {fds(px.proc.pid)} descriptors, {px.fd0} at its start")


def case_postfix_stops():
    """Postfix stops in the middle of a session: the client gets 421 and a
    clean close; a client that connects then gets 421 at once."""
    with Postfix() as pf, Proxy(pf.port) as px:
        c = Raw(px.port)
        c.replies(1)
        c.send(b"EHLO client.example.org\r\n")
        c.replies(1)
        c.send(b"MAIL FROM:<alice@example.org>\r\n")
        if c.codes(1) != [250]:
            fail("MAIL")
        pf.stop()
        c.send(b"RCPT TO:<bob@example.net>\r\n")
        got = c.replies(5)
        if not got or got[-1][:4] != b"421 " or any(l[:3] == b"250" for l in got):
            fail(f"after Postfix stopped: {got}")
        if not c.eof():
            fail("the proxy did not close the connection cleanly after 421")
        c.close()
        c = Raw(px.port)
        got = c.replies(1)
        if [l[:4] for l in got] != [b"421 "] or not c.eof():
            fail(f"greeting without an upstream: {got}")
        c.close()
        no_connections(px)


def case_postfix_refuses():
    """Postfix refuses a recipient, then the message (header_checks): the
    client sees Postfix's replies, and the session goes on."""
    with Postfix() as pf, Proxy(pf.port) as px:
        with smtplib.SMTP("127.0.0.1", px.port, timeout=TIMEOUT) as s:
            s.ehlo()
            s.mail("alice@example.org")
            code, resp = s.rcpt("unknown@example.net")
            if code != 550 or b"5.1.1" not in resp or b"User unknown" not in resp:
                fail(f"unknown recipient: {code} {resp!r}")
            code, resp = s.rcpt("bob@elsewhere.example")
            if code != 554 or b"Relay access denied" not in resp:
                fail(f"relaying: {code} {resp!r}")
            if s.rcpt("bob@example.net")[0] != 250:
                fail("recipient refused")
            code, resp = s.data(MESSAGE.replace(b"Subject: proxy test", b"Subject: reject-me"))
            if code != 550 or b"header_checks" not in resp:
                fail(f"refused message: {code} {resp!r}")
            s.sendmail("alice@example.org", ["bob@example.net"], MESSAGE)
        delivered(pf, [("alice@example.org", "bob@example.net", MESSAGE)], "after refusals")


# ---- soak ------------------------------------------------------------------------------

def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for l in f:
            if l.startswith("VmRSS:"):
                return int(l.split()[1])
    return 0


async def soak_client(port, run_id, cid, nmsg, rng, stats):
    """One client: a session of nmsg messages; some clients send one byte at
    a time, some cut the connection at a random point."""
    slow = rng.random() < 0.05
    cut = rng.random() < 0.15
    script = []                 # (bytes to send, replies to await, marker or None, kind)
    script.append((b"EHLO soak.example.org\r\n", 1, None, ""))
    for m in range(nmsg):
        marker = f"soak{run_id}-{cid}-{m}"
        body = (f"Subject: {marker}\r\nMessage-ID: <{marker}@example.org>\r\n\r\n".encode() +
                b"".join(b"line %d of %s\r\n" % (i, marker.encode()) for i in range(rng.randrange(1, 40))) +
                b".dot line\r\n")
        stats["bodies"][marker] = body
        script.append((f"MAIL FROM:<{cid}@example.org>\r\nRCPT TO:<s{cid}@example.net>\r\nDATA\r\n".encode(),
                       3, None, ""))
        script.append((body.replace(b"\r\n.", b"\r\n..") + b".\r\n", 1, marker, "end"))
    script.append((b"QUIT\r\n", 1, None, ""))
    total = sum(len(s[0]) for s in script)
    cut_at = rng.randrange(total) if cut else None
    sent = 0
    try:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)
        await reader.readline()
        for data, nrep, marker, kind in script:
            if cut_at is not None and sent + len(data) > cut_at:
                writer.write(data[:cut_at - sent])
                await writer.drain()
                if marker and cut_at - sent == len(data):
                    stats["unsure"].add(marker)
                writer.transport.abort() if rng.random() < 0.5 else writer.close()
                stats["cut"] += 1
                return
            if slow:
                for i in range(len(data)):
                    writer.write(data[i:i + 1])
                    await writer.drain()
            else:
                writer.write(data)
                await writer.drain()
            sent += len(data)
            if marker:
                stats["unsure"].add(marker)
            codes = []
            while len(codes) < nrep:
                line = await asyncio.wait_for(reader.readline(), TIMEOUT)
                if not line:
                    raise ConnectionError("closed by the proxy")
                if line[3:4] != b"-":
                    codes.append(int(line[:3]))
            if marker:
                stats["unsure"].discard(marker)
                if codes == [250]:
                    stats["accepted"].add(marker)
                else:
                    stats["refused"].append((marker, codes))
            elif kind == "" and nrep == 3 and codes != [250, 250, 354]:
                stats["refused"].append((cid, codes))
        writer.close()
    except (ConnectionError, asyncio.TimeoutError, OSError) as e:
        stats["errors"].append(f"client {cid}: {e!r}")


async def soak_run(port, clients, messages, seed):
    rng = random.Random(seed)
    stats = {"bodies": {}, "accepted": set(), "unsure": set(), "refused": [], "errors": [], "cut": 0}
    per = max(1, min(10, messages // clients))  # messages per session; sessions run `clients` at a time
    queue = list(range(messages // per))
    sem = asyncio.Semaphore(clients)

    async def one(cid):
        async with sem:
            await soak_client(port, seed, cid, per, random.Random(rng.random()), stats)
    await asyncio.gather(*(one(c) for c in queue))
    return stats


def case_soak():
    clients = int(os.environ.get("SMTPP_SOAK_CLIENTS", "200"))
    messages = int(os.environ.get("SMTPP_SOAK_MESSAGES", "2000"))
    print(f"soak: {clients} concurrent clients, {messages} messages"
          f"{' (ASan build)' if ASAN else ''}")
    with Postfix(maxproc=clients + 20) as pf, Proxy(pf.port) as px:
        # warm-up at full concurrency, then the baseline
        asyncio.run(soak_run(px.port, clients, clients, 1))
        no_connections(px)
        fd0, rss0 = fds(px.proc.pid), rss_kb(px.proc.pid)
        t0 = time.time()
        stats = asyncio.run(soak_run(px.port, clients, messages, 2))
        dt = time.time() - t0
        no_connections(px)
        fd1, rss1 = fds(px.proc.pid), rss_kb(px.proc.pid)
        got = pf.settle(timeout=600)
        print(f"soak: {len(stats['accepted'])} accepted, {len(stats['unsure'])} ended but unconfirmed, "
              f"{stats['cut']} clients cut, {len(stats['errors'])} errors, {dt:.1f} s; proxy fds {fd0} -> {fd1}, "
              f"RSS {rss0} -> {rss1} kB")
        if stats["errors"]:
            fail("client errors: " + "; ".join(stats["errors"][:10]))
        if stats["refused"]:
            fail(f"refused: {stats['refused'][:10]}")
        count = {}
        for d in got:
            marker = d.body.split(b"\n", 1)[0][len(b"Subject: "):].decode()
            if marker.startswith("soak1-"):        # the warm-up's
                continue
            count[marker] = count.get(marker, 0) + 1
            if lf(stats["bodies"].get(marker, b"?")) != d.body:
                fail(f"{marker}: delivered body differs (partial?): {d.body[:200]!r}")
        twice = [m for m, n in count.items() if n != 1]
        lost = [m for m in stats["accepted"] if m not in count]
        stray = [m for m in count if m not in stats["accepted"] and m not in stats["unsure"]]
        if twice or lost or stray:
            fail(f"delivered more than once: {twice[:10]}; accepted but not delivered: {lost[:10]}; "
                 f"delivered but never ended by the client: {stray[:10]}")
        if fd1 != fd0:
            fail(f"the proxy's descriptors: {fd0} before, {fd1} after")
        if not ASAN and rss1 > rss0 + 2048:
            fail(f"the proxy's memory: {rss0} kB before, {rss1} kB after")


CASES = {k[5:]: v for k, v in list(globals().items()) if k.startswith("case_")}
if CASE not in CASES:
    fail(f"unknown case {CASE}; cases: {' '.join(CASES)}")
CASES[CASE]()
print("ok", CASE)
