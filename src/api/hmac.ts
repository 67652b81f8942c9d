import * as crypto from 'node:crypto';

type OneShotHash = (algorithm: string, data: string | Buffer, outputEncoding: 'hex' | 'latin1') => string;

/** node's one-shot `crypto.hash` (Node 20.12 and later); undefined on older Nodes. */
const oneShot = (crypto as unknown as { hash?: OneShotHash }).hash;

/** SHA-256 of bytes, or of a string's UTF-8, in hex. */
export const sha256Hex: (data: string | Buffer) => string = oneShot
  ? (data) => oneShot('sha256', data, 'hex')
  : (data) => crypto.createHash('sha256').update(data).digest('hex');

const BLOCK = 64; // SHA-256's block size in bytes
const DIGEST = 32;

/**
 * HMAC-SHA256 (RFC 2104) under one fixed key, for a key that signs many messages: the key's
 * inner and outer pads are computed once, and each message costs two one-shot SHA-256 calls
 * into buffers kept for the purpose. node's `createHmac` builds a native object per message,
 * which costs several times as much. Where `crypto.hash` is missing, it is `createHmac`.
 * Not reentrant across threads (none share it); every call finishes before the next starts.
 */
export class HmacSha256 {
  private inner: Buffer;
  private readonly outer: Buffer;
  private readonly innerPad: Buffer;

  constructor(private readonly key: Buffer) {
    const k = key.length > BLOCK ? crypto.createHash('sha256').update(key).digest() : key;
    this.innerPad = Buffer.alloc(BLOCK, 0x36);
    this.outer = Buffer.alloc(BLOCK + DIGEST);
    this.outer.fill(0x5c, 0, BLOCK);
    for (let i = 0; i < k.length; i++) {
      this.innerPad[i] ^= k[i];
      this.outer[i] ^= k[i];
    }
    this.inner = Buffer.alloc(BLOCK + 256);
    this.innerPad.copy(this.inner);
  }

  /** The MAC of `message` (UTF-8), in lowercase hex. */
  hex(message: string): string {
    if (!oneShot) return crypto.createHmac('sha256', this.key).update(message, 'utf8').digest('hex');
    const length = Buffer.byteLength(message, 'utf8');
    if (BLOCK + length > this.inner.length) {
      this.inner = Buffer.alloc(BLOCK + length * 2);
      this.innerPad.copy(this.inner);
    }
    this.inner.write(message, BLOCK, 'utf8');
    // Digests travel as latin1 strings (one character per byte): no Buffer per call.
    this.outer.write(oneShot('sha256', this.inner.subarray(0, BLOCK + length), 'latin1'), BLOCK, 'latin1');
    return oneShot('sha256', this.outer, 'hex');
  }
}

/** Whether two strings are equal, in time that depends only on their lengths. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
