#!/usr/bin/python3
"""Write the seed corpora of the fuzz harnesses.

usage: fuzz/seed_corpus.py [CAPTURE_DIR]

Extracts the test vectors of tests/test_command.c (every C string literal,
with the option flags of the vector table), adds hand-written client and
server transcripts, and, when CAPTURE_DIR is given (the output of
fuzz/capture_session.py), real smtplib/aiosmtpd sessions.  Writes one file
per input into fuzz/corpus/<target>/ as seed-<sha1 prefix>; the harness
header bytes (options, chunking) are prepended as each harness expects.
Run it again after adding test vectors; then minimize with
scripts/fuzz.sh --merge-only.
"""
import hashlib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CORPUS = os.path.join(ROOT, "fuzz", "corpus")

FLAG_BITS = {"L_BLF": 1, "L_SPC": 2, "L_NOBR": 4, "L_DOTS": 8, "L_LONG": 16,
             "L_TRSP": 32, "A_UNK": 64, "0": 0}


def c_string(body):
    """Decode the inside of a C string literal (C escape rules)."""
    out = bytearray()
    i = 0
    simple = {"n": 10, "r": 13, "t": 9, "0": 0, "\\": 92, '"': 34, "'": 39, "a": 7,
              "b": 8, "f": 12, "v": 11, "?": 63}
    while i < len(body):
        ch = body[i]
        if ch != "\\":
            out += ch.encode("utf-8")
            i += 1
            continue
        nxt = body[i + 1]
        if nxt == "x":
            j = i + 2
            while j < len(body) and body[j] in "0123456789abcdefABCDEF":
                j += 1
            out.append(int(body[i + 2:j], 16) & 0xFF)
            i = j
        elif nxt in "01234567" and not (nxt == "0" and (i + 2 >= len(body) or body[i + 2] not in "01234567")):
            j = i + 1
            while j < len(body) and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(int(body[i + 1:j], 8) & 0xFF)
            i = j
        else:
            out.append(simple[nxt])
            i += 2
    return bytes(out)


STR_RE = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def literals(text):
    """Every string literal, adjacent literals joined."""
    res = []
    pos = 0
    joined = re.compile(r'((?:"(?:[^"\\\n]|\\.)*"\s*)+)')
    for m in joined.finditer(text):
        parts = STR_RE.findall(m.group(1))
        res.append(b"".join(c_string(p) for p in parts))
        pos = m.end()
    return res


def vector_rows(text):
    """(flags, input) from the rows of the vectors[] table."""
    rows = []
    row = re.compile(r'\{\s*([A-Z_|0 ]+?)\s*,\s*((?:"(?:[^"\\\n]|\\.)*"\s*)+),')
    for m in row.finditer(text):
        flags = 0
        for name in m.group(1).split("|"):
            flags |= FLAG_BITS.get(name.strip(), 0)
        rows.append((flags, b"".join(c_string(p) for p in STR_RE.findall(m.group(2)))))
    return rows


def write(target, data):
    d = os.path.join(CORPUS, target)
    os.makedirs(d, exist_ok=True)
    name = "seed-" + hashlib.sha1(data).hexdigest()[:16]
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- hand-written transcripts ------------------------------------------------

CLIENT_STREAMS = [
    # a pipelined ESMTP transaction (RFC 2920)
    b"EHLO client.example.org\r\nMAIL FROM:<alice@example.org> SIZE=1234 BODY=8BITMIME\r\n"
    b"RCPT TO:<bob@example.net> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;bob+40example.net\r\n"
    b"RCPT TO:<carol@example.net>\r\nDATA\r\n",
    # DSN, REQUIRETLS, MT-PRIORITY, FUTURERELEASE, DELIVERBY
    b"MAIL FROM:<a@example.org> RET=HDRS ENVID=QQ314159+2B1 REQUIRETLS MT-PRIORITY=-3\r\n"
    b"MAIL FROM:<a@example.org> HOLDFOR=3600 BY=120;RT\r\n"
    b"MAIL FROM:<a@example.org> HOLDUNTIL=2026-11-22T06:40:00.5+01:00 AUTH=<>\r\n"
    b"RCPT TO:<b@example.net> NOTIFY=NEVER\r\n",
    # CHUNKING
    b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<c@d.example>\r\n"
    b"BDAT 5\r\nhelloBDAT 0 LAST\r\nQUIT\r\n",
    # LMTP
    b"LHLO lmtp.example\r\nMAIL FROM:<>\r\nRCPT TO:<Postmaster>\r\nRCPT TO:<u@[IPv6:2001:db8::7]>\r\n",
    # AUTH variants
    b"AUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\nAUTH PLAIN =\r\nAUTH XOAUTH2 dXNlcj1h\r\n*\r\n",
    # SMTPUTF8
    b"EHLO x.example\r\nMAIL FROM:<j\xc3\xb6rg@b\xc3\xbccher.example> SMTPUTF8\r\n"
    b"RCPT TO:<\"\xc3\xa5sa s\"@example.net>\r\nVRFY j\xc3\xb6rg SMTPUTF8\r\nEXPN list\r\n",
    # proxies
    b"XCLIENT NAME=mx.example ADDR=IPV6:2001:db8::1 PORT=25 PROTO=ESMTP HELO=x LOGIN=bob\r\n"
    b"XFORWARD NAME=spike.example ADDR=192.0.2.1 IDENT=x SOURCE=LOCAL\r\n",
    # queue and legacy commands
    b"ETRN example.com\r\nETRN #q1\r\nATRN a.example,b.example\r\nTURN\r\nHELP\r\nNOOP x\r\n",
    # source routes, literals, quoted local parts
    b"MAIL FROM:<@a.example,@b.example:u@c.example>\r\nRCPT TO:<\"a\\\"b c\"@[192.0.2.1]>\r\n"
    b"RCPT TO:<x@[tag:some-content]>\r\nRCPT TO:<x@[IPv6:::ffff:192.0.2.1]>\r\n",
    # smuggling shapes (SMTP smuggling, CVE-2023-51764 and friends)
    b"DATA\r\nbody\n.\nMAIL FROM:<evil@x.example>\n",
    b"DATA\r\nbody\r\n.\rRCPT TO:<x@y.example>\r\n",
    b"RSET\r\n\r\nQUIT\r",
    b"MAIL FROM:<a@b\r.example>\r\nMAIL FROM:<a@b\x00.example>\r\n",
    # lenient shapes
    b"MAIL FROM: <a@b.example>\r\nMAIL FROM:a@b.example\r\nRCPT TO:Postmaster\r\nRSET \r\n",
    # an over-long line, then a good one
    b"NOOP " + b"x" * 600 + b"\r\nQUIT\r\n",
    b"MAIL FROM:<" + b"l" * 70 + b"@example.org> XVERP TRANSID=<1@x>\r\n",
]

SERVER_STREAMS = [
    b"220 mx.example.org ESMTP ready\r\n",
    b"220-mx.example.org ESMTP\r\n220-no UCE\r\n220 ready\r\n",
    b"250-mx.example.org Hello client [192.0.2.1]\r\n250-SIZE 52428800\r\n250-8BITMIME\r\n"
    b"250-PIPELINING\r\n250-AUTH PLAIN LOGIN XOAUTH2\r\n250-AUTH=LOGIN PLAIN\r\n250-CHUNKING\r\n"
    b"250-DSN\r\n250-SMTPUTF8\r\n250-ENHANCEDSTATUSCODES\r\n250-STARTTLS\r\n"
    b"250-MT-PRIORITY STANAG4406\r\n250-FUTURERELEASE 604800 2026-12-31T23:59:59Z\r\n"
    b"250-DELIVERBY 240\r\n250-LIMITS RCPTMAX=100 MAILMAX=5 RCPTDOMAINMAX=10 X=1\r\n"
    b"250-XCLIENT NAME ADDR PORT PROTO HELO LOGIN\r\n250-XFORWARD NAME ADDR PROTO HELO\r\n"
    b"250-ETRN\r\n250-ATRN\r\n250-VRFY\r\n250-EXPN\r\n250-HELP\r\n250-X-UNKNOWN-EXT a b\r\n"
    b"250-REQUIRETLS\r\n250-BINARYMIME\r\n250 PRDR\r\n",
    b"250 2.1.0 Sender OK\r\n250 2.1.5 Recipient OK\r\n354 End data with <CR><LF>.<CR><LF>\r\n"
    b"250 2.0.0 Ok: queued as 4F2A1\r\n221 2.0.0 Bye\r\n",
    b"550-5.1.1 The email account that you tried to reach does not exist.\r\n"
    b"550-5.1.1 Please try double-checking the recipient's email address.\r\n"
    b"550 5.1.1 https://support.example/mail/?p=NoSuchUser x1si\r\n",
    b"451-4.7.1 first\r\n451 second line without code\r\n",
    b"334 VXNlcm5hbWU6\r\n334 UGFzc3dvcmQ6\r\n235 2.7.0 Authentication successful\r\n",
    b"421 4.3.2 Service shutting down\r\n",
    b"250\r\n250 \r\n250-\r\n250 x\r\n",
    b"250 5.0.0 class mismatch\r\n250 2.01.1 leading zero\r\n",
    b"250-a\n250 b\n",
    b"600 bad\r\n199 bad\r\n2x0 bad\r\n250+x\r\n",
    b"250-a\r\n251 b\r\n",
    b"250 a\rb\r\n250 a\x00b\r\n250 t\tab \x01\r\n250 \xc3\xa9t\xc3\xa9\r\n",
    b"250-" + b"x" * 600 + b"\r\n250 end\r\n",
]

FORMAT_TEXTS = [
    b"OK",
    b"Sender OK|Recipient OK|third line",
    b"line one\nline two\r\nline three",
    b"Requested mail action okay, completed: id=" + b"A" * 700,
    b"word " * 150,
    b"2.1.1 looks like an enhanced code",
    b"bad\rcr",
    b"nul\x00byte",
    b"tab\there",
    b"\xc3\xa9t\xc3\xa9 UTF-8",
    b"",
    b"|",
]

SESSIONS = [
    # ESMTP with a dot-stuffed message, then a second transaction
    b"EHLO client.example.org\r\nMAIL FROM:<a@example.org> SIZE=100\r\nRCPT TO:<b@example.net>\r\n"
    b"DATA\r\nSubject: x\r\n\r\n..leading dot\r\n.\r\nRSET\r\nMAIL FROM:<>\r\n"
    b"RCPT TO:<postmaster@example.net>\r\nDATA\r\n.\r\nQUIT\r\n",
    # CHUNKING with BINARYMIME
    b"EHLO c.example\r\nMAIL FROM:<a@b.example> BODY=BINARYMIME\r\nRCPT TO:<c@d.example>\r\n"
    b"BDAT 7\r\nhe\r\n.\r\nBDAT 3 LAST\r\nxyzQUIT\r\n",
    # pipelined, with RCPT refusals and DATA
    b"EHLO p.example\r\nMAIL FROM:<a@p.example>\r\nRCPT TO:<1@x.example>\r\nRCPT TO:<2@x.example>\r\n"
    b"RCPT TO:<3@x.example>\r\nRCPT TO:<4@x.example>\r\nDATA\r\nbody\r\n.\r\nQUIT\r\n",
    # AUTH exchanges
    b"EHLO a.example\r\nAUTH PLAIN\r\nAGFsaWNlAHNlY3JldA==\r\nAUTH LOGIN\r\nYWxpY2U=\r\nc2VjcmV0\r\n"
    b"AUTH PLAIN =\r\nAUTH LOGIN\r\n*\r\nAUTH CRAM-MD5\r\n!!!\r\nQUIT\r\n",
    # smuggling: bare LF dot inside DATA, then a command that must not run
    b"EHLO s.example\r\nMAIL FROM:<a@s.example>\r\nRCPT TO:<b@s.example>\r\nDATA\r\n"
    b"x\n.\nMAIL FROM:<evil@s.example>\n\r\n.\r\nQUIT\r\n",
    b"EHLO s.example\r\nMAIL FROM:<a@s.example>\r\nRCPT TO:<b@s.example>\r\nDATA\r\n"
    b"x\r.\rRSET\r\n.\n\r\n.\r\n",
    # sequence errors, STARTTLS with buffered input, HELO then parameters
    b"MAIL FROM:<a@b.example>\r\nHELO h.example\r\nMAIL FROM:<a@b.example> SIZE=5\r\nDATA\r\n"
    b"STARTTLS\r\nEHLO again\r\nSTARTTLS\r\nNOOP\r\n",
    # junk and errors up to the limits
    b"EHLO j.example\r\n" + b"NOOP\r\nBOGUS\r\nVRFY x\r\nHELP\r\n" * 6,
    # XCLIENT, ETRN, SMTPUTF8
    b"EHLO x.example\r\nXCLIENT NAME=a.example ADDR=192.0.2.9\r\nEHLO y.example\r\nETRN #q\r\n"
    b"MAIL FROM:<j\xc3\xb6rg@b\xc3\xbccher.example> SMTPUTF8\r\nRCPT TO:<\xc3\xa5@x.example>\r\n",
    # over-long text lines and size limit
    b"EHLO l.example\r\nMAIL FROM:<a@l.example>\r\nRCPT TO:<b@l.example>\r\nDATA\r\n"
    + b"y" * 400 + b"\r\n" + b"z\r\n" * 200 + b".\r\nQUIT\r\n",
]

LOCALS = [b"user", b"first.last", b"\"john smith\"", b"\"a\\\"b\"", b"\"\"", b"a..b",
          b"user.", b"\"\\\\\"", b"j\xc3\xb6rg", b"!#$%&'*+-/=?^_`{|}~"]
XTEXTS = [b"bob+40example.net", b"QQ314159+2B1", b"+2B+3D", b"<>", b"a+2", b"a=b", b""]
BASE64 = [b"AGFsaWNlAHNlY3JldA==", b"dXNlcg==", b"Zm9vYg==", b"Zm8=", b"Zh==", b"=",
          b"YWxpY2U=", b"", b"Zm9v!m9v"]
DOMAINS = [b"example.com", b"[192.0.2.1]", b"[IPv6:2001:db8::1]", b"[IPv6:::ffff:1.2.3.4]",
           b"[tag:content]", b"xn--bcher-kva.example", b"b\xc3\xbccher.example",
           b"a-b.c-d.example", b"[IPv6:1:2:3:4:5:6:7:8]", b"[256.1.1.1]", b"-bad.example"]


def main():
    with open(os.path.join(ROOT, "tests", "test_command.c"), encoding="utf-8") as f:
        text = f.read()
    rows = vector_rows(text)
    seen = set()
    # command: header = flags, max_line, chunk max, seed
    for flags, line in rows:
        seen.add(line)
        write("command", bytes([flags, 0, 0, 1]) + line)
        write("command", bytes([flags, 0, 2, 7]) + line)
    for lit in literals(text):
        if b"\n" in lit and lit not in seen and len(lit) < 4096:
            write("command", bytes([0, 0, 15, 3]) + lit)
    for i, s in enumerate(CLIENT_STREAMS):
        write("command", bytes([(i * 37) & 0x7F, 0, 31, i]) + s)
    write("command", bytes([0x80, 10, 4, 9]) + CLIENT_STREAMS[0])  # max_line 56

    # path: byte 0 = flags | allow_utf8 << 7
    for flags, line in rows:
        m = re.match(rb"(?i)(?:MAIL FROM:|RCPT TO:)\s*(.*?)(?: [A-Za-z-]+=?.*)?\r?\n$", line)
        if m:
            write("path", bytes([flags | 0x80]) + m.group(1))
        m = re.match(rb"(?i)(?:HELO|EHLO|LHLO) (.*?)\r?\n$", line)
        if m:
            write("path", bytes([0]) + m.group(1))
    for d in DOMAINS:
        write("path", bytes([0x80]) + d)
        write("path", bytes([0x80]) + b"<u@" + d + b">")
    for loc in LOCALS:
        write("decode", loc)
    for x in XTEXTS + BASE64:
        write("decode", x)

    # reply: header = flags, max_line, max_lines, chunk max, seed
    fixtures = os.path.join(ROOT, "tests", "fixtures", "ehlo")
    replies = list(SERVER_STREAMS)
    for name in sorted(os.listdir(fixtures)):
        if name.endswith(".txt"):
            with open(os.path.join(fixtures, name), "rb") as f:
                replies.append(f.read())
    for i, s in enumerate(replies):
        write("reply", bytes([i % 8, 0, 0, 0, 1]) + s)
        write("reply", bytes([i % 8, 0, 0, 7, i]) + s)
        write("ehlo", bytes([i % 2]) + s)
    write("reply", bytes([0x80, 20, 3, 3, 3]) + SERVER_STREAMS[0])
    # format: code hi/lo, enhanced mode, b3, b4, flags, separator, text
    for i, t in enumerate(FORMAT_TEXTS):
        write("format", bytes([0, 50, 1, 1, 0, i % 4, ord("|")]) + t)
        write("format", bytes([0, 154, 0, 0, 0, 1, 0]) + t)
    write("format", bytes([0x80, 0, 0, 0, 0, 0, 0]) + b"bad code")
    write("format", bytes([0, 50, 3, ord("2"), ord("."), 0, 0]) + b"0.0 x")

    # session: header = config flags, extensions, parser flags, chunk max, seed
    for i, sess in enumerate(SESSIONS):
        write("session", bytes([0, 0xFF, 0, 0, i]) + sess)
        write("session", bytes([(i * 29) & 0xFF, (i * 53) & 0xFF, 0, 5, i]) + sess)
    write("session", bytes([0x10, 0xFF, 0, 3, 1]) + b"PROXY TCP4 192.0.2.1 198.51.100.2 4711 25\r\n" + SESSIONS[0])
    write("session", bytes([0x10, 0xFF, 0, 3, 2]) + b"\r\n\r\n\x00\r\nQUIT\nx" + b"\x21\x11\x00\x0c"
          + bytes([192, 0, 2, 1, 198, 51, 100, 2, 0x12, 0x67, 0, 25]) + SESSIONS[1])
    write("session", bytes([0x01, 0xFF, 0, 9, 3]) + SESSIONS[2].replace(b"EHLO", b"LHLO"))

    if len(sys.argv) > 1:
        cap = sys.argv[1]
        for name in sorted(os.listdir(cap)):
            with open(os.path.join(cap, name), "rb") as f:
                data = f.read()
            if name.endswith(".client"):
                write("session", bytes([0, 0xFF, 0, 0, 9]) + data)
                write("session", bytes([0x80, 0x07, 0, 17, 9]) + data)
                write("command", bytes([0, 0, 63, 5]) + data)
                write("command", bytes([0, 0, 0, 5]) + data)
            elif name.endswith(".server"):
                write("reply", bytes([0, 0, 0, 15, 5]) + data)
                write("ehlo", bytes([0]) + data)


if __name__ == "__main__":
    main()
