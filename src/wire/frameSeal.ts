/**
 * CURVE keys and frame seals: what binds a frame to the node id of its sender.
 *
 * CURVE (ZeroMQ's CurveZMQ, libzmq 4.3.5) encrypts every connection and, with the ZAP
 * allow-list (zapHandler.ts), admits only the cluster's members and the lab. What it does
 * NOT give us is who sent a given message: zeromq.js v6 exposes no message metadata (no
 * `User-Id` / `zmq_msg_gets`), and a bound PULL or ROUTER fair-queues every admitted
 * connection into one stream. So an admitted member could still write `from: 2` into a
 * frame it sends as node 3. The seal closes that gap:
 *
 *   - each pair (a, b) shares a 32-byte MAC key derived from X25519(a's secret, b's public)
 *     (= X25519(b's secret, a's public)): CURVE keys ARE X25519 keys, so no new secret has
 *     to be handed out, and only a and b can compute it;
 *   - a sealed frame ends with `senderId ++ HMAC-SHA256(key, senderId ++ frame)[0..16]`
 *     (codec.ts places it); the receiver recomputes it with the key of the CLAIMED sender
 *     and drops the frame when it differs, then drops any message whose `from` (or batch
 *     `node`, or control routing id) is not that sender.
 *
 * Reflection (sending a's frame back to a) fails because the receiver checks the sender
 * is not itself and every message's `to`; replay of a frame by a third member is impossible
 * because it cannot read the a-b connection (CURVE encrypts it).
 */
import { createHmac, createPrivateKey, createPublicKey, diffieHellman, timingSafeEqual, type KeyObject } from 'node:crypto';
import { curveKeyPair } from 'zeromq';
import { SEAL_MAC_BYTES, type FrameSeal, type FrameSealer } from '../contract/codec';

/** A CURVE key pair in Z85 text (40 characters each), as libzmq and zeromq.js take them. */
export interface CurveKeyPair {
  publicKey: string;
  secretKey: string;
}

/** A fresh key pair from libzmq's own generator. */
export function newCurveKeyPair(): CurveKeyPair {
  const { publicKey, secretKey } = curveKeyPair();
  return { publicKey, secretKey };
}

const Z85_ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#';
const Z85_VALUES = new Map([...Z85_ALPHABET].map((c, i) => [c, i]));

/** True for a 40-character Z85 key (32 bytes). */
export function isZ85Key(text: unknown): text is string {
  return typeof text === 'string' && text.length === 40 && [...text].every((c) => Z85_VALUES.has(c));
}

/** Z85 (ZeroMQ RFC 32) to bytes; throws on anything that is not a 40-character key. */
export function z85Decode(text: string): Buffer {
  if (!isZ85Key(text)) throw new TypeError('not a 40-character Z85 CURVE key');
  const out = Buffer.alloc(32);
  for (let i = 0; i < 8; i++) {
    let value = 0;
    for (let j = 0; j < 5; j++) value = value * 85 + Z85_VALUES.get(text[i * 5 + j])!;
    out.writeUInt32BE(value >>> 0, i * 4);
  }
  return out;
}

/** Bytes (a multiple of 4) to Z85. */
export function z85Encode(bytes: Uint8Array): string {
  if (bytes.byteLength % 4 !== 0) throw new TypeError('Z85 encodes multiples of 4 bytes');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let out = '';
  for (let i = 0; i < bytes.byteLength; i += 4) {
    let value = view.getUint32(i);
    const chunk: string[] = [];
    for (let j = 0; j < 5; j++) {
      chunk.unshift(Z85_ALPHABET[value % 85]);
      value = Math.floor(value / 85);
    }
    out += chunk.join('');
  }
  return out;
}

// DER wrappers of raw X25519 keys (RFC 8410), so node:crypto takes libzmq's keys as they are.
const PKCS8_X25519 = Buffer.from('302e020100300506032b656e04220420', 'hex');
const SPKI_X25519 = Buffer.from('302a300506032b656e032100', 'hex');

function privateKeyOf(secretZ85: string): KeyObject {
  return createPrivateKey({ key: Buffer.concat([PKCS8_X25519, z85Decode(secretZ85)]), format: 'der', type: 'pkcs8' });
}

function publicKeyOf(publicZ85: string): KeyObject {
  return createPublicKey({ key: Buffer.concat([SPKI_X25519, z85Decode(publicZ85)]), format: 'der', type: 'spki' });
}

const SEAL_CONTEXT = 'raftlab frame seal v1';

/**
 * The seal keys of one party (a node, or the lab): one MAC key per counterpart, derived on
 * first use and cached by the counterpart's public key.
 */
export class SealKeys {
  private readonly own: KeyObject;
  private readonly pairKeys = new Map<string, Buffer>();

  constructor(readonly keys: CurveKeyPair) {
    this.own = privateKeyOf(keys.secretKey);
  }

  /** The MAC key shared with the holder of `publicKey`. */
  pairKey(publicKey: string): Buffer {
    let key = this.pairKeys.get(publicKey);
    if (!key) {
      const shared = diffieHellman({ privateKey: this.own, publicKey: publicKeyOf(publicKey) });
      key = createHmac('sha256', shared).update(SEAL_CONTEXT).digest();
      this.pairKeys.set(publicKey, key);
    }
    return key;
  }

  /** A sealer for frames this party (`sender`) sends to the holder of `receiverKey`. */
  sealer(sender: number, receiverKey: string): FrameSealer {
    const key = this.pairKey(receiverKey);
    return { sender, mac: (signed) => macOf(key, sender, signed) };
  }

  /** True when `seal` was made by the holder of `senderKey` for this party. */
  verify(seal: FrameSeal, senderKey: string): boolean {
    const expected = macOf(this.pairKey(senderKey), seal.sender, seal.signed);
    return seal.mac.byteLength === expected.byteLength && timingSafeEqual(seal.mac, expected);
  }
}

function macOf(key: Buffer, sender: number, signed: Uint8Array): Uint8Array {
  const tag = Buffer.alloc(4);
  tag.writeUInt32BE(sender);
  return createHmac('sha256', key).update(tag).update(signed).digest().subarray(0, SEAL_MAC_BYTES);
}
