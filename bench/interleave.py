#!/usr/bin/env python3
"""Interleaved, pinned timing of several smtpp_bench binaries on one workload.

    python3 bench/interleave.py [-r ROUNDS] [-d DATA] [-c CHUNKS] KIND LABEL=BINARY ...

A BINARY may carry options of its own after spaces, passed before the
others ("pad=build/bench/smtpp_bench -P").
KIND is commands, data or replies (DATA/KIND.txt, from smtpp_bench_gen;
DATA defaults to build-bench/bench/data).  Each round runs every binary
once, in turn, as `taskset -c 1 BINARY -p 5 -c CHUNKS KIND:FILE` (CPU 1:
on the 2-core machines CPU 0 has slow phases), so that a slow phase of
the machine falls on all of them alike.  For each binary and library
system it prints the median over the rounds of that run's own ratios:
memchr time / system time on the whole buffer ("x memchr"), the same
for the hand-written parser ("x handwritten": above 1, faster than it),
and the time with reads of each size / the whole-buffer time
("1024/whole").
Every ratio is between rows of one run; no time is compared across runs.
"""
import argparse, collections, json, statistics, subprocess, sys

ap = argparse.ArgumentParser()
ap.add_argument('-r', '--rounds', type=int, default=5)
ap.add_argument('-d', '--data', default='build-bench/bench/data')
ap.add_argument('-c', '--chunks', default='4096,1024')
ap.add_argument('kind', choices=['commands', 'data', 'replies'])
ap.add_argument('bins', nargs='+', metavar='LABEL=BINARY')
a = ap.parse_args()
bins = [b.split('=', 1) for b in a.bins]
res = collections.defaultdict(list)
for r in range(a.rounds):
    for label, path in bins:
        out = subprocess.run(['taskset', '-c', '1'] + path.split() + ['-p', '5', '-c', a.chunks,
                              '%s:%s/%s.txt' % (a.kind, a.data, a.kind)],
                             capture_output=True, text=True, check=True).stdout
        rows = [json.loads(l[7:]) for l in out.splitlines() if l.startswith('RESULT ')]
        full = max(x['bytes'] for x in rows)
        rows = [x for x in rows if x['bytes'] == full]
        mem = [x['median_s'] for x in rows if x['system'] == 'memchr'][0]
        hand = [x['median_s'] for x in rows if x['system'] == 'handwritten']
        whole = {x['system']: x['median_s'] for x in rows if x['chunk'] == 0}
        for x in rows:
            if x['system'] in ('memchr', 'handwritten'):
                continue
            if x['chunk'] == 0:
                res[(label, x['system'], 'x memchr')].append(mem / x['median_s'])
                if hand:
                    res[(label, x['system'], 'x handwritten')].append(hand[0] / x['median_s'])
            else:
                res[(label, x['system'], '%d/whole' % x['chunk'])].append(
                    x['median_s'] / whole[x['system']])
    print('round %d of %d done' % (r + 1, a.rounds), file=sys.stderr, flush=True)
for k in sorted(res, key=lambda k: (k[1], k[2], k[0])):
    v = res[k]
    print('%-10s %-16s %-12s %.3f  (%s)' % (k[0], k[1], k[2], statistics.median(v),
                                            ' '.join('%.3f' % x for x in v)))
