#!/usr/bin/env python3
"""Merges the node traces of RAFTLAB_LATENCY_TRACE=<dir> (src/node/latencyTrace.ts) into
one timeline per log index and prints the median and p90 of each hop of the one-client
write path (docs/performance.md). Usage: scripts/latency-trace-breakdown.py <dir>"""
import glob, os, statistics, sys
from collections import defaultdict

events = []
for path in glob.glob(os.path.join(sys.argv[1], 'node-*.trace')):
    for line in open(path):
        t, node, point, index = line.split()
        events.append((float(t), int(node), point, int(index)))
events.sort()
leader = max({e[1] for e in events if e[2] == 'client-in'}, key=lambda n: sum(1 for e in events if e[1] == n and e[2] == 'client-in'))

# Per index: first time of each (role, point).
first = defaultdict(dict)
def put(i, key, t):
    if i > 0 and key not in first[i]:
        first[i][key] = t
last_client_in = None
last_propose = None
for t, node, point, index in events:
    role = 'L' if node == leader else 'F'
    if node == leader and point == 'client-in':
        last_client_in = t
        continue
    if node == leader and point == 'propose':
        last_propose = t
        continue
    if node == leader and point == 'save-begin' and index > 0 and last_client_in is not None:
        put(index, 'L client-in', last_client_in)
        put(index, 'L propose', last_propose)
        last_client_in = None
    if point in ('save-begin', 'save-written', 'save-durable') and index == 0:
        continue
    if role == 'F' and point.startswith(('recv-append', 'save', 'send-appendResp')):
        # The first follower to answer is the one that decides the commit.
        put(index, f'F{node} {point}', t)
    else:
        put(index, f'{role} {point}', t)
    if node == leader and point == 'apply':
        first[index]['_apply_t'] = t
# client-out: the first on the leader after the apply of that index.
outs = [e[0] for e in events if e[1] == leader and e[2] == 'client-out']
import bisect
path_rows = []
for i, d in first.items():
    if 'L client-in' not in d or '_apply_t' not in d:
        continue
    k = bisect.bisect_left(outs, d['_apply_t'])
    if k < len(outs):
        d['L client-out'] = outs[k]
    # the follower whose response reached the leader first
    fs = sorted({k.split()[0] for k in d if k.startswith('F')})
    best = None
    for f in fs:
        if f'{f} send-appendResp' in d and (best is None or d[f'{f} send-appendResp'] < d[f'{best} send-appendResp']):
            best = f
    if best is None:
        continue
    seq = [
        ('client frame in -> proposal stepped (flush turn)', 'L client-in', 'L propose'),
        ('proposal stepped -> leader save begins', 'L propose', 'L save-begin'),
        ('leader write+fdatasync', 'L save-begin', 'L save-written'),
        ('leader: durable -> AppendEntries handed to socket', 'L save-written', 'L send-append'),
        ('AppendEntries: leader socket -> follower step', 'L send-append', f'{best} recv-append'),
        ('follower: received -> save begins', f'{best} recv-append', f'{best} save-begin'),
        ('follower write+fdatasync', f'{best} save-begin', f'{best} save-written'),
        ('follower: durable -> response handed to socket', f'{best} save-written', f'{best} send-appendResp'),
        ('response: follower socket -> leader step', f'{best} send-appendResp', 'L recv-appendResp'),
        ('leader: response -> entry applied (commit step)', 'L recv-appendResp', 'L apply'),
        ('applied -> reply handed to socket', 'L apply', 'L client-out'),
    ]
    row = {}
    ok = True
    for name, a, b in seq:
        if a not in d or b not in d:
            ok = False
            break
        row[name] = d[b] - d[a]
    if ok:
        row['total in the leader (client-in -> client-out)'] = d['L client-out'] - d['L client-in']
        path_rows.append(row)
print(f'{len(path_rows)} writes traced, leader node {leader}; ms, median / p90')
for name in path_rows[0]:
    xs = sorted(r[name] for r in path_rows)
    print(f'  {name:55s} {statistics.median(xs):7.3f} {xs[int(0.9 * (len(xs) - 1))]:7.3f}')
