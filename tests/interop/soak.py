#!/usr/bin/env python3
"""Soak and limit tests of examples/server on loopback.

Usage: soak.py SERVER CASE
  soak    many concurrent clients (pipelined DATA and BDAT, slow senders,
          clients cut at random points, garbage, smuggling attempts), then:
          every message that got a 250 is stored exactly once, byte for byte
          (after unstuffing); none that did not is stored; the server still
          answers; a burst of CAP connections (its -c) all get a greeting and one
          more gets 421 4.3.2.
  limits  the connection cap and the RFC 5321 4.5.3.2 timeouts, with short
          timeouts: idle connections, a command that never ends, a stalled
          message and one that trickles forever each get 421 4.4.2 and are
          closed, and their messages are not stored.

Each case starts its own server (127.0.0.1, a free port, its own spool
directory) and stops it.  Bounded: a fixed number of sessions and messages,
and every wait for the server ends with a failure after HANG seconds (a
hang detector, not a timing assertion).  The random seed is printed; set
SOAK_SEED to replay a run, SOAK_MESSAGES and SOAK_CLIENTS to resize it."""
import asyncio
import os
import random
import re
import select
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

SERVER, CASE = sys.argv[1], sys.argv[2]
HANG = int(os.environ.get("SOAK_HANG", "60"))
SEED = int(os.environ.get("SOAK_SEED", "5321"))
# scripts/sanitize.sh --valgrind runs this interpreter (not the server) under
# memcheck: a short run is enough there.
UNDER_VALGRIND = "vgpreload" in os.environ.get("LD_PRELOAD", "")
MESSAGES = int(os.environ.get("SOAK_MESSAGES", "300" if UNDER_VALGRIND else "3000"))
CLIENTS = int(os.environ.get("SOAK_CLIENTS", "100"))
CAP = 160                       # the server's connection cap (-c) in the soak
# The spool goes to memory where there is some (the server's fsync calls are
# then cheap): the run measures the server, not a disk shared with other
# jobs, and the test cannot cut the power anyway.  SOAK_TMPDIR overrides.
SPOOL_PARENT = os.environ.get("SOAK_TMPDIR") or \
    ("/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None)


def fail(msg):
    print("FAIL:", msg, flush=True)
    sys.exit(1)


class Server:
    """examples/server on a free loopback port, with its own spool."""

    def __init__(self, *args):
        self.dir = tempfile.mkdtemp(prefix="smtpp-soak-", dir=SPOOL_PARENT)
        self.log = open(os.path.join(self.dir, "server.log"), "w+")
        self.spool = os.path.join(self.dir, "spool")
        os.mkdir(self.spool)
        self.proc = subprocess.Popen([SERVER, "-l", "127.0.0.1", "-p", "0", "-d", self.spool, *args],
                                     stdout=subprocess.PIPE, stderr=self.log)
        ready, _, _ = select.select([self.proc.stdout], [], [], 10)
        line = self.proc.stdout.readline().decode() if ready else ""
        if not line.startswith("listening on 127.0.0.1:"):
            print(self.stop())
            fail(f"the server did not start: {line!r}")
        self.port = int(line.rsplit(":", 1)[1])

    def files(self):
        return sorted(os.listdir(self.spool))

    def stored(self):
        """{file name: bytes} of the stored messages."""
        out = {}
        for n in self.files():
            if n.endswith(".eml"):
                with open(os.path.join(self.spool, n), "rb") as f:
                    out[n] = f.read()
        return out

    def alive(self):
        return self.proc.poll() is None

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()   # our own child, by its pid
            try:
                self.proc.wait(10)
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
        if exc_type is not None:
            print("--- server log (end)\n" + log[-4000:])
        elif "runtime error:" in log or "Sanitizer" in log:   # UBSan without halt_on_error
            i = log.find("runtime error:") if "runtime error:" in log else log.find("Sanitizer")
            fail("the server's sanitizers reported:\n" + log[max(0, i - 200):i + 3000])


# ---- The client side ----------------------------------------------------------------

class Cut(Exception):
    """The client cut its own connection (at offset `at` of its stream)."""

    def __init__(self, at):
        super().__init__(at)
        self.at = at


class Closed(Exception):
    """The server closed the connection (EOF where a reply was due)."""


class Ended(Exception):
    """The session is over: the server ended it as it should (421, 554)
    or a fault was recorded."""


class Client:
    """One connection: writes (maybe slowly, maybe cut at a byte budget)
    and reads whole replies."""

    def __init__(self, reader, writer, rng=None, slow=False, budget=None):
        self.r, self.w, self.rng, self.slow, self.budget = reader, writer, rng, slow, budget
        self.sent = 0                  # bytes written so far
        self.last = b""                # what was sent last

    @classmethod
    async def connect(cls, port, **kw):
        r, w = await asyncio.wait_for(asyncio.open_connection("127.0.0.1", port), HANG)
        return cls(r, w, **kw)

    async def send(self, data):
        self.last = data
        if self.budget is not None and self.sent + len(data) >= self.budget:
            data = data[:self.budget - self.sent]
            await self._write(data)
            self.abort(rst=self.rng.random() < 0.5)
            raise Cut(self.sent)
        await self._write(data)

    async def _write(self, data):
        if not self.slow:
            self.w.write(data)
            self.sent += len(data)
            await self.w.drain()
            return
        i = 0
        while i < len(data):
            n = self.rng.randint(1, 64)
            self.w.write(data[i:i + n])
            self.sent += len(data[i:i + n])
            i += n
            await self.w.drain()
            await asyncio.sleep(self.rng.random() * 0.004)

    async def reply(self):
        """(code, text of the last line); Closed at EOF."""
        while True:
            line = await asyncio.wait_for(self.r.readline(), HANG)
            if not line.endswith(b"\r\n"):
                raise Closed(line)
            if line[3:4] != b"-":
                return int(line[:3]), line[4:-2].decode("utf-8", "replace")

    async def eof(self):
        """True when the server closes the connection with nothing more."""
        return await asyncio.wait_for(self.r.read(1), HANG) == b""

    def abort(self, rst=False):
        if rst:
            sock = self.w.get_extra_info("socket")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.w.transport.abort()

    async def close(self):
        self.w.close()
        try:
            await self.w.wait_closed()
        except OSError:
            pass


# ---- Messages -----------------------------------------------------------------------

TEXT = bytes(range(0x20, 0x7F)) + bytes(range(0xA0, 0x100)) + b"\t"
TO_TEXT = bytes(TEXT[i % len(TEXT)] for i in range(256))   # any byte -> a text byte


def text_body(rng, size):
    """CRLF lines of text (8-bit included, no NUL, CR or LF inside a line),
    some starting with dots, a few near the 1000-octet line limit."""
    lines, n = [], 0
    while n < size:
        length = rng.randint(900, 998) if rng.random() < 0.03 else rng.randint(0, 100)
        line = rng.randbytes(length).translate(TO_TEXT)
        if rng.random() < 0.1:
            line = b"." * rng.randint(1, 3) + line[:995]
        lines.append(line)
        n += len(line) + 2
    return b"".join(l + b"\r\n" for l in lines)


def stuff(body):
    """The DATA stream for body: dot-stuffed, with the end-of-data mark."""
    return (b"\r\n" + body).replace(b"\r\n.", b"\r\n..")[2:] + b".\r\n"


def stored_form(env, body):
    """What the server stores: the envelope lines, LF-terminated, an empty
    line, the message."""
    return b"".join(l + b"\n" for l in env) + b"\n" + body


class Txn:
    """One transaction of a session: its commands and its expected file."""

    def __init__(self, rng, key, mode):
        self.key, self.mode = key, mode
        if mode in ("slow", "rude"):
            size = rng.randint(0, 1500)
        else:
            size = rng.choice((0, 200, 2000, 5000, 12000, 20000))
        params = b""
        if mode == "bdat":
            self.body = rng.randbytes(size)            # binary: any octet
            params = b" BODY=BINARYMIME"
        else:
            self.body = text_body(rng, size) if size else b""
            params = rng.choice((b"", b" BODY=8BITMIME"))
        if rng.random() < 0.3:
            params += b" SIZE=%d" % len(self.body)
        mail = b"MAIL FROM:<" + key.encode() + b"@soak.example>" + params
        rcpts = [b"RCPT TO:<rcpt%d@dest.example>" % i for i in range(rng.randint(1, 3))]
        self.env = [mail] + rcpts
        self.group = b"".join(l + b"\r\n" for l in self.env)
        self.expect = [250] * len(self.env)
        if mode == "bdat":
            cuts = sorted(rng.randint(0, len(self.body)) for _ in range(rng.randint(0, 3)))
            bounds = [0] + cuts + [len(self.body)]
            for i in range(len(bounds) - 1):
                chunk = self.body[bounds[i]:bounds[i + 1]]
                last = b" LAST" if i == len(bounds) - 2 else b""
                self.group += b"BDAT %d%s\r\n" % (len(chunk), last) + chunk
                self.expect.append(250)
        else:
            self.group += b"DATA\r\n"
            self.expect.append(354)
            self.data = stuff(self.body)

    def file(self):
        return stored_form(self.env, self.body)


SMUGGLES = [b"\n.\n", b"x\n.\r\n", b".\n", b"\r.\r\n", b"x\r.\r\n", b".\r", b"\r\n.\r\r\n"]
GARBAGE = [
    lambda rng: rng.randbytes(rng.randint(1, 300)).replace(b"\r", b"").replace(b"\n", b"").lstrip(b" ") + b"\r\n",
    lambda rng: b"X" * rng.randint(513, 5000) + b"\r\n",             # over the line limit
    lambda rng: b"MAIL FROM:<unterminated@x\r\n",
    lambda rng: b"RCPT TO:<nobody@dest.example>\r\n",               # no transaction
    lambda rng: b"NOOP a\x00b\r\n",
    lambda rng: b"DATA\r\n",                                        # no recipients
]


class Soak:
    def __init__(self, port):
        self.port = port
        self.expected = {}   # key -> the file a 250 promised
        self.maybe = {}      # key -> the file, sent in full but no reply read
        self.problems = []   # protocol faults seen by the clients
        self.stats = dict(sessions=0, cut=0, cut_in_message=0, slow=0, acked=0, maybe=0, smuggles=0,
                          garbage=0, rude=0, ended_by_server=0, refused_at_connect=0)

    def problem(self, sid, what):
        if len(self.problems) < 20:
            self.problems.append(f"session {sid}: {what}")

    async def expect(self, c, sid, code, what):
        got, text = await c.reply()
        if got == 421 and text.startswith("4.7.0"):    # the server's error limit
            raise Ended(text)
        if got != code:
            self.problem(sid, f"{what}: {got} {text!r}, expected {code}")
            raise Ended(what)
        return got

    async def session(self, sid, ntxn):
        rng = random.Random(f"{SEED}-{sid}")
        slow = rng.random() < 0.08
        cut = rng.random() < 0.2
        txns = []
        for k in range(ntxn):
            r = rng.random()
            mode = "slow" if slow else "bdat" if r < 0.25 else "smuggle" if r < 0.32 else \
                   "rude" if r < 0.35 else "data"
            txns.append(Txn(rng, f"s{sid}m{k}", mode))
        c = await Client.connect(self.port, rng=rng, slow=slow)
        self.stats["sessions"] += 1
        self.stats["slow"] += slow
        if cut:   # somewhere in what this session will send
            total = 30 + sum(len(t.group) + len(getattr(t, "data", b"")) + 30 for t in txns)
            c.budget = rng.randint(1, total)
            self.stats["cut"] += 1
        inflight = []     # (txn, offset in the stream where it is complete), no reply read yet
        try:
            code, text = await c.reply()
            if code == 421:
                self.stats["refused_at_connect"] += 1
                return
            if code != 220:
                self.problem(sid, f"greeting {code} {text!r}")
                return
            await c.send(b"EHLO client%d.example\r\n" % sid)
            await self.expect(c, sid, 250, "EHLO")
            pending = False       # the group of t went out with the previous message
            for k, t in enumerate(txns):
                nxt = txns[k + 1] if k + 1 < len(txns) else None
                pipe = nxt is not None and nxt.mode in ("data", "bdat", "slow") and rng.random() < 0.5
                if pending and t.mode == "bdat":
                    pipe = False          # its group, all of it, is already out
                tail = nxt.group if pipe else b""
                if not pending:
                    if rng.random() < 0.1:
                        await self.garbage(c, sid, rng)
                    if t.mode == "rude":
                        await self.rude(c, sid, t, inflight)
                        continue
                    if t.mode == "bdat":
                        self.send_list(c, inflight, t, t.group, nxt if pipe else None)
                        await c.send(t.group + tail)
                    else:
                        await c.send(t.group)
                for i, want in enumerate(t.expect):
                    await self.expect(c, sid, want, f"{t.key} reply {i}")
                pending = False
                if t.mode == "bdat":
                    self.acked(t, inflight)
                    pending = pipe
                    continue
                if t.mode == "smuggle":
                    await self.smuggle(c, sid, rng, t)
                    continue
                self.send_list(c, inflight, t, t.data, nxt if pipe else None)
                await c.send(t.data + tail)
                await self.expect(c, sid, 250, f"{t.key} after the data")
                self.acked(t, inflight)
                pending = pipe
                if not pipe and rng.random() < 0.1:
                    await c.send(rng.choice((b"NOOP\r\n", b"RSET\r\n")))
                    await self.expect(c, sid, 250, "NOOP/RSET")
            if rng.random() < 0.8:
                await c.send(b"QUIT\r\n")
                await self.expect(c, sid, 221, "QUIT")
                if not await c.eof():
                    self.problem(sid, "bytes after 221")
            await c.close()
        except Cut as e:
            for t, end in inflight:
                if e.at >= end:
                    self.maybe[t.key] = t.file()
                    self.stats["maybe"] += 1
                else:
                    self.stats["cut_in_message"] += 1
        except Ended:
            self.stats["ended_by_server"] += 1
            c.abort()
        except (Closed, ConnectionError) as e:
            for t, _ in inflight:          # the server may have stored them
                self.maybe[t.key] = t.file()
            self.problem(sid, f"connection lost ({e!r}) after {c.last[-60:]!r}; awaiting replies: "
                         f"{[t.key for t, _ in inflight]}")
            c.abort()
        except asyncio.TimeoutError:
            self.problem(sid, f"no reply within {HANG} s to {len(c.last)} bytes ending in "
                         f"{c.last[-60:]!r} (slow {slow})")
            c.abort()

    @staticmethod
    def send_list(c, inflight, t, last_part, nxt):
        """Notes where t is complete in the stream about to be sent (its
        last part, then nxt's group), and nxt's too when it is a BDAT
        transaction (complete with its group)."""
        inflight.append((t, c.sent + len(last_part)))
        if nxt is not None and nxt.mode == "bdat":
            inflight.append((nxt, c.sent + len(last_part) + len(nxt.group)))

    def acked(self, t, inflight):
        self.expected[t.key] = t.file()
        self.stats["acked"] += 1
        inflight[:] = [x for x in inflight if x[0] is not t]

    async def garbage(self, c, sid, rng):
        """Lines that are no valid command here: one error reply each."""
        for _ in range(rng.randint(1, 4)):
            self.stats["garbage"] += 1
            await c.send(rng.choice(GARBAGE)(rng))
            code, text = await c.reply()
            if code == 421:                 # too many errors: the server closes
                raise Ended("421")
            if code < 400:
                self.problem(sid, f"garbage answered {code} {text!r}")

    async def smuggle(self, c, sid, rng, t):
        """After the 354: text, a false end of data with a bare CR or LF,
        commands of a smuggled transaction, a real end.  One reply (550),
        nothing of it stored, nothing of it executed."""
        self.stats["smuggles"] += 1
        evil = b"MAIL FROM:<%s@evil.example>\r\nRCPT TO:<victim@dest.example>\r\nDATA\r\n" % t.key.encode()
        stream = stuff(text_body(rng, rng.randint(0, 3000)))[:-3] + rng.choice(SMUGGLES) + evil + \
            b"Subject: smuggled\r\n\r\nsmuggled\r\n.\r\n"
        await c.send(stream + b"VRFY postmaster\r\n")
        code, text = await c.reply()
        if code != 550:
            self.problem(sid, f"smuggling attempt answered {code} {text!r}, expected 550")
        code, text = await c.reply()     # VRFY: disabled, not a 250 of a smuggled MAIL
        if code < 500:
            self.problem(sid, f"reply after the smuggling attempt: {code} {text!r}")

    async def rude(self, c, sid, t, inflight):
        """DATA with the body in the same write, without waiting for 354:
        a pipelining violation when the server sees both at once (554 and
        close, nothing stored), a normal message when it does not."""
        self.stats["rude"] += 1
        self.send_list(c, inflight, t, t.group + t.data, None)
        await c.send(t.group + t.data)
        for i, want in enumerate(t.expect[:-1]):
            await self.expect(c, sid, want, f"{t.key} reply {i}")
        code, text = await c.reply()
        if code == 354:
            await self.expect(c, sid, 250, f"{t.key} after the data")
            self.acked(t, inflight)
        elif code == 554:
            inflight.clear()
            if not await c.eof():
                self.problem(sid, "554 did not close")
            raise Ended("554")
        else:
            self.problem(sid, f"DATA with its body: {code} {text!r}")

    async def run(self):
        plan, total, sid = [], 0, 0
        rng = random.Random(SEED)
        while total < MESSAGES:
            n = rng.randint(1, 8)
            plan.append((sid, n))
            sid, total = sid + 1, total + n
        only = os.environ.get("SOAK_ONLY")      # replay some sessions: "3,17"
        if only:
            plan = [p for p in plan if str(p[0]) in only.split(",")]
        plan.reverse()

        async def worker():
            while plan:
                await self.session(*plan.pop())
        await asyncio.gather(*(worker() for _ in range(CLIENTS)))
        return total


async def one_message(port, key):
    """A plain session with one message; returns the file it must give."""
    c = await Client.connect(port)
    t = Txn(random.Random(key), key, "data")
    assert (await c.reply())[0] == 220
    for line, want in ((b"EHLO probe.example\r\n", 250), (t.group, None), (t.data, 250),
                       (b"QUIT\r\n", 221)):
        await c.send(line)
        for w in (t.expect if want is None else [want]):
            code, text = await c.reply()
            if code != w:
                fail(f"{key}: {code} {text!r}, expected {w}")
    if not await c.eof():
        fail(f"{key}: no close after 221")
    await c.close()
    return t.file()


async def burst(port, n):
    """n connections at once: all must be greeted with 220."""
    async def one(i):
        c = await Client.connect(port)
        try:
            code, text = await c.reply()
        except (Closed, asyncio.TimeoutError) as e:
            fail(f"burst connection {i}: no greeting ({e!r})")
        if code != 220:
            fail(f"burst connection {i}: {code} {text!r}, expected 220")
        return c
    return await asyncio.gather(*(one(i) for i in range(n)))


async def over_limit(port):
    c = await Client.connect(port)
    code, text = await c.reply()
    # RFC 5321 3.8: the closing 421 names the server ("421 4.3.2 localhost ...")
    if code != 421 or not text.startswith("4.3.2 localhost "):
        fail(f"connection over the limit: {code} {text!r}, expected 421 4.3.2 localhost")
    if not await c.eof():
        fail("connection over the limit: not closed after 421")
    await c.close()


def check_spool(srv, soak):
    files = srv.stored()
    by_key = {}
    for name, data in files.items():
        m = re.match(rb"MAIL FROM:<([^@>]*)@([^>]*)>", data)
        if not m:
            fail(f"{name}: no MAIL line: {data[:80]!r}")
        if m.group(2) == b"evil.example":
            fail(f"{name}: a smuggled transaction was stored")
        by_key.setdefault(m.group(1).decode(), []).append(name)
    for key, names in by_key.items():
        if len(names) > 1:
            fail(f"{key} stored {len(names)} times: {names}")
    lost = [k for k in soak.expected if k not in by_key]
    if lost:
        fail(f"{len(lost)} of {len(soak.expected)} messages that got a 250 are not stored: {lost[:10]}")
    for key, want in soak.expected.items():
        got = files[by_key[key][0]]
        if got != want:
            i = next((i for i in range(min(len(got), len(want))) if got[i] != want[i]),
                     min(len(got), len(want)))
            fail(f"{key}: stored {len(got)} bytes, expected {len(want)}; first difference at {i}: "
                 f"{got[i - 20:i + 20]!r} vs {want[i - 20:i + 20]!r}")
    extra = [k for k in by_key if k not in soak.expected and k not in soak.maybe]
    if extra:
        fail(f"{len(extra)} messages stored without a 250: {extra[:10]}")
    for key in by_key:
        if key in soak.maybe and files[by_key[key][0]] != soak.maybe[key]:
            fail(f"{key} (sent in full, cut before the reply): stored bytes differ")
    return len(files)


def case_soak():
    print(f"soak: seed {SEED} (SOAK_SEED), {MESSAGES} messages, {CLIENTS} concurrent clients, "
          f"server cap {CAP}", flush=True)
    with Server("-c", str(CAP), *os.environ.get("SOAK_SERVER_ARGS", "").split()) as srv:
        soak = Soak(srv.port)
        t0 = time.time()
        planned = asyncio.run(soak.run())
        took = time.time() - t0
        print(f"soak: {planned} messages planned in {soak.stats['sessions']} sessions, {took:.1f} s; "
              + ", ".join(f"{k} {v}" for k, v in soak.stats.items()), flush=True)
        if soak.problems:
            fail("protocol faults:\n  " + "\n  ".join(soak.problems))
        if not srv.alive():
            fail("the server died")
        if soak.stats["acked"] < MESSAGES // 2:
            fail(f"only {soak.stats['acked']} messages acknowledged")

        # The server still answers; the round trip also lets it see every
        # connection the clients closed.
        soak.expected["probe"] = asyncio.run(one_message(srv.port, "probe"))
        n = check_spool(srv, soak)
        left = [f for f in srv.files() if not f.endswith(".eml")]
        if left:
            fail(f"files left in the spool: {left[:10]}")

        async def crowd():
            conns = await burst(srv.port, CAP)
            await over_limit(srv.port)
            for c in conns:
                await c.close()
        asyncio.run(crowd())
        if not srv.alive():
            fail("the server died")
        print(f"soak: {n} messages stored, each exactly once and as sent; {len(soak.expected)} "
              f"acknowledged, {len(soak.maybe)} sent in full but cut before the reply; "
              f"a burst of {CAP} greeted, one more refused with 421 4.3.2; "
              f"{time.time() - t0:.1f} s in all", flush=True)


# ---- Limits --------------------------------------------------------------------------

async def timed_out(c, what):
    """Reads until the server's 421 4.4.2 and its close."""
    while True:
        try:
            code, text = await c.reply()
        except Closed:
            fail(f"{what}: closed without 421")
        if code == 421:
            break
    if not text.startswith("4.4.2"):
        fail(f"{what}: 421 {text!r}, expected 4.4.2")
    if not await c.eof():
        fail(f"{what}: not closed after 421")
    await c.close()


async def trickle(c, piece, what, steps=100):
    """Sends a piece every 0.2 s (far inside the block timeout), up to
    steps times, until the server answers 421 4.4.2 and closes; fails if it
    never does (the longest timeout of this test is 4 s)."""
    for _ in range(steps):
        try:
            c.w.write(piece)
            await c.w.drain()
        except ConnectionError:
            break
        try:
            line = await asyncio.wait_for(c.r.readline(), 0.2)
        except asyncio.TimeoutError:
            continue
        if line.startswith(b"421 4.4.2 localhost "):
            if not await c.eof():
                fail(f"{what}: not closed after 421")
            return
        fail(f"{what}: {line!r}, expected 421 4.4.2 localhost")
    fail(f"{what}: no timeout while {steps} pieces trickled in for {steps // 5} s")


async def limits(srv, cap):
    # cap idle connections are greeted, one more is refused at once
    idle = await burst(srv.port, cap)
    await over_limit(srv.port)
    # the idle ones time out (-t) and free their places
    await asyncio.gather(*(timed_out(c, f"idle connection {i}") for i, c in enumerate(idle)))
    # a command that never ends: the command timeout counts from the
    # previous command, not from the last byte
    slowloris = await Client.connect(srv.port)
    assert (await slowloris.reply())[0] == 220
    # a message that stalls after the 354 (-b), one that trickles (-m)
    stalled = await Client.connect(srv.port)
    trickler = await Client.connect(srv.port)
    for c, key in ((stalled, "stalled"), (trickler, "trickler")):
        assert (await c.reply())[0] == 220
        await c.send(b"EHLO limits.example\r\n")
        codes = [(await c.reply())[0]]
        await c.send(b"MAIL FROM:<%s@limits.example>\r\nRCPT TO:<a@dest.example>\r\nDATA\r\n"
                     % key.encode())
        codes += [(await c.reply())[0] for _ in range(3)]
        if codes != [250, 250, 250, 354]:
            fail(f"{key}: replies {codes}")
    await stalled.send(b"Subject: stalled\r\n\r\npart of a message")
    await slowloris.send(b"NOOP ")
    await asyncio.gather(trickle(slowloris, b"x", "a command that never ends"),
                         timed_out(stalled, "a message that stalls"),
                         trickle(trickler, b"a line\r\n", "a message that never ends"))
    # the server goes on: a client gets its message through
    want = await one_message(srv.port, "after")
    files = srv.stored()
    if list(files.values()) != [want]:
        fail(f"spool after the timeouts: {sorted(files)}, expected only the last message")
    left = [f for f in srv.files() if not f.endswith(".eml")]
    if left:
        fail(f"files left in the spool: {left}")


def case_limits():
    cap = 8
    with Server("-c", str(cap), "-t", "2", "-b", "2", "-m", "4") as srv:
        asyncio.run(limits(srv, cap))
        if not srv.alive():
            fail("the server died")
    print("limits: over the cap 421 4.3.2; idle, never-ending command, stalled and never-ending "
          "message each 421 4.4.2 and closed, nothing of theirs stored; the server goes on")


{"soak": case_soak, "limits": case_limits}[CASE]()
print("ok")
