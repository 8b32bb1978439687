#!/usr/bin/env python3
"""Interop tests: real SMTP clients send mail through examples/server, and the
messages it stores are compared byte for byte with what was sent; the
library's reply parser (smtpcheck --replies) reads a real server's replies.

Usage: interop.py SERVER SMTPCHECK CASE
Every case starts its own server on 127.0.0.1 (a free port) and stops it.
A missing client is a failure: scripts/deps.sh installs them all."""
import base64
import json
import os
import select
import shutil
import smtplib
import socket
import subprocess
import sys
import tempfile
import time

SERVER, SMTPCHECK, CASE = sys.argv[1], sys.argv[2], sys.argv[3]
TIMEOUT = 30

# A message with CRLF line ends throughout, a line starting with a dot (to
# be stuffed by the client and unstuffed by the server), 8-bit text, and the
# headers msmtp would otherwise add itself.
MESSAGE = (b"From: Alice <alice@example.org>\r\n"
           b"To: Bob <bob@example.net>\r\n"
           b"Date: Mon, 02 Mar 2026 10:00:00 +0000\r\n"
           b"Message-ID: <interop-1@example.org>\r\n"
           b"Subject: interop test\r\n"
           b"MIME-Version: 1.0\r\n"
           b"Content-Type: text/plain; charset=utf-8\r\n"
           b"Content-Transfer-Encoding: 8bit\r\n"
           b"\r\n"
           b"Hello Bob,\r\n"
           b".a line that starts with a dot\r\n"
           b"..and one with two\r\n"
           b"caf\xc3\xa9 \xe2\x82\xac\r\n"
           b"\r\n"
           b"-- \r\n"
           b"Alice\r\n")


def fail(msg):
    print("FAIL:", msg)
    sys.exit(1)


def need(prog):
    path = shutil.which(prog)
    if not path:
        fail(f"{prog} is not installed (scripts/deps.sh installs it)")
    return path


class Server:
    """examples/server on a free loopback port, with its own spool directory."""

    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="smtpp-interop-")
        self.log = open(os.path.join(self.dir, "server.log"), "w+")
        self.spool = os.path.join(self.dir, "spool")
        os.mkdir(self.spool)
        self.proc = subprocess.Popen([SERVER, "-l", "127.0.0.1", "-p", "0", "-d", self.spool,
                                      "-v", *args], stdout=subprocess.PIPE, stderr=self.log)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("listening on 127.0.0.1:"):
            self.stop()
            fail(f"the server did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])

    def messages(self):
        """The stored messages, oldest first: (envelope lines, body bytes)."""
        out = []
        names = sorted((n for n in os.listdir(self.spool) if n.endswith(".eml")),
                       key=lambda n: int(n.split(".")[2]))
        for n in names:
            with open(os.path.join(self.spool, n), "rb") as f:
                data = f.read()
            env, _, body = data.partition(b"\n\n")
            out.append((env.decode("utf-8").split("\n"), body))
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()   # our own child, by its pid
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.seek(0)
        text = self.log.read()
        self.log.close()
        shutil.rmtree(self.dir, ignore_errors=True)
        return text

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        log = self.stop()
        if exc_type is not None or getattr(self, "show_log", False):
            print("--- server log\n" + log[-6000:])


def check_message(stored, sender, rcpts, body, what):
    env, got = stored
    mail = env[0]
    if not mail.upper().startswith("MAIL FROM:<" + sender.upper() + ">"):
        fail(f"{what}: envelope sender {mail!r}, expected <{sender}>")
    got_rcpts = [l[len("RCPT TO:"):].split(">")[0].lstrip("<") for l in env[1:]]
    if [r.lower() for r in got_rcpts] != [r.lower() for r in rcpts]:
        fail(f"{what}: envelope recipients {got_rcpts}, expected {rcpts}")
    if got != body:
        fail(f"{what}: stored body differs from what was sent\n--- sent\n{body!r}\n--- stored\n{got!r}")


def expect_count(srv, n, what):
    msgs = srv.messages()
    if len(msgs) != n:
        fail(f"{what}: {len(msgs)} messages stored, expected {n}")
    return msgs


def run(cmd, what, data=None):
    try:
        p = subprocess.run(cmd, input=data, capture_output=True, timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        fail(f"{what}: timed out")
    if p.returncode != 0:
        fail(f"{what}: exit status {p.returncode}\n{p.stdout.decode(errors='replace')}\n"
             f"{p.stderr.decode(errors='replace')}")
    return p.stdout.decode(errors="replace")


# ---- Python smtplib ----------------------------------------------------------------

def case_smtplib_plain():
    with Server() as srv:
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            refused = s.sendmail("alice@example.org", ["bob@example.net", "carol@example.net"], MESSAGE)
            if refused:
                fail(f"recipients refused: {refused}")
        check_message(expect_count(srv, 1, "smtplib")[0], "alice@example.org",
                      ["bob@example.net", "carol@example.net"], MESSAGE, "smtplib")
        # HELO instead of EHLO, and 8-bit data without BODY=8BITMIME
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            code, text = s.helo("client.example.org")
            if code != 250 or not text.startswith(b"localhost"):   # RFC 5321 4.1.1.1
                fail(f"HELO: {code} {text!r}, expected 250 localhost ...")
            s.sendmail("<>" if False else "alice@example.org", ["bob@example.net"], MESSAGE)
        check_message(expect_count(srv, 2, "smtplib HELO")[1], "alice@example.org",
                      ["bob@example.net"], MESSAGE, "smtplib HELO")


def case_smtplib_pipelined():
    """Several messages on one connection (smtplib), then a pipelined group
    as RFC 2920 allows it, sent in one write; the server's replies are read
    back by the library's reply parser (smtpcheck --replies)."""
    bodies = [MESSAGE.replace(b"interop test", b"message %d" % i) for i in range(5)]
    with Server() as srv:
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            for i, b in enumerate(bodies):
                s.sendmail(f"alice{i}@example.org", [f"bob{i}@example.net", "carol@example.net"], b,
                           mail_options=["BODY=8BITMIME"])
        msgs = expect_count(srv, 5, "smtplib, 5 messages on one connection")
        for i, b in enumerate(bodies):
            check_message(msgs[i], f"alice{i}@example.org", [f"bob{i}@example.net", "carol@example.net"],
                          b, f"smtplib message {i}")

        # several clients at once, their transactions interleaved
        conns = [smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) for _ in range(4)]
        for i, s in enumerate(conns):
            s.ehlo()
            s.mail(f"x{i}@example.org")
        for i, s in enumerate(conns):
            s.rcpt(f"y{i}@example.net")
        for i, s in enumerate(reversed(conns)):
            code, _ = s.data(bodies[i])
            if code != 250:
                fail(f"interleaved client {i}: DATA {code}")
            s.quit()
        msgs = expect_count(srv, 9, "four interleaved clients")
        for i in range(4):
            check_message(msgs[5 + i], f"x{3 - i}@example.org", [f"y{3 - i}@example.net"], bodies[i],
                          f"interleaved client {3 - i}")

        stuffed = MESSAGE.replace(b"\r\n.", b"\r\n..")
        group = (b"MAIL FROM:<p@example.org> BODY=8BITMIME\r\nRCPT TO:<q@example.net>\r\n"
                 b"RCPT TO:<r@example.net>\r\nDATA\r\n")
        with socket.create_connection(("127.0.0.1", srv.port), timeout=TIMEOUT) as c:
            got = b""

            def until(n):
                nonlocal got
                while got.count(b"\r\n") < n and not got.endswith(b"221 2.0.0 Bye\r\n"):
                    d = c.recv(65536)
                    if not d:
                        break
                    got += d
            until(1)
            c.sendall(b"EHLO client.example.org\r\n")
            until(11)
            c.sendall(group)                               # one write, four commands
            until(15)
            c.sendall(stuffed + b".\r\nMAIL FROM:<s@example.org>\r\nRCPT TO:<t@example.net>\r\n"
                      b"BDAT 10\r\n0123456789BDAT 3 LAST\r\nab\nQUIT\r\n")
            until(21)
        check_message(expect_count(srv, 11, "pipelined")[9], "p@example.org",
                      ["q@example.net", "r@example.net"], MESSAGE, "pipelined DATA")
        check_message(srv.messages()[10], "s@example.org", ["t@example.net"], b"0123456789ab\n",
                      "pipelined BDAT")
        p = subprocess.run([SMTPCHECK, "--replies", "--json", "-"], input=got, capture_output=True,
                           timeout=TIMEOUT)
        replies = [json.loads(l) for l in p.stdout.decode().split("\n")[:-1]]
        codes = [r["code"] for r in replies]
        want = [220, 250, 250, 250, 250, 354, 250, 250, 250, 250, 250, 221]
        if p.returncode != 0 or codes != want:
            fail(f"replies of the pipelined session: {codes}, expected {want}\n{got!r}")
        caps = replies[1]["capabilities"]
        for k in ("PIPELINING", "CHUNKING", "SMTPUTF8", "SIZE"):
            if k not in caps:
                fail(f"EHLO reply lacks {k}: {caps}")


def case_smtplib_smtputf8():
    sender, rcpt = "jörg@exämple.org", "用户@例子.广告"
    body = MESSAGE.replace(b"From: Alice <alice@example.org>", "From: Jörg <jörg@exämple.org>".encode())
    with Server() as srv:
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            s.ehlo()
            if not s.has_extn("smtputf8"):
                fail("SMTPUTF8 not offered")
            s.sendmail(sender, [rcpt, "bob@example.net"], body, mail_options=["SMTPUTF8", "BODY=8BITMIME"])
            # without SMTPUTF8 the non-ASCII sender is refused (553 5.6.7)
            s.command_encoding = "utf-8"
            code, resp = s.docmd("MAIL", f"FROM:<{sender}>")
            if code != 553:
                fail(f"non-ASCII sender without SMTPUTF8: {code} {resp!r}, expected 553")
        check_message(expect_count(srv, 1, "SMTPUTF8")[0], sender, [rcpt, "bob@example.net"], body,
                      "SMTPUTF8")


def case_smtplib_auth():
    with Server() as srv:
        # PLAIN with an initial response (what smtplib picks)
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            s.login("test", "secret")
            s.sendmail("alice@example.org", ["bob@example.net"], MESSAGE)
        # LOGIN, both with the user name as initial response and without
        for initial in (True, False):
            with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
                s.ehlo()
                s.user, s.password = "test", "secret"
                code, resp = s.auth("LOGIN", s.auth_login, initial_response_ok=initial)
                if code != 235:
                    fail(f"AUTH LOGIN (initial={initial}): {code} {resp!r}")
                s.sendmail("alice@example.org", ["bob@example.net"], MESSAGE)
        # PLAIN without an initial response: 334, then the response line
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            s.ehlo()
            s.user, s.password = "test", "secret"
            code, resp = s.auth("PLAIN", s.auth_plain, initial_response_ok=False)
            if code != 235:
                fail(f"AUTH PLAIN without initial response: {code} {resp!r}")
        # wrong credentials, and a cancelled exchange
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=TIMEOUT) as s:
            try:
                s.login("test", "wrong")
                fail("wrong password accepted")
            except smtplib.SMTPAuthenticationError as e:
                if e.smtp_code != 535:
                    fail(f"wrong password: {e.smtp_code}")
            code, _ = s.docmd("AUTH", "LOGIN")
            code2, resp = s.docmd("*")
            if (code, code2) != (334, 501):
                fail(f"cancelled AUTH: {code} {code2} {resp!r}")
        for i, m in enumerate(expect_count(srv, 3, "AUTH")):
            check_message(m, "alice@example.org", ["bob@example.net"], MESSAGE, f"AUTH message {i}")


# ---- curl, swaks, msmtp -----------------------------------------------------------

def write_message(d, data=MESSAGE):
    path = os.path.join(d, "message.eml")
    with open(path, "wb") as f:
        f.write(data)
    return path


def case_curl():
    curl = need("curl")
    with Server() as srv, tempfile.TemporaryDirectory() as d:
        path = write_message(d)
        url = f"smtp://127.0.0.1:{srv.port}/client.example.org"
        run([curl, "-sS", "--max-time", str(TIMEOUT), url, "--mail-from", "alice@example.org",
             "--mail-rcpt", "bob@example.net", "--mail-rcpt", "carol@example.net", "-T", path], "curl")
        run([curl, "-sS", "--max-time", str(TIMEOUT), url, "--user", "test:secret",
             "--login-options", "AUTH=LOGIN", "--mail-from", "alice@example.org",
             "--mail-rcpt", "bob@example.net", "-T", path], "curl with AUTH LOGIN")
        msgs = expect_count(srv, 2, "curl")
        check_message(msgs[0], "alice@example.org", ["bob@example.net", "carol@example.net"], MESSAGE, "curl")
        check_message(msgs[1], "alice@example.org", ["bob@example.net"], MESSAGE, "curl AUTH")


def case_swaks():
    swaks = need("swaks")
    with Server() as srv, tempfile.TemporaryDirectory() as d:
        # swaks ends the data with CRLF "." CRLF itself: its file carries no
        # final line end, and what is stored is MESSAGE with it.
        path = write_message(d, MESSAGE[:-2])
        base = [swaks, "--server", "127.0.0.1", "--port", str(srv.port), "--helo", "client.example.org",
                "--from", "alice@example.org", "--data", path, "--timeout", str(TIMEOUT)]
        run(base + ["--to", "bob@example.net,carol@example.net"], "swaks")
        run(base + ["--to", "bob@example.net", "--pipeline"], "swaks --pipeline")
        run(base + ["--to", "bob@example.net", "--auth", "PLAIN", "--auth-user", "test",
                    "--auth-password", "secret"], "swaks --auth PLAIN")
        run(base + ["--to", "bob@example.net", "--auth", "LOGIN", "--auth-user", "test",
                    "--auth-password", "secret"], "swaks --auth LOGIN")
        msgs = expect_count(srv, 4, "swaks")
        check_message(msgs[0], "alice@example.org", ["bob@example.net", "carol@example.net"], MESSAGE, "swaks")
        for i, m in enumerate(msgs[1:]):
            check_message(m, "alice@example.org", ["bob@example.net"], MESSAGE, f"swaks run {i + 2}")


def case_msmtp():
    msmtp = need("msmtp")
    with Server() as srv, tempfile.TemporaryDirectory() as d:
        conf = os.path.join(d, "msmtprc")
        with open(conf, "w") as f:
            f.write("defaults\n")
        os.chmod(conf, 0o600)
        base = [msmtp, "-C", conf, "--host=127.0.0.1", f"--port={srv.port}", "--tls=off",
                "--domain=client.example.org", "--from=alice@example.org"]
        run(base + ["--auth=off", "bob@example.net", "carol@example.net"], "msmtp", data=MESSAGE)
        run(base + ["--auth=plain", "--user=test", "--passwordeval=echo secret", "bob@example.net"],
            "msmtp --auth=plain", data=MESSAGE)
        run(base + ["--auth=login", "--user=test", "--passwordeval=echo secret", "bob@example.net"],
            "msmtp --auth=login", data=MESSAGE)
        msgs = expect_count(srv, 3, "msmtp")
        check_message(msgs[0], "alice@example.org", ["bob@example.net", "carol@example.net"], MESSAGE, "msmtp")
        check_message(msgs[1], "alice@example.org", ["bob@example.net"], MESSAGE, "msmtp AUTH PLAIN")
        check_message(msgs[2], "alice@example.org", ["bob@example.net"], MESSAGE, "msmtp AUTH LOGIN")


# ---- The reply side: a real server's replies through the library -------------------

def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def own_parse(raw):
    """An independent reading of the replies: [(code, [line texts])]."""
    replies, cur = [], []
    for line in raw.split(b"\r\n")[:-1]:
        cur.append(line[4:].decode("utf-8", "replace"))
        if line[3:4] != b"-":
            replies.append((int(line[:3]), cur))
            cur = []
    return replies


def case_aiosmtpd_replies():
    try:
        import aiosmtpd  # noqa: F401  (this interpreter runs the server)
    except ImportError:
        fail(f"{sys.executable} cannot import aiosmtpd (scripts/deps.sh installs python3-aiosmtpd)")
    with tempfile.TemporaryDirectory() as d:
        log = open(os.path.join(d, "aiosmtpd.log"), "w+")
        for attempt in range(5):
            port = free_port()
            proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-c",
                                     "aiosmtpd.handlers.Sink", "-s", "1048576", "-u",
                                     "-l", f"127.0.0.1:{port}"],
                                    stdout=log, stderr=log)
            deadline = time.time() + 10
            c = None
            while time.time() < deadline and proc.poll() is None:
                try:
                    c = socket.create_connection(("127.0.0.1", port), timeout=TIMEOUT)
                    break
                except OSError:
                    time.sleep(0.1)
            if c:
                break
            proc.terminate()
            proc.wait()
        else:
            fail("aiosmtpd did not start")
        try:
            got = b""
            script = [None, b"EHLO client.example.org\r\n", b"MAIL FROM:<alice@example.org>\r\n",
                      b"RCPT TO:<bob@example.net>\r\n", b"DATA\r\n",
                      MESSAGE.replace(b"\r\n.", b"\r\n..") + b".\r\n",
                      b"RCPT TO:<x@example.net>\r\n", b"NOOP\r\n", b"FOO\r\n", b"HELP\r\n",
                      b"RSET\r\n", b"QUIT\r\n"]
            for cmd in script:           # one reply each, the greeting first
                before = len(own_parse(got))
                if cmd:
                    c.sendall(cmd)
                while len(own_parse(got)) == before:
                    data = c.recv(65536)
                    if not data:
                        break
                    got += data
        finally:
            c.close()
            proc.terminate()
            proc.wait(10)
        p = subprocess.run([SMTPCHECK, "--replies", "--json", "-"], input=got, capture_output=True,
                           timeout=TIMEOUT)
        ours = [json.loads(l) for l in p.stdout.decode().split("\n")[:-1]]
        theirs = own_parse(got)
        if p.returncode != 0 or any("error" in r for r in ours):
            fail(f"smtpcheck --replies refused a reply of aiosmtpd:\n{p.stdout.decode()}\n{got!r}")
        if [(r["code"], r["lines"]) for r in ours] != [(c_, len(t)) for c_, t in theirs]:
            fail(f"reply codes/lines differ:\n{ours}\n{theirs}")
        for r, (code, texts) in zip(ours, theirs):
            joined = [((r["enhanced"] + " ") if r["enhanced"] and r["code"] // 100 != 3 and t.startswith(r["enhanced"]) else "") + x
                      for t, x in zip(texts, r["text"])]
            if joined != texts:
                fail(f"reply {code}: text {r['text']} (enhanced {r['enhanced']}) vs {texts}")
        ehlo = ours[1]
        caps = ehlo.get("capabilities", {})
        want = [t.split(" ", 1)[0] for t in theirs[1][1][1:]]
        if list(caps) != want or ehlo["domain"] != theirs[1][1][0].split(" ")[0]:
            fail(f"EHLO capabilities {caps}, domain {ehlo.get('domain')}; raw lines {theirs[1][1]}")
        for k in ("SIZE", "8BITMIME", "SMTPUTF8"):
            if k not in caps:
                fail(f"aiosmtpd's EHLO reply should offer {k}: {caps}")
        codes = [r["code"] for r in ours]
        if codes[:5] != [220, 250, 250, 250, 354] or codes[-1] != 221 or 500 not in codes:
            fail(f"reply codes {codes}\n{got!r}")
        print("aiosmtpd replies as read by smtpcheck --replies:")
        print(subprocess.run([SMTPCHECK, "--replies", "-"], input=got, capture_output=True).stdout.decode())


CASES = {k[5:]: v for k, v in list(globals().items()) if k.startswith("case_")}
if CASE not in CASES:
    fail(f"unknown case {CASE}; cases: {' '.join(CASES)}")
CASES[CASE]()
print("ok", CASE)
