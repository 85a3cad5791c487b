/**
 * The node's config line (src/contract/nodeConfig.ts, read by src/node/config.ts): a good
 * config decodes to itself, every problem of a bad one is named at once with its field, and
 * CURVE keys are checked for the node, the lab and every peer.
 */
import { describe, expect, it } from 'vitest';
import { NodeConfigError, parseNodeConfig } from '../../../src/node/config';

const KEY = 'rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7';
const good = {
  clusterId: 'c1',
  id: 1,
  dataDir: '/tmp/n1',
  peerAddress: 'tcp://127.0.0.1:5001',
  clientAddress: 'tcp://127.0.0.1:6001',
  peers: { 2: { peerAddress: 'tcp://127.0.0.1:5002', clientAddress: 'tcp://127.0.0.1:6002', publicKey: KEY } },
  controlAddress: 'tcp://127.0.0.1:7000',
  telemetryAddress: 'tcp://127.0.0.1:7001',
  initialVoters: [1, 2],
  tickMs: 10,
  electionTimeoutMinMs: 150,
  electionTimeoutMaxMs: 300,
  heartbeatMs: 50,
  preVote: true,
  checkQuorum: true,
  fsync: 'always',
  maxEntriesPerMsg: 256,
  maxBytesPerMsg: 1 << 20,
  maxInflight: 16,
  snapshotThreshold: 10_000,
  seed: 1001,
  metricsIntervalMs: 100,
  maxFrameBytes: 16 << 20,
  security: { publicKey: KEY, secretKey: KEY, labPublicKey: KEY },
};

const parse = (c: unknown) => parseNodeConfig(JSON.stringify(c), 'stdin');

describe('node config', () => {
  it('decodes a good config to the same values', () => {
    expect(parse(good)).toEqual(good);
  });

  it('ignores fields it does not know (a newer lab), without passing them on', () => {
    expect(parse({ ...good, flightPlan: 'newer' })).toEqual(good);
  });

  it('names every problem at once, by field', () => {
    const bad = { ...good, id: 0, fsync: 'sometimes', initialVoters: [1, -2], maxEntriesPerMsg: 9000, tickMs: 0.5 };
    const error = (() => {
      try {
        parse(bad);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(NodeConfigError);
    const message = (error as Error).message;
    expect(message).toMatch(/^stdin: /);
    for (const field of ['id', 'fsync', 'initialVoters[1]', 'maxEntriesPerMsg', 'tickMs']) expect(message).toContain(`${field}: `);
  });

  it('refuses bad JSON, a non-object and missing fields', () => {
    expect(() => parseNodeConfig('{', 'x')).toThrow(/not valid JSON/);
    expect(() => parseNodeConfig('[]', 'x')).toThrow(/x: /);
    const { clusterId: _c, ...missing } = good;
    expect(() => parse(missing)).toThrow(/clusterId/);
  });

  it('checks CURVE keys for the node, the lab and every peer when security is on', () => {
    expect(() => parse({ ...good, security: { ...good.security, secretKey: 'short' } })).toThrow(/security\.secretKey: expected a 40-character Z85 key/);
    const peers = { 2: { peerAddress: 'tcp://127.0.0.1:5002', clientAddress: 'tcp://127.0.0.1:6002' } };
    expect(() => parse({ ...good, peers })).toThrow(/peers\.2\.publicKey must be a 40-character Z85 key \(CURVE is on\)/);
    const { security: _s, ...plaintext } = good;
    expect(parse({ ...plaintext, peers })).toMatchObject({ peers });
  });
});
