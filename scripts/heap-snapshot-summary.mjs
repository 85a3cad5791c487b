#!/usr/bin/env node
// Summary of a V8 .heapsnapshot (from `node --heapsnapshot-signal=SIGUSR2`, as
// `npm run bench -- node` takes them with RAFTLAB_BENCH_HEAP_SNAPSHOT, see
// docs/performance.md "Memory per node"): self size per constructor, and the objects that
// retain the most (dominator tree, Cooper-Harvey-Kennedy, weak edges ignored as DevTools
// does), each with its path from the GC roots.
//
//   node scripts/heap-snapshot-summary.mjs <file.heapsnapshot> [top=25]
import { readFileSync } from 'node:fs';

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/heap-snapshot-summary.mjs <file.heapsnapshot> [top=25]');
  process.exit(2);
}
const TOP = Number(topArg ?? 25);
const snap = JSON.parse(readFileSync(file, 'utf8'));
const meta = snap.snapshot.meta;
const NF = meta.node_fields.length;
const EF = meta.edge_fields.length;
const nTypeOff = meta.node_fields.indexOf('type');
const nNameOff = meta.node_fields.indexOf('name');
const nSizeOff = meta.node_fields.indexOf('self_size');
const nEdgesOff = meta.node_fields.indexOf('edge_count');
const eTypeOff = meta.edge_fields.indexOf('type');
const eNameOff = meta.edge_fields.indexOf('name_or_index');
const eToOff = meta.edge_fields.indexOf('to_node');
const nodeTypes = meta.node_types[0];
const edgeTypes = meta.edge_types[0];
const { nodes, edges, strings } = snap;
const count = nodes.length / NF;

const firstEdge = new Uint32Array(count + 1);
for (let i = 0, e = 0; i < count; i++) {
  firstEdge[i] = e;
  e += nodes[i * NF + nEdgesOff] * EF;
  firstEdge[i + 1] = e;
}
const typeOf = (i) => nodeTypes[nodes[i * NF + nTypeOff]];
const nameOf = (i) => strings[nodes[i * NF + nNameOff]];
const selfOf = (i) => nodes[i * NF + nSizeOff];
const WEAK = edgeTypes.indexOf('weak');
const label = (i) => {
  const t = typeOf(i);
  if (t === 'object' || t === 'closure' || t === 'native') return `${t === 'closure' ? 'closure ' : ''}${nameOf(i).slice(0, 80)}`;
  if (t === 'string' || t === 'concatenated string' || t === 'sliced string') return '(string)';
  return `(${t}) ${nameOf(i).slice(0, 40)}`;
};

// Self size per constructor / kind.
const hist = new Map();
let total = 0;
for (let i = 0; i < count; i++) {
  const k = label(i);
  const h = hist.get(k) ?? { n: 0, bytes: 0 };
  h.n++;
  h.bytes += selfOf(i);
  total += selfOf(i);
  hist.set(k, h);
}
const mb = (b) => (b / 1048576).toFixed(2);
console.log(`${file}: ${count} nodes, ${mb(total)} MB self size in all`);
console.log('\nself size by constructor or kind:');
for (const [k, h] of [...hist].sort((a, b) => b[1].bytes - a[1].bytes).slice(0, TOP)) console.log(`  ${mb(h.bytes).padStart(8)} MB  ${String(h.n).padStart(8)}  ${k}`);

// Dominators over strong edges, from node 0 (the synthetic root).
const order = new Int32Array(count).fill(-1); // postorder number
const post = [];
const parentInDfs = new Int32Array(count).fill(-1);
{
  const stack = [0];
  const cursor = new Uint32Array(count);
  order[0] = -2;
  for (let i = 0; i < count; i++) cursor[i] = firstEdge[i];
  while (stack.length > 0) {
    const v = stack[stack.length - 1];
    let pushed = false;
    while (cursor[v] < firstEdge[v + 1]) {
      const e = cursor[v];
      cursor[v] += EF;
      if (edges[e + eTypeOff] === WEAK) continue;
      const w = edges[e + eToOff] / NF;
      if (order[w] === -1) {
        order[w] = -2;
        parentInDfs[w] = v;
        stack.push(w);
        pushed = true;
        break;
      }
    }
    if (!pushed) {
      stack.pop();
      order[v] = post.length;
      post.push(v);
    }
  }
}
const preds = new Map();
for (let v = 0; v < count; v++) {
  if (order[v] < 0) continue;
  for (let e = firstEdge[v]; e < firstEdge[v + 1]; e += EF) {
    if (edges[e + eTypeOff] === WEAK) continue;
    const w = edges[e + eToOff] / NF;
    let p = preds.get(w);
    if (!p) preds.set(w, (p = []));
    p.push(v);
  }
}
const idom = new Int32Array(count).fill(-1);
idom[0] = 0;
const intersect = (a, b) => {
  while (a !== b) {
    while (order[a] < order[b]) a = idom[a];
    while (order[b] < order[a]) b = idom[b];
  }
  return a;
};
for (let changed = true; changed; ) {
  changed = false;
  for (let k = post.length - 2; k >= 0; k--) {
    const v = post[k];
    let d = -1;
    for (const p of preds.get(v) ?? []) {
      if (idom[p] === -1) continue;
      d = d === -1 ? p : intersect(p, d);
    }
    if (d !== -1 && idom[v] !== d) {
      idom[v] = d;
      changed = true;
    }
  }
}
const retained = new Float64Array(count);
for (const v of post) retained[v] += selfOf(v);
for (const v of post) if (v !== 0 && idom[v] >= 0) retained[idom[v]] += retained[v];

const edgeName = (from, to) => {
  for (let e = firstEdge[from]; e < firstEdge[from + 1]; e += EF) {
    if (edges[e + eToOff] / NF !== to) continue;
    const t = edgeTypes[edges[e + eTypeOff]];
    const n = edges[e + eNameOff];
    return t === 'element' || t === 'hidden' ? `[${n}]` : `.${strings[n]}`;
  }
  return '.?';
};
const pathOf = (v) => {
  const parts = [];
  for (let x = v; x > 0 && parentInDfs[x] > 0 && parts.length < 8; x = parentInDfs[x]) parts.unshift(`${label(parentInDfs[x]).slice(0, 30)}${edgeName(parentInDfs[x], x)}`);
  return parts.join(' → ');
};

console.log('\nlargest retainers (retained size; nodes not dominated by a larger one listed here):');
const candidates = [];
for (let v = 1; v < count; v++) if (order[v] >= 0 && typeOf(v) !== 'synthetic') candidates.push(v);
candidates.sort((a, b) => retained[b] - retained[a]);
const shown = [];
for (const v of candidates) {
  if (shown.length >= TOP) break;
  let dominated = false;
  for (let x = idom[v]; x > 0; x = idom[x]) if (shown.includes(x)) dominated = true;
  if (dominated) continue;
  shown.push(v);
  console.log(`  ${mb(retained[v]).padStart(8)} MB  ${label(v)}   via ${pathOf(v)}`);
}
