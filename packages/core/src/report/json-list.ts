/**
 * A list of JSON values kept as bytes outside the V8 heap, for what the repeat batcher holds for
 * up to a second: the ids of a storm's repeats and their differing contexts. Held as strings in
 * an array, every id survived one or two scavenges (about 90 KB per scavenge under a 404 storm,
 * measured, against 9 KB for stock Fastify), enough to make V8 double the young generation (8 MiB
 * more RSS); held here, a batch is one Buffer whose bytes the collector never copies. Buffers are
 * reused through a small pool, so a steady storm allocates none.
 */

import { isLastCanonical } from '../uuid.js';

/** Bytes a new list starts with: a full line of UUIDs (1000 × 39) fits without growing. */
const INITIAL_BYTES = 40 * 1024;
/** Free buffers kept for reuse. */
const POOL_SIZE = 8;
const pool: Buffer[] = [];
/** What precedes a context's UUID: the list's comma, the object's brace and its first key. */
const ID_PREFIX = Buffer.from(',{"request_id":"', 'latin1');

/** Per ASCII code: 1 for a lower-case hex digit, 2 for `-`, 0 for anything else. */
const UUID_CLASS = new Uint8Array(128);
for (const c of '0123456789abcdef') UUID_CLASS[c.charCodeAt(0)] = 1;
UUID_CLASS[45] = 2;
/** The class each of a canonical UUID's 36 characters has. */
const UUID_WANT = new Uint8Array(36).fill(1);
for (const i of [8, 13, 18, 23]) UUID_WANT[i] = 2;

/**
 * Copies `id` to `bytes` at `at` when it is a canonical lower-case UUID (whose JSON needs no
 * escaping): checked and copied in one pass, in JavaScript. `latin1Write` alone copies faster
 * (about 53 ns), but then needs a pass of its own for the check: the two took the same time (100
 * against 113 ns a UUID). False, with nothing counted as written, for anything else (a character
 * over 127 fails whatever its low bits are).
 */
function copyUuid(id: string, bytes: Buffer, at: number): boolean {
  if (id.length !== 36) return false;
  // Branch-free: a UUID's characters are random, and a branch per character on them mispredicted
  // about every third one (225 against 100 ns a UUID, measured).
  let bad = 0;
  for (let i = 0; i < 36; i += 1) {
    const c = id.charCodeAt(i);
    bad |= (c >>> 7) | ((UUID_CLASS[c & 127] as number) ^ (UUID_WANT[i] as number));
    bytes[at + i] = c;
  }
  return bad === 0;
}

/**
 * Writes `text` as UTF-8 into `bytes` at `at` (room for 3 bytes per UTF-16 unit checked by the
 * caller); returns where it ended. ASCII, the usual JSON of attributes, is copied here one unit at
 * a time: measuring and encoding it natively (`Buffer.byteLength`, then `write`) cost about 1k
 * instructions per repeat (callgrind).
 */
function writeText(text: string, bytes: Buffer, at: number): number {
  const n = text.length;
  for (let i = 0; i < n; i += 1) {
    const c = text.charCodeAt(i);
    if (c > 127) return at + i + bytes.write(text.slice(i), at + i, 'utf8');
    bytes[at + i] = c;
  }
  return at + n;
}

/** JSON values appended as text, read back as one JSON array. */
export class JsonList {
  #bytes: Buffer | undefined;
  #used = 0;
  /** The id the last {@link pushString} copied as a UUID, and where its 36 bytes are. */
  #lastUuid: string | undefined;
  #lastUuidAt = 0;
  /** Values held. */
  count = 0;

  /** Appends `id` as a JSON string (a UUID is copied as is; anything else is escaped). */
  pushString(id: string): void {
    const at = this.#reserve(39);
    const bytes = this.#bytes as Buffer;
    // The id made last needs no check: copied natively (about 0.9k instructions against 2.6k, callgrind).
    if (isLastCanonical(id) ? bytes.write(id, at + 2, 36, 'latin1') === 36 : copyUuid(id, bytes, at + 2)) {
      bytes[at] = 44; // ,
      bytes[at + 1] = 34; // "
      bytes[at + 38] = 34;
      this.count += 1;
      this.#lastUuid = id;
      this.#lastUuidAt = at + 2;
      return;
    }
    this.#used = at; // nothing of it counts
    this.#lastUuid = undefined;
    this.pushJson(JSON.stringify(id));
  }

  /**
   * Appends the object `{"request_id":<id>` + `members` + `}`, where `members` are JSON members
   * already serialized and encoded as UTF-8, each led by a comma: the
   * bytes `JSON.stringify` writes for that object. `from`: a list whose last
   * {@link pushString} was this same id; when it copied the id as a UUID, those bytes are copied
   * again instead of checking the id a second time (a repeat's id goes into both of its batch's
   * lists: checking and copying a UUID from its string costs about 2k instructions, copying 36
   * bytes about a third of that, callgrind).
   */
  pushWithId(id: string, members: Uint8Array, from?: JsonList): void {
    const at = this.#reserve(ID_PREFIX.length + 37 + members.length + 1);
    const bytes = this.#bytes as Buffer;
    const idAt = at + ID_PREFIX.length;
    const source = from !== undefined && from.#lastUuid === id ? from.#bytes : undefined;
    if (source !== undefined) {
      const sourceAt = (from as JsonList).#lastUuidAt;
      for (let i = 0; i < 36; i += 1) bytes[idAt + i] = source[sourceAt + i] as number;
    } else if (!copyUuid(id, bytes, idAt)) {
      this.#used = at; // nothing of it counts
      this.pushJson(`{"request_id":${JSON.stringify(id)}${Buffer.from(members).toString('utf8')}}`);
      return;
    }
    bytes.set(ID_PREFIX, at);
    bytes[idAt + 36] = 34; // "
    bytes.set(members, idAt + 37);
    bytes[idAt + 37 + members.length] = 125; // }
    this.count += 1;
  }

  /** Appends one value already serialized as JSON. */
  pushJson(json: string): void {
    // Room for the longest UTF-8 `json` can be; what is not used is given back.
    const at = this.#reserve(json.length * 3 + 1);
    const bytes = this.#bytes as Buffer;
    bytes[at] = 44;
    this.#used = writeText(json, bytes, at + 1);
    this.count += 1;
  }

  /** The values as one JSON array text. */
  json(): string {
    if (this.#bytes === undefined || this.#used === 0) return '[]';
    return `[${this.#bytes.toString('utf8', 1, this.#used)}]`;
  }

  /** Gives the bytes back to the pool; the list is empty afterwards. */
  release(): void {
    const bytes = this.#bytes;
    this.#bytes = undefined;
    this.#used = 0;
    this.count = 0;
    this.#lastUuid = undefined;
    if (bytes !== undefined && bytes.length === INITIAL_BYTES && pool.length < POOL_SIZE) pool.push(bytes);
  }

  /** Room for `length` more bytes; returns where they go. */
  #reserve(length: number): number {
    let bytes = this.#bytes;
    if (bytes === undefined) {
      bytes = pool.pop() ?? Buffer.allocUnsafeSlow(Math.max(INITIAL_BYTES, length));
      this.#bytes = bytes;
    } else if (this.#used + length > bytes.length) {
      const grown = Buffer.allocUnsafeSlow(Math.max(bytes.length * 2, this.#used + length));
      bytes.copy(grown, 0, 0, this.#used);
      if (bytes.length === INITIAL_BYTES && pool.length < POOL_SIZE) pool.push(bytes);
      bytes = grown;
      this.#bytes = bytes;
    }
    const at = this.#used;
    this.#used += length;
    return at;
  }
}
