#!/usr/bin/env python3
"""The cost of examples/proxy in front of Postfix: messages per second and
p50/p99 latency, straight to Postfix and through the proxy, in the same
run, with the same clients, alternating rounds (A B A B ...).

Usage: bench/proxy_bench.py PROXY [--clients N] [--messages N] [--rounds N]
                             [--size BYTES] [--per-conn N] [--policy P]
  PROXY        the built examples/proxy (build/examples/proxy)
  --clients    concurrent client connections (16)
  --messages   messages per round and target (2000)
  --rounds     rounds per target (3); the table gives each and the median
  --size       message size in bytes (2000)
  --per-conn   messages per connection before a new one (10)
Needs root and Debian's postfix (scripts/deps.sh), like tests/postfix.
The load generator (this script, asyncio) runs pinned to CPU 0 and the
proxy to CPU 1 when taskset exists and the machine has 2 or more CPUs;
Postfix's processes are not pinned.  A message's latency: from the
client's pipelined MAIL/RCPT/DATA to the final 250 after its body.  Each
round waits until Postfix has delivered everything before the next."""
import argparse
import asyncio
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "postfix"))
from upstream import Postfix  # noqa: E402


def pin(cpu, pid=None):
    if not shutil.which("taskset") or (os.cpu_count() or 1) < 2:
        return False
    subprocess.run(["taskset", "-pc", str(cpu), str(pid or os.getpid())], capture_output=True, check=True)
    return True


async def client(port, n, per_conn, body, lat):
    done = 0
    while done < n:
        reader, writer = await asyncio.open_connection("127.0.0.1", port)

        async def reply():
            while True:
                line = await reader.readline()
                if not line:
                    raise ConnectionError("closed")
                if line[3:4] != b"-":
                    return int(line[:3])
        await reply()
        writer.write(b"EHLO bench.example.org\r\n")
        await reply()
        for _ in range(min(per_conn, n - done)):
            t0 = time.perf_counter()
            writer.write(b"MAIL FROM:<bench@example.org>\r\nRCPT TO:<sink@example.net>\r\nDATA\r\n")
            codes = [await reply() for _ in range(3)]
            writer.write(body)
            codes.append(await reply())
            if codes != [250, 250, 354, 250]:
                raise RuntimeError(f"replies {codes}")
            lat.append(time.perf_counter() - t0)
            done += 1
        writer.write(b"QUIT\r\n")
        await reply()
        writer.close()


async def round_(port, clients, messages, per_conn, body):
    lat = []
    t0 = time.perf_counter()
    share = [messages // clients + (i < messages % clients) for i in range(clients)]
    await asyncio.gather(*(client(port, s, per_conn, body, lat) for s in share if s))
    return messages / (time.perf_counter() - t0), lat


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(p / 100 * len(xs)))]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("proxy")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--messages", type=int, default=2000)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--size", type=int, default=2000)
    ap.add_argument("--per-conn", type=int, default=10)
    ap.add_argument("--policy", default="refuse")
    a = ap.parse_args()
    line = b"The quick brown fox jumps over the lazy dog; .dots stay. 0123456789\r\n"
    text = b"Subject: bench\r\n\r\n" + line * max(1, a.size // len(line))
    body = text.replace(b"\r\n.", b"\r\n..") + b".\r\n"
    pinned = pin(0)
    with Postfix(maxproc=a.clients + 20) as pf:
        version = pf.version()
        px = subprocess.Popen([a.proxy, "-u", str(pf.port), "-p", "0", "-b", a.policy],
                              stdout=subprocess.PIPE)
        try:
            port = int(px.stdout.readline().decode().rsplit(":", 1)[1])
            if pinned:
                pin(1, px.pid)
            targets = {"postfix": pf.port, "proxy": port}
            res = {k: [] for k in targets}
            asyncio.run(round_(pf.port, a.clients, a.clients * 2, a.per_conn, body))   # warm-up
            pf.settle(timeout=600)
            for r in range(a.rounds):
                for name, p in targets.items():
                    rate, lat = asyncio.run(round_(p, a.clients, a.messages, a.per_conn, body))
                    res[name].append((rate, pct(lat, 50) * 1e3, pct(lat, 99) * 1e3))
                    pf.settle(timeout=600)
                    print(f"round {r + 1} {name:8} {rate:8.1f} msg/s  p50 {res[name][-1][1]:7.2f} ms  "
                          f"p99 {res[name][-1][2]:7.2f} ms", flush=True)
            with open(f"/proc/{px.pid}/stat") as f:      # utime, stime: fields 14 and 15
                ticks = sum(int(x) for x in f.read().rsplit(")", 1)[1].split()[11:13])
            cpu_us = ticks / os.sysconf("SC_CLK_TCK") * 1e6 / (a.messages * a.rounds)
        finally:
            px.terminate()
            px.wait()
    print(f"\n{a.clients} clients, {a.messages} messages of {len(text)} bytes per round, {a.per_conn} per "
          f"connection, {a.rounds} rounds, Postfix {version}, pinned: {pinned}")
    print("| Target | msg/s (median) | p50 ms | p99 ms |")
    print("|---|---|---|---|")
    med = {}
    for name in res:
        med[name] = [statistics.median(x[i] for x in res[name]) for i in range(3)]
        print(f"| {name} | {med[name][0]:.1f} | {med[name][1]:.2f} | {med[name][2]:.2f} |")
    print(f"\nthe proxy's own CPU time: {cpu_us:.1f} us per message (user + system, "
          f"{a.rounds * a.messages} messages)")
    print(f"proxy / postfix: throughput {med['proxy'][0] / med['postfix'][0]:.3f}, "
          f"p50 {med['proxy'][1] / med['postfix'][1]:.2f} x, p99 {med['proxy'][2] / med['postfix'][2]:.2f} x")


if __name__ == "__main__":
    main()
