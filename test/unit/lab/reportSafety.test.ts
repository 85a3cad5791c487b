/**
 * report.html opened from a crafted run folder (issue 9, stored XSS): every interpolation
 * is escaped, numeric fields are checked where the run is read, and a strict CSP allows
 * nothing to load or run. The folder is real files, exported through exportRun.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { exportRun } from '../../../src/lab/export/exportRun';
import { esc, html, joinHtml, styleElement } from '../../../src/lab/export/report/html';
import { DEFAULT_CLUSTER_OPTIONS } from '../../../src/contract/clusterOptions';

const XSS = '<img src=x onerror=alert(1)>';

function craftedEvents(): string {
  const lines: unknown[] = [
    { type: 'run', t: 0, node: null, phase: 'started', runId: '</title><script>alert(5)</script>', options: { ...DEFAULT_CLUSTER_OPTIONS, nodes: 3 } },
    ...[1, 2, 3].map((n) => ({ type: 'process', t: 1, node: n, state: 'started', pid: 100 + n })),
    { type: 'role', t: 10, node: 1, role: 'leader', term: 1, leader: 1 },
    // The attack of issue 9: a term that is markup.
    { type: 'role', t: 20, node: 2, role: 'leader', term: XSS, leader: 2 },
    { type: 'role', t: 30, node: 3, role: '<svg onload=alert(2)>', term: 1, leader: null },
    { type: 'fault', t: 40, node: null, action: 'apply', fault: { kind: 'kill', node: 1 }, description: `kill ${XSS}`, nodes: [1] },
    { type: 'process', t: 41, node: 1, state: 'killed' },
    { type: 'membership', t: 45, node: null, action: 'remove', target: '<b>3</b>', voters: [1, 2] },
    { type: 'violation', t: 50, node: 2, property: '<i>p</i>', message: `bad ${XSS}` },
    { type: 'workload', t: 60, node: null, intervalMs: 500, ok: '<b>9</b>', fail: 0, info: 0, opsPerSec: 1, p50Ms: 1, p99Ms: 2 },
    { type: 'role', t: 300, node: 2, role: 'leader', term: 2, leader: 2 },
    { type: 'run', t: 1000, node: null, phase: 'stopped' },
  ];
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

const craftedSummary = {
  runId: '<script>alert(3)</script>',
  nodes: '<img src=x onerror=alert(4)>',
  durationMs: 1000,
  leaderChanges: 1,
  electionMs: { count: '<svg onload=alert(6)>', p50: null, p99: null, max: null, samples: [] },
  commitLatencyMs: { p50: null, p99: null },
  throughputOpsPerSec: 0,
  ops: { ok: '<b>1</b>', fail: 0, info: 0 },
  faults: 0,
  violations: [],
  linearizable: true,
};

describe('report.html from a crafted run folder', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'raftlab-crafted-'));
    await writeFile(join(dir, 'events.jsonl'), craftedEvents());
    await writeFile(join(dir, 'history.jsonl'), '');
    await writeFile(join(dir, 'summary.json'), JSON.stringify(craftedSummary));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('shows markup only as text, leaves out events with bad numbers, and refuses a summary.json of strings', async () => {
    const result = await exportRun(dir, 'report.html');
    const page = await readFile(join(dir, 'report.html'), 'utf8');
    // No element or attribute came from the run: no script, image, svg onload, event handler.
    expect(page).not.toMatch(/<script|<img|<iframe|<object|<embed|<link|<base/i);
    expect(page).not.toMatch(/<[^>]*\son[a-z]+\s*=/i);
    expect(page).not.toContain('alert(4)');
    expect(page).not.toContain('alert(6)');
    // What was text is shown as text.
    expect(page).toContain(`kill ${esc(XSS)}`);
    expect(page).toContain('&lt;/title&gt;&lt;script&gt;alert(5)&lt;/script&gt;');
    expect(page).toContain('&lt;i&gt;p&lt;/i&gt;');
    // The events whose numbers (or role) are not what the format says were left out, with warnings.
    expect(page).not.toContain('alert(1)&gt; (term');
    expect(result.warnings.join('\n')).toMatch(/summary\.json was not a valid summary \(nodes must be a whole number\); computed a new one/);
    expect(result.warnings.join('\n')).toMatch(/events\.jsonl: left out 1 \(first at position 6\): role event: term/);
    expect(result.warnings.join('\n')).toMatch(/role event: role/);
    expect(result.warnings.join('\n')).toMatch(/membership event: target and voters must be node ids/);
    expect(result.warnings.join('\n')).toMatch(/workload event: intervalMs, ok, fail, info and opsPerSec must be numbers/);
    expect(result.summary?.nodes).toBe(3);
    // The sound events still count: node 1 led term 1, the kill fault at 40 ms, node 2 led term 2 at 300 ms.
    expect(result.summary?.electionMs.samples).toEqual([260]);
    expect(page).toContain('<h2>Recording warnings</h2>');
  });

  it('carries a strict Content-Security-Policy that allows only its own stylesheet, by hash', async () => {
    await exportRun(dir, 'report.html');
    const page = await readFile(join(dir, 'report.html'), 'utf8');
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(page)?.[1].replace(/&#39;/g, "'");
    expect(csp).toBeDefined();
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src 'none'; base-uri 'none'; form-action 'none'$/);
    const css = /<style>([\s\S]*?)<\/style>/.exec(page)![1];
    expect(csp).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
    expect(page.indexOf('Content-Security-Policy')).toBeLessThan(page.indexOf('<style>'));
    expect(page).not.toMatch(/\sstyle=/);
  });
});

describe('the html tag', () => {
  it('escapes every interpolated value, in text and in attributes, unless built by html itself', () => {
    const v = `"><img src=x onerror='a'>\``;
    expect(html`<td title="${v}">${v}</td>`.markup).toBe('<td title="&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;&#96;">&quot;&gt;&lt;img src=x onerror=&#39;a&#39;&gt;&#96;</td>');
    expect(html`<tr>${[html`<td>${'<a>'}</td>`, '<b>']}</tr>`.markup).toBe('<tr><td>&lt;a&gt;</td>&lt;b&gt;</tr>');
    expect(html`${null}${undefined}${false}${0}`.markup).toBe('0');
    expect(joinHtml(['<x>', html`<y/>`]).markup).toBe('&lt;x&gt;<y/>');
    expect(() => styleElement('a{}</style><script>')).toThrow(/may not contain/);
  });
});
