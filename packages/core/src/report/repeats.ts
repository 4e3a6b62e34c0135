/**
 * Storm compaction. Within a window the first occurrence of each distinct error (fingerprint) is
 * logged in full; its repeats are batched into one line per fingerprint per second that lists
 * every repeat's request id (about 40 bytes per error instead of a ~370-byte line each), so every
 * id stays findable. Context that differs from the batch's first repeat (another route, a trace
 * id, attributes such as a refused incoming id) is kept per id in `contexts`. Ids and contexts
 * wait as JSON bytes off the V8 heap (json-list.ts), so a storm's repeats do not survive scavenges.
 */
import type { Redactor } from '../redact/redactor.js';
import type { SnapNode } from '../redact/snapshot.js';
import { attributesRedaction, Recent } from './attribute-cache.js';
import type { RepeatItem } from './items.js';
import { JsonList } from './json-list.js';
import { contextFields } from './records.js';

/** Most ids in one compact line; a fuller batch is written at once. */
export const MAX_IDS_PER_LINE = 1000;

interface Batch {
  readonly fingerprint: string;
  readonly firstRequestId: string;
  readonly code: string;
  readonly status: number;
  readonly level: 'error' | 'warn';
  readonly shared: Record<string, unknown>;
  /** The first repeat's raw context, compared before anything is redacted or allocated. */
  readonly protocol: string | undefined;
  readonly method: string | undefined;
  readonly route: string | undefined;
  readonly ids: JsonList;
  readonly contexts: JsonList;
}

/**
 * Writes one compact line (`records` repeats): the fields of `line`, then `tail`, the
 * `"request_ids":[…]` (and `"contexts":[…]`) members already serialized.
 */
export type CompactWriter = (
  level: 'error' | 'warn',
  line: Record<string, unknown>,
  tail: string,
  message: string,
  records: number,
) => void;

/** How many connections' encoded attributes {@link RepeatBatcher} remembers, the newest replacing the oldest. */
const MEMBER_SLOTS = 16;

/** Batches repeats per fingerprint and writes them as compact lines. */
export class RepeatBatcher {
  readonly #batches = new Map<string, Batch>();
  /**
   * The encoded members of the connections whose repeats came lately: repeats of one error from
   * many connections alternate between them, and each change of connection encoded its member
   * again.
   */
  readonly #members = new Recent<Uint8Array>(MEMBER_SLOTS);
  readonly #redactor: Redactor;
  readonly #write: CompactWriter;
  readonly #maxBatches: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(redactor: Redactor, write: CompactWriter, maxBatches: number) {
    this.#redactor = redactor;
    this.#write = write;
    this.#maxBatches = maxBatches;
  }

  /** Adds a repeat of `fingerprint` (first logged in full as `item.first`). */
  add(item: RepeatItem, fingerprint: string): void {
    const ctx = item.ctx;
    const firstRequestId = item.first;
    let batch = this.#batches.get(fingerprint);
    if (batch === undefined) {
      if (this.#batches.size >= this.#maxBatches) this.flush();
      const { trace_id: _trace, attributes: _attributes, ...shared } = contextFields(ctx, this.#redactor);
      batch = {
        fingerprint,
        firstRequestId,
        code: item.code,
        status: item.status,
        level: item.server ? 'error' : 'warn',
        shared,
        protocol: ctx?.protocol,
        method: ctx?.method,
        route: ctx?.route,
        ids: new JsonList(),
        contexts: new JsonList(),
      };
      this.#batches.set(fingerprint, batch);
    }
    batch.ids.pushString(item.id);
    this.#pushContext(batch, item);
    if (batch.ids.count >= MAX_IDS_PER_LINE) this.#writeBatch(batch);
    else this.#arm();
  }

  /**
   * Records what of `item`'s context differs from its batch's first repeat: usually nothing; for a
   * ws connection's repeat only its attributes, written as bytes (`{ request_id, attributes }`
   * without building the object, the attributes serialized once per object); otherwise the
   * differing fields as an object.
   */
  #pushContext(batch: Batch, item: RepeatItem): void {
    const ctx = item.ctx;
    const sameRoute =
      ctx === undefined ||
      (ctx.protocol === batch.protocol && ctx.method === batch.method && ctx.route === batch.route);
    if (item.rejected === undefined && (ctx === undefined || (ctx.traceId === undefined && sameRoute))) {
      if (ctx?.attributes === undefined) return;
      const member = this.#attributesMember(ctx.attributes);
      if (member !== undefined) {
        batch.contexts.pushWithId(item.id, member, batch.ids);
        return;
      }
    }
    const fields = ctx === undefined ? {} : contextFields(ctx, this.#redactor);
    const own: Record<string, unknown> = { request_id: item.id };
    for (const key of Object.keys(fields)) if (batch.shared[key] !== fields[key]) own[key] = fields[key];
    if (item.rejected !== undefined) own.rejected_request_id = this.#redactor.redactString(item.rejected);
    batch.contexts.pushJson(JSON.stringify(own));
  }

  /**
   * `,"attributes":…` for `attributes` redacted, as UTF-8 bytes: those of a connection seen lately
   * ({@link #members}), or encoded now. Copied per repeat (writing the member's text a character
   * at a time cost about 2k instructions per repeat, callgrind). `undefined` when the redaction is
   * not JSON that `JSON.stringify` would keep as a member.
   */
  #attributesMember(attributes: SnapNode): Uint8Array | undefined {
    const redacted = attributesRedaction(attributes, this.#redactor);
    const known = this.#members.get(redacted, this.#redactor);
    if (known !== undefined) return known;
    const json = JSON.stringify(redacted) as string | undefined;
    if (json === undefined) return undefined;
    const member = Buffer.from(`,"attributes":${json}`, 'utf8');
    // Only a remembered redaction is frozen (attribute-cache.ts): it cannot change, so its bytes cannot either.
    if (typeof redacted === 'object' && redacted !== null && Object.isFrozen(redacted))
      this.#members.set(redacted, this.#redactor, member);
    return member;
  }

  #arm(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush();
    }, 1000);
    this.#timer.unref();
  }

  #writeBatch(batch: Batch): void {
    this.#batches.delete(batch.fingerprint);
    const repeats = batch.ids.count;
    if (repeats === 0) {
      batch.contexts.release();
      return;
    }
    const contexts = batch.contexts.count === 0 ? '' : `,"contexts":${batch.contexts.json()}`;
    const tail = `"request_ids":${batch.ids.json()}${contexts}`;
    batch.ids.release();
    batch.contexts.release();
    this.#write(
      batch.level,
      {
        code: batch.code,
        status: batch.status,
        fingerprint: batch.fingerprint,
        first_request_id: batch.firstRequestId,
        repeats,
        ...batch.shared,
      },
      tail,
      `fault ${batch.code} repeated ${repeats} times (first ${batch.firstRequestId})`,
      repeats,
    );
  }

  /** Repeats waiting in batches, not yet written in a compact line. */
  get held(): number {
    let n = 0;
    for (const batch of this.#batches.values()) n += batch.ids.count;
    return n;
  }

  /** Writes every pending batch now. */
  flush(): void {
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    for (const batch of [...this.#batches.values()]) this.#writeBatch(batch);
  }
}
