/**
 * Record attributes that never change, made once per object instead of once per fault. A ws
 * connection's attributes (its connection id) are one frozen object, reported with every fault
 * on that connection; snapshotting and redacting them again for each fault cost about 1.2 KB and
 * a few microseconds per error frame (measured). Only a frozen object whose own properties are
 * all primitive data properties is remembered, per redactor: nothing about it can change, so the
 * snapshot and its redaction cannot either. Anything else is walked every time, as before.
 */
import type { Redacted, Redactor } from '../redact/redactor.js';
import type { SnapNode } from '../redact/snapshot.js';

/**
 * How many objects are remembered, the newest replacing the oldest. A ring of strong references,
 * not WeakMaps: under connection churn (a new connection every few faults) WeakMap and WeakSet
 * entries made more bytes survive scavenges than the walks they saved (1,280 against 1,070 KB per
 * scavenge in bench:ws-memory's mixed load, measured). 64 covers as many connections failing at
 * once as the benches run; an object not found is simply walked again.
 */
const SLOTS = 64;

/**
 * A ring of remembered results, keyed by an object and the redactor that made the result: the
 * newest of `slots` replaces the oldest (here, and for the repeat batcher's encoded attributes).
 */
export class Recent<V> {
  readonly #slots: number;
  readonly #keys: unknown[];
  readonly #redactors: (Redactor | undefined)[];
  readonly #values: (V | undefined)[];
  #next = 0;

  constructor(slots = SLOTS) {
    this.#slots = slots;
    this.#keys = new Array(slots);
    this.#redactors = new Array(slots);
    this.#values = new Array(slots);
  }

  /** The result remembered for `key` made by `redactor`, if any. */
  get(key: unknown, redactor: Redactor): V | undefined {
    for (let i = 0; i < this.#slots; i += 1) {
      if (this.#keys[i] === key && this.#redactors[i] === redactor) return this.#values[i];
    }
    return undefined;
  }

  /** True when `value` is one of the results held (whatever its key). */
  holds(value: V): boolean {
    return this.#values.includes(value);
  }

  /** Remembers `value` for `key` made by `redactor`, in place of the oldest. */
  set(key: object, redactor: Redactor, value: V): void {
    const slot = this.#next;
    this.#next = (slot + 1) % this.#slots;
    this.#keys[slot] = key;
    this.#redactors[slot] = redactor;
    this.#values[slot] = value;
  }
}

/** Snapshots of unchanging objects: only these can have a remembered redaction. */
const snapshots = new Recent<SnapNode>();
/** Redactions of remembered snapshots (by the writer's redactor, which may differ from the intake's). */
const redactions = new Recent<Redacted>();

/** True for a frozen object whose own properties are all primitive data properties. Never throws. */
function unchanging(value: object): boolean {
  try {
    if (!Object.isFrozen(value)) return false;
    const descriptors = Object.getOwnPropertyDescriptors(value);
    for (const key of Reflect.ownKeys(descriptors)) {
      const descriptor = descriptors[key as keyof typeof descriptors] as PropertyDescriptor;
      if (!('value' in descriptor)) return false;
      const type = typeof descriptor.value;
      if ((type === 'object' && descriptor.value !== null) || type === 'function') return false;
    }
    return true;
  } catch {
    return false;
  }
}

/** `redactor.snapshot(attributes)`, remembered when `attributes` can never change. */
export function attributesSnapshot(attributes: object, redactor: Redactor): SnapNode {
  const known = snapshots.get(attributes, redactor);
  if (known !== undefined) return known;
  const snap = redactor.snapshot(attributes);
  if (typeof snap === 'object' && snap !== null && unchanging(attributes)) {
    snapshots.set(attributes, redactor, snap);
  }
  return snap;
}

/** `redactor.redactSnapshot(node)`, remembered for a snapshot {@link attributesSnapshot} remembered. */
export function attributesRedaction(node: SnapNode, redactor: Redactor): Redacted {
  if (typeof node !== 'object' || node === null) return redactor.redactSnapshot(node);
  const known = redactions.get(node, redactor);
  if (known !== undefined) return known;
  const redacted = redactor.redactSnapshot(node);
  if (!snapshots.holds(node)) return redacted;
  // Frozen: one object goes into many records, and a logger passed in must not change it for the next.
  if (typeof redacted === 'object' && redacted !== null) Object.freeze(redacted);
  redactions.set(node, redactor, redacted);
  return redacted;
}
