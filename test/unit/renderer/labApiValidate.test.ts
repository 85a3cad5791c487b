import { describe, expect, it } from 'vitest';
import { DEFAULT_CLUSTER_OPTIONS, DEFAULT_WORKLOAD } from '../../../src/contract/clusterOptions';
import { LAB_CHANNELS } from '../../../src/contract/labApi';
import type { LabChannel } from '../../../src/contract/labApi';
import { validatePush, validateRequest } from '../../../src/contract/labApiValidate';

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

/** One valid request per channel. */
const VALID: Record<LabChannel, unknown> = {
  'lab:state': {},
  'cluster:start': { options: clone(DEFAULT_CLUSTER_OPTIONS) },
  'cluster:stop': {},
  'cluster:speed': { speed: 0.1 },
  'node:kill': { node: 1 },
  'node:stop': { node: 2 },
  'node:pause': { node: 3 },
  'node:resume': { node: 3 },
  'node:restart': { node: 4 },
  'node:transferLeader': { node: 5 },
  'node:remove': { node: 5 },
  'node:add': {},
  'fault:partition': { preset: 'halves' },
  'fault:link': { from: 1, to: 2, drop: 0.2, delayMs: 50, symmetric: true },
  'fault:apply': { fault: { kind: 'kill', node: 'leader' } },
  'fault:heal': {},
  'fault:remove': { id: 'link:2-5' },
  'workload:set': { workload: clone(DEFAULT_WORKLOAD) },
  'run:export': {},
  'run:list': {},
  'run:open': { path: '/tmp/runs/abc' },
  'run:history': {},
  'run:file': { runDir: '/tmp/runs/abc', name: 'events.jsonl' },
  'run:stateAt': { atMs: 1250.5 },
  'run:messages': { runDir: '/tmp/runs/abc', fromMs: 0, toMs: 2000, maxItems: 500 },
  'experiment:open': { path: '/tmp/figure16' },
  'experiment:compare': { runs: ['/tmp/runs/a', '/tmp/runs/b'], failIfSlowerPct: 5 },
  'debug:freeze': {},
  'debug:resume': {},
  'debug:release': { node: 2, holds: ['3.1.17', '3.1.17#2'], action: 'duplicate' },
  'debug:advance': { node: 1, untilTimer: true },
  'debug:timeoutNow': { node: 3 },
  'debug:breakpoints': { breakpoints: { roleChange: true, termAbove: 4, receive: { types: ['vote'], from: 2 }, nodeKilled: true } },
  'session:scenario': {},
};

/** Invalid requests per channel, each with a fragment of the expected error. */
const INVALID: Record<LabChannel, Array<[unknown, string]>> = {
  'lab:state': [[{ x: 1 }, 'takes no fields'], [null, 'must be an object'], [[], 'must be an object']],
  'cluster:start': [
    [{}, 'options is required'],
    [{ options: { ...clone(DEFAULT_CLUSTER_OPTIONS), nodes: 0 } }, 'nodes must be between'],
    [{ options: { ...clone(DEFAULT_CLUSTER_OPTIONS), nodes: 2.5 } }, 'nodes must be a whole number'],
    [{ options: { ...clone(DEFAULT_CLUSTER_OPTIONS), extra: true } }, 'unknown field "extra"'],
    [{ options: { ...clone(DEFAULT_CLUSTER_OPTIONS), electionTimeoutMaxMs: 100 } }, 'electionTimeoutMaxMs must be greater'],
    [{ options: { ...clone(DEFAULT_CLUSTER_OPTIONS), workload: { ...clone(DEFAULT_WORKLOAD), rate: -1 } } }, 'workload.rate'],
    [{ options: { ...clone(DEFAULT_CLUSTER_OPTIONS), workload: { ...clone(DEFAULT_WORKLOAD), mix: { get: 1 } } } }, 'options.workload.mix.put is required'],
    [{ options: { ...clone(DEFAULT_CLUSTER_OPTIONS), dataDir: 'x'.repeat(5000) } }, 'at most 4096'],
    [{ options: clone(DEFAULT_CLUSTER_OPTIONS), more: 1 }, 'unknown field "more"'],
  ],
  'cluster:stop': [[{ now: true }, 'takes no fields']],
  'cluster:speed': [[{ speed: 0 }, 'speed must be a number from 0.01 to 1'], [{ speed: 2 }, 'from 0.01 to 1'], [{}, 'speed is required']],
  'node:kill': [[{}, 'node is required'], [{ node: 0 }, 'node must be a node id'], [{ node: '1' }, 'node must be a node id']],
  'node:stop': [[{ node: -3 }, 'node must be a node id']],
  'node:pause': [[{ node: 1.5 }, 'node must be a node id']],
  'node:resume': [[{ node: 1, force: true }, 'unknown field "force"']],
  'node:restart': [[{ node: 1e9 }, 'node must be a node id']],
  'node:transferLeader': [[{ node: null }, 'node must be a node id']],
  'node:remove': [[{ node: Number.NaN }, 'node must be a node id']],
  'node:add': [[{ id: 7 }, 'takes no fields']],
  'fault:partition': [
    [{}, 'either a preset or groups'],
    [{ preset: 'halves', groups: [[1], [2]] }, 'either a preset or groups'],
    [{ preset: 'sideways' }, 'preset must be one of'],
    [{ preset: 'isolate-node' }, 'node must be a node id'],
    [{ preset: 'halves', node: 2 }, 'only used with the isolate-node preset'],
    [{ groups: [[1, 2], [2, 3]] }, 'more than one place'],
    [{ groups: [[1], []] }, 'non-empty list of node ids'],
    [{ groups: [] }, 'non-empty list of groups'],
    [{ groups: [[1, 0]] }, 'must be a node id'],
  ],
  'fault:link': [
    [{ from: 1, to: 1, drop: 0, delayMs: 0, symmetric: false }, 'different nodes'],
    [{ from: 1, to: 2, drop: 1.5, delayMs: 0, symmetric: false }, 'probability'],
    [{ from: 1, to: 2, drop: 0, delayMs: 2.5, symmetric: false }, 'delayMs must be a whole number'],
    [{ from: 1, to: 2, drop: 0, delayMs: 0, symmetric: 'yes' }, 'symmetric must be true or false'],
    [{ from: 1, to: 2, drop: 0, delayMs: 0 }, 'symmetric is required'],
  ],
  'fault:apply': [
    [{ fault: { kind: 'meteor' } }, 'kind must be one of'],
    [{ fault: { kind: 'kill', node: 'everyone' } }, 'must be a node id'],
    [{ fault: { kind: 'resume', node: 'leader' } }, 'must be a node id'],
    [{ fault: { kind: 'clock', node: 1, rate: 0 } }, 'rate must be a number'],
    [{ fault: { kind: 'disk', node: 1, fsyncDelayMs: -1 } }, 'fsyncDelayMs'],
    [{ fault: { kind: 'flaky', drop: 2 } }, 'probability'],
    [{ fault: { kind: 'link', from: 1, to: 2, jitterMs: 0.5 } }, 'jitterMs'],
    [{ fault: { kind: 'partition', preset: 'halves', extra: 1 } }, 'unknown field'],
  ],
  'fault:heal': [[{ all: true }, 'takes no fields']],
  'fault:remove': [
    [{}, 'id is required'],
    [{ id: 'meteor' }, 'must name a fault in force'],
    [{ id: 'link:0-2' }, 'must name a fault in force'],
    [{ id: 'clock:3', extra: 1 }, 'unknown field'],
  ],
  'workload:set': [
    [{}, 'workload is required'],
    [{ workload: { ...clone(DEFAULT_WORKLOAD), clients: 1000 } }, 'workload.clients must be between'],
    [{ workload: { ...clone(DEFAULT_WORKLOAD), mix: { get: 0, put: 0, cas: 0, append: 0 } } }, 'positive weight'],
    [{ workload: { ...clone(DEFAULT_WORKLOAD), burst: 3 } }, 'unknown field "burst"'],
  ],
  'run:export': [[{ runDir: '' }, 'non-empty path'], [{ runDir: 7 }, 'non-empty path'], [{ format: 'zip' }, 'unknown field']],
  'run:list': [[{ limit: 3 }, 'takes no fields']],
  'run:open': [[{}, 'path is required'], [{ path: '   ' }, 'non-empty path'], [{ path: 'a\0b' }, 'NUL'], [{ path: 'p'.repeat(4097) }, 'at most']],
  'run:history': [[{ since: 3 }, 'takes no fields']],
  'run:file': [
    [{ runDir: '/r', name: '../secret' }, 'plain file name'],
    [{ runDir: '/r', name: 'a/b' }, 'plain file name'],
    [{ runDir: '/r', name: '..' }, 'plain file name'],
    [{ runDir: '/r', name: '' }, 'must be a file name'],
    [{ runDir: '/r' }, 'name is required'],
  ],
  'run:stateAt': [[{}, 'atMs is required'], [{ atMs: 'soon' }, 'atMs must be a number'], [{ atMs: 1, at: 2 }, 'unknown field']],
  'run:messages': [
    [{ fromMs: 5, toMs: 1, maxItems: 10 }, 'toMs must not be before fromMs'],
    [{ fromMs: 0, toMs: 1, maxItems: 0.5 }, 'maxItems must be a whole number'],
    [{ fromMs: 0, toMs: 1 }, 'maxItems is required'],
  ],
  'experiment:open': [[{}, 'path is required'], [{ path: '' }, 'must be a non-empty path']],
  'experiment:compare': [
    [{ runs: ['/tmp/runs/a'] }, 'needs at least two runs'],
    [{ runs: Array.from({ length: 9 }, (_, i) => `/r/${i}`) }, 'at most 8 runs'],
    [{ runs: ['/a', '/b'], failIfSlowerPct: -1 }, 'failIfSlowerPct must be a number from 0 to 1000'],
  ],
  'debug:freeze': [[{ all: true }, 'takes no fields']],
  'debug:resume': [[{ now: 1 }, 'takes no fields']],
  'debug:release': [
    [{ node: 2, action: 'eat' }, 'action'],
    [{ node: 0, action: 'drop' }, 'node must be a node id'],
    [{ node: 2, holds: [], action: 'drop' }, 'holds'],
  ],
  'debug:advance': [[{ node: 1, ticks: 0 }, 'ticks must be a whole number from 1 to 60000']],
  'debug:timeoutNow': [[{}, 'node is required']],
  'debug:breakpoints': [[{ breakpoints: { termAbove: -1 } }, 'termAbove'], [{ breakpoints: { bogus: true } }, 'bogus']],
  'session:scenario': [[{ x: 1 }, 'takes no fields']],
};

describe('validateRequest', () => {
  it('knows every channel of LAB_CHANNELS', () => {
    expect(Object.keys(VALID).sort()).toEqual([...LAB_CHANNELS].sort());
    expect(Object.keys(INVALID).sort()).toEqual([...LAB_CHANNELS].sort());
  });

  it.each(LAB_CHANNELS)('accepts a valid %s request and returns it typed by channel', (channel) => {
    const result = validateRequest(channel, VALID[channel]);
    expect(result).toEqual({ ok: true, channel, request: VALID[channel] });
  });

  it.each(LAB_CHANNELS)('rejects invalid %s requests with a field-named error', (channel) => {
    for (const [payload, fragment] of INVALID[channel]) {
      const result = validateRequest(channel, payload);
      expect(result.ok, `${channel} ${JSON.stringify(payload)?.slice(0, 80)}`).toBe(false);
      if (!result.ok) expect(result.error).toContain(fragment);
    }
  });

  it('rejects unknown channels and non-string channels without throwing', () => {
    expect(validateRequest('node:explode', { node: 1 })).toEqual({ ok: false, error: 'unknown channel "node:explode"' });
    expect(validateRequest(42 as unknown as string, {}).ok).toBe(false);
    expect(validateRequest('__proto__', {}).ok).toBe(false);
  });

  it('rejects objects that are not plain data (class instances, poisoned prototypes)', () => {
    class Sneaky {
      node = 1;
    }
    expect(validateRequest('node:kill', new Sneaky()).ok).toBe(false);
    const poisoned = JSON.parse('{"node": 1, "__proto__": {"admin": true}}') as unknown;
    const r = validateRequest('node:kill', poisoned);
    expect(r.ok).toBe(false);
  });

  it('accepts the other partition shapes and every preset', () => {
    expect(validateRequest('fault:partition', { preset: 'isolate-node', node: 3 }).ok).toBe(true);
    expect(validateRequest('fault:partition', { groups: [[1, 2, 3], [4, 5]] }).ok).toBe(true);
    for (const preset of ['isolate-leader', 'halves', 'majorities-ring', 'bridge', 'random']) {
      expect(validateRequest('fault:partition', { preset }).ok, preset).toBe(true);
    }
    expect(validateRequest('fault:apply', { fault: { kind: 'partition', groups: [[1], [2, 3]] } }).ok).toBe(true);
    expect(validateRequest('fault:apply', { fault: { kind: 'link', from: 1, to: 2, drop: 0.5, symmetric: true } }).ok).toBe(true);
    expect(validateRequest('fault:apply', { fault: { kind: 'clock', node: 2, rate: 2 } }).ok).toBe(true);
    expect(validateRequest('run:export', { runDir: '/tmp/run' }).ok).toBe(true);
  });
});

describe('validatePush', () => {
  it('accepts event batches and states', () => {
    expect(validatePush('lab:events', { events: [{ type: 'role', t: 1, node: 1, role: 'leader', term: 1, leader: 1 }] }).ok).toBe(true);
    const state = { phase: 'idle', runId: null, runDir: null, options: null, nodes: [], blocked: [], links: [], workload: null, startedAt: null };
    expect(validatePush('lab:state', state)).toEqual({ ok: true, channel: 'lab:state', payload: state });
  });

  it('rejects unknown channels and malformed payloads', () => {
    expect(validatePush('lab:gossip', {}).ok).toBe(false);
    expect(validatePush('lab:events', { events: 'many' }).ok).toBe(false);
    expect(validatePush('lab:events', { events: [{ type: 'role' }] }).ok).toBe(false);
    expect(validatePush('lab:events', { events: [], extra: 1 }).ok).toBe(false);
    expect(validatePush('lab:state', { phase: 'dancing', nodes: [], blocked: [], links: [] }).ok).toBe(false);
    expect(validatePush('lab:state', { phase: 'idle', nodes: [{ id: 0 }], blocked: [], links: [] }).ok).toBe(false);
    expect(validatePush('lab:state', null).ok).toBe(false);
  });
});
