#!/usr/bin/python3
"""Record real SMTP sessions for the fuzz seed corpora, byte for byte.

usage: fuzz/capture_session.py OUTDIR

Starts an aiosmtpd server (Debian: python3-aiosmtpd) on 127.0.0.1, puts a
recording relay in front of it, and drives a few sessions through the relay
with Python's smtplib: EHLO, AUTH PLAIN and LOGIN, MAIL with SIZE, BODY and
SMTPUTF8, several RCPT, DATA with dot-stuffed lines, VRFY, NOOP, RSET, HELP,
QUIT.  For session N it writes OUTDIR/sessionN.client (every byte the client
sent) and OUTDIR/sessionN.server (every byte the server sent).  Loopback
only; nothing leaves the machine.
"""
import os
import smtplib
import socket
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    async def handle_DATA(self, server, session, envelope):
        return "250 2.0.0 OK queued"

    async def handle_VRFY(self, server, session, envelope, address):
        return "252 2.5.2 Cannot VRFY user, but will accept message"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"secret"
    return AuthResult(success=ok)


def relay(listener, upstream, client_log, server_log):
    conn, _ = listener.accept()
    up = socket.create_connection(upstream)

    def pump(src, dst, log):
        while True:
            data = src.recv(65536)
            if not data:
                try:
                    dst.shutdown(socket.SHUT_WR)
                except OSError:
                    pass
                return
            log.append(data)
            dst.sendall(data)

    t1 = threading.Thread(target=pump, args=(conn, up, client_log))
    t2 = threading.Thread(target=pump, args=(up, conn, server_log))
    t1.start()
    t2.start()
    t1.join(20)
    t2.join(20)
    conn.close()
    up.close()


BODY = (
    "From: Alice <alice@example.org>\r\n"
    "To: Bob <bob@example.net>\r\n"
    "Subject: fuzz seed\r\n"
    "\r\n"
    "Hello Bob,\r\n"
    ".a line that starts with a dot\r\n"
    "..two dots\r\n"
    ".\r\n"  # smtplib stuffs this: not the end
    "last line\r\n"
)


def session1(port):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.example.org", timeout=20)
    s.ehlo()
    s.login("alice", "secret")  # AUTH PLAIN with an initial response
    s.sendmail("alice@example.org", ["bob@example.net", "carol@example.net"], BODY,
               mail_options=["BODY=8BITMIME", "SIZE=%d" % len(BODY)])
    s.noop()
    s.rset()
    s.quit()


def session2(port):
    s = smtplib.SMTP("127.0.0.1", port, local_hostname="[192.0.2.1]", timeout=20)
    s.ehlo()
    s.user, s.password = "alice", "secret"
    try:
        s.auth("LOGIN", s.auth_login, initial_response_ok=False)
    except smtplib.SMTPAuthenticationError:
        pass
    s.verify("postmaster")
    s.docmd("HELP")
    s.docmd("BOGUS command")
    s.sendmail("", ["postmaster@example.net"], "Subject: bounce\r\n\r\nnull sender\r\n")
    s.sendmail("j\u00f6rg@b\u00fccher.example", ["\u00e5sa@example.net"],
               "Subject: utf8\r\n\r\nsmtputf8\r\n".encode("utf-8"),
               mail_options=["SMTPUTF8", "BODY=8BITMIME"])
    s.quit()


def main():
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    ctl = Controller(Sink(), hostname="127.0.0.1", port=port,
                     authenticator=authenticator, auth_require_tls=False,
                     enable_SMTPUTF8=True, decode_data=False)
    ctl.start()
    try:
        upstream = ("127.0.0.1", port)
        for n, sess in enumerate((session1, session2), 1):
            listener = socket.socket()
            listener.bind(("127.0.0.1", 0))
            listener.listen(1)
            cl, sv = [], []
            t = threading.Thread(target=relay, args=(listener, upstream, cl, sv))
            t.start()
            sess(listener.getsockname()[1])
            t.join(30)
            listener.close()
            for suffix, log in (("client", cl), ("server", sv)):
                with open(os.path.join(out, "session%d.%s" % (n, suffix)), "wb") as f:
                    f.write(b"".join(log))
    finally:
        ctl.stop()


if __name__ == "__main__":
    main()
