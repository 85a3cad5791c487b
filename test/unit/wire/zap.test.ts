/**
 * CURVE plus the process's ZAP handler (zapHandler.ts): a CURVE server socket admits
 * exactly the keys its allow-list names; a stranger's handshake is refused and counted,
 * and nothing it sends is delivered. Frame seals (frameSeal.ts) agree across a pair.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Pull, Push } from 'zeromq';
import { encodeFrame, decodeFrame } from '../../../src/contract/codec';
import { newCurveKeyPair, SealKeys, z85Decode, z85Encode } from '../../../src/wire/frameSeal';
import { registerZapDomain, type ZapRegistration } from '../../../src/wire/zapHandler';
import { waitFor } from './helpers';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const c of closers.splice(0)) c();
});

/** Collects everything a socket receives, until closed. */
function collect(pull: Pull): string[] {
  const got: string[] = [];
  void (async () => {
    for await (const [part] of pull) got.push(part.toString());
  })().catch(() => undefined);
  return got;
}

describe('Z85 and seals', () => {
  it('Z85 round-trips libzmq keys', () => {
    const k = newCurveKeyPair();
    expect(z85Encode(z85Decode(k.publicKey))).toBe(k.publicKey);
    expect(() => z85Decode('short')).toThrow(/Z85/);
  });

  it('both ends of a pair derive the same MAC key, and no third party does', () => {
    const a = new SealKeys(newCurveKeyPair());
    const b = new SealKeys(newCurveKeyPair());
    const c = new SealKeys(newCurveKeyPair());
    expect(a.pairKey(b.keys.publicKey).equals(b.pairKey(a.keys.publicKey))).toBe(true);
    expect(c.pairKey(b.keys.publicKey).equals(a.pairKey(b.keys.publicKey))).toBe(false);
  });

  it('a sealed frame verifies for its sender only, and any flipped byte breaks it', () => {
    const a = new SealKeys(newCurveKeyPair());
    const b = new SealKeys(newCurveKeyPair());
    const c = new SealKeys(newCurveKeyPair());
    const frame = encodeFrame('raft', 'x', [{ type: 'timeoutNow', from: 1, to: 2, term: 3 }], a.sealer(1, b.keys.publicKey));
    const decoded = decodeFrame(frame, { clusterId: 'x', kinds: ['raft'], maxBytes: 1 << 20 });
    if (!decoded.ok || !decoded.seal) throw new Error('expected a sealed frame');
    expect(decoded.seal.sender).toBe(1);
    expect(b.verify(decoded.seal, a.keys.publicKey)).toBe(true);
    expect(b.verify(decoded.seal, c.keys.publicKey)).toBe(false);
    // c seals a frame claiming to be a's: b refuses it under a's key.
    const forged = encodeFrame('raft', 'x', [{ type: 'timeoutNow', from: 1, to: 2, term: 3 }], c.sealer(1, b.keys.publicKey));
    const f = decodeFrame(forged, { clusterId: 'x', kinds: ['raft'], maxBytes: 1 << 20 });
    if (!f.ok || !f.seal) throw new Error('expected a sealed frame');
    expect(b.verify(f.seal, a.keys.publicKey)).toBe(false);
    const tampered = frame.slice();
    tampered[tampered.length - 30] ^= 1;
    const t = decodeFrame(tampered, { clusterId: 'x', kinds: ['raft'], maxBytes: 1 << 20 });
    if (t.ok && t.seal) expect(b.verify(t.seal, a.keys.publicKey)).toBe(false);
  });
});

describe('ZAP allow-list', () => {
  it('admits a listed key and refuses a stranger, who delivers nothing', async () => {
    const server = newCurveKeyPair();
    const member = newCurveKeyPair();
    const stranger = newCurveKeyPair();
    const zap: ZapRegistration = await registerZapDomain('test', (key) => key === member.publicKey);
    closers.push(() => zap.release());
    const pull = new Pull({ linger: 0, curveServer: true, curvePublicKey: server.publicKey, curveSecretKey: server.secretKey, zapDomain: zap.domain });
    closers.push(() => pull.close());
    await pull.bind('tcp://127.0.0.1:0');
    const address = pull.lastEndpoint!;
    const got = collect(pull);

    const bad = new Push({ linger: 0, curveServerKey: server.publicKey, curvePublicKey: stranger.publicKey, curveSecretKey: stranger.secretKey });
    closers.push(() => bad.close());
    bad.connect(address);
    void bad.send('from a stranger').catch(() => undefined);
    await waitFor(() => zap.refused > 0, 'the ZAP handler to refuse the stranger');

    const good = new Push({ linger: 0, curveServerKey: server.publicKey, curvePublicKey: member.publicKey, curveSecretKey: member.secretKey });
    closers.push(() => good.close());
    good.connect(address);
    await good.send('from a member');
    await waitFor(() => got.length > 0, 'a delivered frame');
    // The member's message arrived after the stranger's was sent: the stranger's never will.
    expect(got).toEqual(['from a member']);
    expect(zap.admitted).toBeGreaterThan(0);
  });

  it('refuses a plaintext (NULL mechanism) client', async () => {
    const server = newCurveKeyPair();
    const zap = await registerZapDomain('test', () => true);
    closers.push(() => zap.release());
    const pull = new Pull({ linger: 0, curveServer: true, curvePublicKey: server.publicKey, curveSecretKey: server.secretKey, zapDomain: zap.domain });
    closers.push(() => pull.close());
    await pull.bind('tcp://127.0.0.1:0');
    const plain = new Push({ linger: 0 });
    closers.push(() => plain.close());
    const got = collect(pull);
    plain.connect(pull.lastEndpoint!);
    void plain.send('plaintext').catch(() => undefined);
    // A NULL client cannot complete a CURVE handshake: the connection never carries a message.
    // Proof by a later member message overtaking it, as above.
    const member = newCurveKeyPair();
    const good = new Push({ linger: 0, curveServerKey: server.publicKey, curvePublicKey: member.publicKey, curveSecretKey: member.secretKey });
    closers.push(() => good.close());
    good.connect(pull.lastEndpoint!);
    await good.send('member');
    await waitFor(() => got.length > 0, 'a delivered frame');
    expect(got).toEqual(['member']);
  });
});
