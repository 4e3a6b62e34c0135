/**
 * New random (version 4) UUIDs, one per fault. On Node 20 and 22, `crypto.randomUUID()` builds
 * its string from 20 concatenated pieces: about 585 bytes of V8 heap and 280 ns per id, measured,
 * on every error answer. This writes the 36 characters into one reused Buffer from a pool of
 * random bytes (filled by `crypto.randomFillSync`, as Node's own pool is) and slices one flat
 * string: 56 bytes and 170 ns. From Node 24 `randomUUID()` is faster still (70 ns, ~0 bytes,
 * measured) and is used as is.
 */
import { randomFillSync, randomUUID } from 'node:crypto';

/** Random bytes for 256 ids, refilled when used up. */
const POOL_BYTES = 16 * 256;
const HEX = Buffer.from('0123456789abcdef', 'latin1');

let pool: Buffer | undefined;
let used = POOL_BYTES;
let text: Buffer | undefined;

/** Writes `byte`'s two hex digits at `at` (inlined: one call per byte, no table of positions). */
function putHex(out: Buffer, at: number, byte: number): void {
  out[at] = HEX[byte >> 4] as number;
  out[at + 1] = HEX[byte & 15] as number;
}

/**
 * The 16 bytes written at their fixed places: a loop over a table of positions, with a branch for
 * the version and variant bytes, cost about 2.2k instructions an id against 1.4k (callgrind).
 */
function pooledUuid(): string {
  if (pool === undefined || text === undefined) {
    pool = Buffer.allocUnsafeSlow(POOL_BYTES);
    text = Buffer.allocUnsafeSlow(36);
    text[8] = 45;
    text[13] = 45;
    text[18] = 45;
    text[23] = 45;
  }
  if (used === POOL_BYTES) {
    randomFillSync(pool);
    used = 0;
  }
  const p = pool;
  const t = text;
  const u = used;
  putHex(t, 0, p[u] as number);
  putHex(t, 2, p[u + 1] as number);
  putHex(t, 4, p[u + 2] as number);
  putHex(t, 6, p[u + 3] as number);
  putHex(t, 9, p[u + 4] as number);
  putHex(t, 11, p[u + 5] as number);
  putHex(t, 14, ((p[u + 6] as number) & 0x0f) | 0x40); // version 4
  putHex(t, 16, p[u + 7] as number);
  putHex(t, 19, ((p[u + 8] as number) & 0x3f) | 0x80); // the RFC 9562 variant
  putHex(t, 21, p[u + 9] as number);
  for (let i = 10; i < 16; i += 1) putHex(t, 4 + 2 * i, p[u + i] as number);
  used = u + 16; // each random byte is used once
  return t.toString('latin1', 0, 36);
}

/**
 * The id made (or accepted) last: a canonical lower-case UUID. An answer's body and the reporter's
 * repeat batch each checked their id character by character before splicing or copying it (about
 * 1.3k and 1.8k instructions a fault more than a plain copy, callgrind); the id they get is almost
 * always the one made last, in the same turn, and a comparison with it settles the check.
 */
let lastCanonical: string | undefined;

/** True when `id` is the canonical UUID {@link newUuid} made, or {@link markCanonical} was given, last. */
export function isLastCanonical(id: string): boolean {
  return id === lastCanonical;
}

/** Remembers `id`, a canonical lower-case UUID the caller has checked, for {@link isLastCanonical}; returns it. */
export function markCanonical(id: string): string {
  lastCanonical = id;
  return id;
}

const nodeMajor = Number(process.versions.node.split('.')[0]);
const made: () => string = nodeMajor >= 24 ? randomUUID : pooledUuid;

/** A new random UUID (version 4), lower case. */
export function newUuid(): string {
  const id = made();
  lastCanonical = id;
  return id;
}
