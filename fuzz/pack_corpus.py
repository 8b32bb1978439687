#!/usr/bin/python3
"""Pack a corpus into fewer, larger inputs with the same coverage.

usage: fuzz/pack_corpus.py TARGET SRC_DIR DST_DIR [MAX_LEN]

command: the harness reads a 4-byte header (options, max_line, chunking)
  and a stream of command lines, each parsed on its own, so the complete
  lines of inputs with the same options and max_line can be concatenated
  without changing what any line does.  The unterminated tail of a stream,
  if any, becomes an input of its own (only line framing looks at it).
path, decode: the harness reads a header (path: 1 byte, decode: none) and
  items separated by FUZZ_SEP (fuzz/fuzz.h); items with the same header are
  joined with it.
session: inputs (each with its own 5-byte header) separated by FUZZ_SEP:
  any inputs can be joined.
Other targets are copied as they are.  Packs are at most MAX_LEN bytes
(default 4096).  scripts/fuzz.sh runs this and then keeps only the packed
inputs that add coverage (-merge=1).
"""
import hashlib
import os
import shutil
import sys

SEP = b"\xff\xfe\x00\n"


def main():
    target, src, dst = sys.argv[1], sys.argv[2], sys.argv[3]
    max_len = int(sys.argv[4]) if len(sys.argv) > 4 else 4096
    os.makedirs(dst, exist_ok=True)
    if target not in ("command", "path", "decode", "session"):
        for name in os.listdir(src):
            shutil.copy(os.path.join(src, name), dst)
        return
    hdr = {"command": 4, "path": 1, "decode": 0, "session": 5}[target]
    groups, out = {}, []
    for name in sorted(os.listdir(src)):
        with open(os.path.join(src, name), "rb") as f:
            data = f.read()
        if len(data) < hdr:
            continue
        body = data[hdr:]
        if target == "command":
            flags, ml = data[0], data[1]
            key = bytes([flags, ml if flags & 0x80 else 0])
            cut = body.rfind(b"\n") + 1
            if cut:
                groups.setdefault(key, []).append((data[2:4], body[:cut]))
            if cut < len(body):
                out.append(data[:hdr] + body[cut:])
        elif target == "session":
            # every item carries its own header: any items can be joined
            for item in data.split(SEP):
                groups.setdefault(b"", []).append((b"", item))
        else:
            for item in body.split(SEP):
                groups.setdefault(data[:hdr], []).append((b"", item))
    joiner = b"" if target == "command" else SEP
    for key, items in sorted(groups.items()):
        head, cur = None, None
        for extra, body in items:
            if cur is not None and len(cur) + len(joiner) + len(body) > max_len - len(key) - 2:
                out.append(key + head + cur)
                cur = None
            if cur is None:
                head, cur = extra, body
            else:
                cur += joiner + body
        if cur is not None:
            out.append(key + head + cur)
    for data in out:
        with open(os.path.join(dst, hashlib.sha1(data).hexdigest()), "wb") as f:
            f.write(data)
    print("%s: %d inputs into %d" % (target, sum(len(v) for v in groups.values()), len(out)))


if __name__ == "__main__":
    main()
