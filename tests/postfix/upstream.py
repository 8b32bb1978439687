"""A throwaway Postfix for the tests: Debian's postfix package (scripts/deps.sh
installs it with "No configuration"), run from a configuration and queue of
its own under a temporary directory, listening on 127.0.0.1 only.

    with Postfix() as pf:          # postfix -c DIR start ... postfix -c DIR stop
        smtplib.SMTP("127.0.0.1", pf.port)
        pf.wait_delivered(n)       # the files in its maildir
        pf.log()                   # its maillog

What it accepts: recipients in DOMAINS, delivered by virtual(8) into one
maildir (one file per recipient, with Return-Path, Delivered-To and Received
prepended); "unknown@<domain>" is an unknown user (550 5.1.1); any other
domain is refused (554 5.7.1, relay access denied: nothing is relayed).  A
message with a header "Subject: reject-me" is refused at the end of DATA
(550 5.7.1, header_checks), one over 1000000 bytes gets 552 5.3.4.  No DNS
lookups, no header rewriting, no delays after errors or under load."""
import atexit
import grp
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

POSTFIX = "/usr/sbin/postfix"
POSTCONF = "/usr/sbin/postconf"
DOMAINS = ["example.net", "test.example", "例子.广告"]

# The daemons of master.cf a virtual-delivery Postfix needs, none chrooted.
MASTER = """\
{listen} inet n - n - {maxproc} smtpd
pickup    unix  n       -       n       60      1       pickup
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
"""


def _unwind(sig, frame):
    raise SystemExit(f"signal {sig}")


def free_port():
    """A port in 27000-27999 that nothing listens on now."""
    for port in list(range(27000 + os.getpid() % 1000, 28000)) + list(range(27000, 28000)):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 27000-27999")


class Postfix:
    def __init__(self, maxproc=250, extra=None):
        if not os.access(POSTFIX, os.X_OK):
            raise RuntimeError(f"{POSTFIX} missing: scripts/deps.sh installs Debian's postfix")
        self.dir = tempfile.mkdtemp(prefix="smtpp-postfix-")
        os.chmod(self.dir, 0o755)        # the daemons and virtual(8) run as other users
        self.conf = os.path.join(self.dir, "conf")
        self.queue = os.path.join(self.dir, "queue")
        self.data = os.path.join(self.dir, "data")
        self.mail = os.path.join(self.dir, "mail")
        self.maillog = os.path.join(self.dir, "maillog")
        os.mkdir(self.conf)
        nobody = pwd.getpwnam("nobody").pw_uid
        nogroup = grp.getgrnam("nogroup").gr_gid
        os.mkdir(self.mail)
        self._queue_dirs()
        os.chown(self.mail, nobody, nogroup)
        self.started = False
        # stopped whatever happens: at exit, and on SIGTERM/SIGINT (ctest's
        # timeout), which unwind through the with-blocks
        atexit.register(self.cleanup)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, _unwind)
        self.extra = extra or {}
        self.maxproc = maxproc
        self._start(nobody, nogroup)

    def _queue_dirs(self):
        """The queue and data directories as Postfix's own list
        (postfix-files) has them, then "quick-start": postfix start then
        skips its integrity checks, which take seconds per test."""
        users = {"root": 0, "$mail_owner": pwd.getpwnam("postfix").pw_uid}
        groups = {"-": -1, "$setgid_group": grp.getgrnam("postdrop").gr_gid}
        with open("/etc/postfix/postfix-files") as f:
            rows = [l.strip().split(":") for l in f if l.startswith(("$queue_directory", "$data_directory"))]
        for path, kind, owner, group, mode, *_ in rows:
            if kind != "d":
                continue
            d = path.replace("$queue_directory", self.queue).replace("$data_directory", self.data)
            os.mkdir(d)
            os.chown(d, users[owner], groups[group])
            os.chmod(d, int(mode, 8))
        open(os.path.join(self.queue, "quick-start"), "w").close()

    def _write(self, name, text):
        with open(os.path.join(self.conf, name), "w", encoding="utf-8") as f:
            f.write(text)

    def _start(self, uid, gid):
        for attempt in range(5):
            self.port = free_port()
            self._write("master.cf", MASTER.format(listen=f"127.0.0.1:{self.port}", maxproc=self.maxproc))
            self._write("vmailbox", "if !/^unknown@/\n/@/ mail/\nendif\n")
            self._write("header_checks", "/^Subject: reject-me/ REJECT message refused by the test's header_checks\n")
            main = {
                "compatibility_level": "3.6",
                "queue_directory": self.queue,
                "data_directory": self.data,
                "mail_owner": "postfix",
                "setgid_group": "postdrop",
                "myhostname": "postfix.test.example",
                "mydomain": "test.example",
                "myorigin": "$myhostname",
                "inet_interfaces": "127.0.0.1",
                "inet_protocols": "ipv4",
                "mydestination": "",
                "mynetworks": "",
                "relay_domains": "",
                "smtpd_relay_restrictions": "reject_unauth_destination",
                "smtpd_recipient_restrictions": "",
                "virtual_mailbox_domains": ", ".join(DOMAINS),
                "virtual_mailbox_base": self.dir,
                "virtual_mailbox_maps": f"regexp:{self.conf}/vmailbox",
                "virtual_uid_maps": f"static:{uid}",
                "virtual_gid_maps": f"static:{gid}",
                "virtual_mailbox_limit": "0",
                "header_checks": f"regexp:{self.conf}/header_checks",
                "message_size_limit": "1000000",
                "local_header_rewrite_clients": "",
                "alias_maps": "",
                "alias_database": "",
                "local_recipient_maps": "",
                "smtputf8_enable": "yes",
                # no DNS anywhere: the client's name, the delivery side
                "smtpd_peername_lookup": "no",
                "smtp_dns_support_level": "disabled",
                "smtp_host_lookup": "native",
                "lmtp_host_lookup": "native",
                # many connections from 127.0.0.1, no pauses after errors or under load
                "smtpd_client_connection_count_limit": "0",
                "smtpd_client_event_limit_exceptions": "127.0.0.0/8",
                "smtpd_error_sleep_time": "0s",
                "smtpd_soft_error_limit": "1000",
                "smtpd_hard_error_limit": "1000",
                "smtpd_junk_command_limit": "1000",
                "in_flow_delay": "0s",
                "default_process_limit": str(self.maxproc),
                "maillog_file": self.maillog,
                "maillog_file_prefixes": self.dir,
                "biff": "no",
                "append_dot_mydomain": "no",
                "readme_directory": "no",
            }
            main.update(self.extra)
            self._write("main.cf", "".join(f"{k} = {v}\n" for k, v in main.items()))
            p = subprocess.run([POSTFIX, "-c", self.conf, "start"], capture_output=True, text=True)
            if p.returncode != 0:
                # the postfix command tells why on a terminal only (else syslog)
                why = subprocess.run(["script", "-qc", f"{POSTFIX} -c {self.conf} check", "/dev/null"],
                                     capture_output=True, text=True).stdout
                self.stop()
                raise RuntimeError(f"postfix -c {self.conf} start failed:\n{p.stdout}{p.stderr}{why}")
            self.started = True
            deadline = time.time() + 20
            while time.time() < deadline:
                try:
                    with socket.create_connection(("127.0.0.1", self.port), timeout=5) as c:
                        c.settimeout(10)
                        if c.recv(512).startswith(b"220"):
                            c.sendall(b"QUIT\r\n")
                            return
                except OSError:
                    time.sleep(0.1)
            log = self.log()
            self.stop()
            if "Address already in use" in log:       # another test took the port: next one
                os.unlink(self.maillog)
                continue
            raise RuntimeError(f"postfix did not answer on 127.0.0.1:{self.port}\n{log[-3000:]}")
        raise RuntimeError("postfix could not bind a port")

    def version(self):
        return subprocess.run([POSTCONF, "-c", self.conf, "-h", "mail_version"], capture_output=True,
                              text=True).stdout.strip()

    def master_pid(self):
        try:
            with open(os.path.join(self.queue, "pid", "master.pid")) as f:
                return int(f.read().split()[0])
        except (OSError, ValueError, IndexError):
            return None

    def stop(self):
        """postfix stop; then, whatever happens, no master of ours left."""
        if not self.started:
            return
        pid = self.master_pid()
        subprocess.run([POSTFIX, "-c", self.conf, "stop"], capture_output=True, timeout=60)
        deadline = time.time() + 15
        while pid and time.time() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.1)
        else:
            if pid:
                subprocess.run([POSTFIX, "-c", self.conf, "abort"], capture_output=True, timeout=60)
        self.started = False

    def cleanup(self):
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def log(self):
        try:
            with open(self.maillog, encoding="utf-8", errors="replace") as f:
                return f.read()
        except OSError:
            return ""

    # ---- what was delivered ---------------------------------------------------------

    def files(self):
        out = []
        for sub in ("new", "cur"):
            d = os.path.join(self.mail, sub)
            if os.path.isdir(d):
                out += [os.path.join(d, n) for n in os.listdir(d)]
        return sorted(out, key=lambda p: os.stat(p).st_mtime_ns)

    def deliveries(self):
        """[Delivery], one per delivered file (per recipient), oldest first."""
        out = []
        for path in self.files():
            with open(path, "rb") as f:
                out.append(Delivery(f.read()))
        return out

    def queue_empty(self):
        for sub in ("incoming", "active", "deferred", "maildrop"):
            d = os.path.join(self.queue, sub)
            for _, _, names in os.walk(d):
                if names:
                    return False
        return True

    def settle(self, timeout=120):
        """Wait until the queue is empty (every accepted message delivered or
        bounced), and return deliveries()."""
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.queue_empty():
                time.sleep(0.2)
                if self.queue_empty():
                    return self.deliveries()
            time.sleep(0.1)
        raise RuntimeError("postfix's queue did not empty:\n" + self.log()[-3000:])

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        if exc_type is not None:
            print("--- postfix maillog\n" + self.log()[-6000:])
        self.cleanup()


class Delivery:
    """One delivered file: the header lines Postfix put before the message
    (Return-Path, X-Original-To, Delivered-To, then its own Received), and the
    message as it arrived, with LF line ends (Postfix keeps lines, and
    virtual(8) ends each with LF)."""

    def __init__(self, raw):
        self.raw = raw
        lines = raw.split(b"\n")
        i = 0
        fields = {}
        while i < len(lines):
            name = lines[i].split(b":", 1)[0].lower()
            if name not in (b"return-path", b"x-original-to", b"delivered-to", b"received"):
                break
            value = lines[i].split(b":", 1)[1]
            i += 1
            while i < len(lines) and lines[i][:1] in (b" ", b"\t"):
                value += b"\n" + lines[i]
                i += 1
            fields[name.decode()] = value.strip()
            if name == b"received":          # Postfix's own, the last it adds
                break
        self.fields = fields
        self.body = b"\n".join(lines[i:])
        self.sender = fields.get("return-path", b"").strip(b"<>").decode("utf-8", "replace")
        self.rcpt = fields.get("delivered-to", b"").decode("utf-8", "replace")
        m = re.search(rb"with E?SMTPS?A?\w* id ([0-9A-F]+)", fields.get("received", b""))
        self.queue_id = m.group(1).decode() if m else None

    def __repr__(self):
        return f"Delivery(from={self.sender!r}, to={self.rcpt!r}, id={self.queue_id}, body={self.body[:60]!r}...)"
