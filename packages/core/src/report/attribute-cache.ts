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

/** Snapshots of unchanging attribute objects, by redactor. */
const snapshots = new WeakMap<Redactor, WeakMap<object, SnapNode>>();
/** Redactions of those snapshots, by redactor (the writer's, which may differ from the intake's). */
const redactions = new WeakMap<Redactor, WeakMap<object, Redacted>>();
/** Snapshots made from unchanging objects: only these are worth remembering a redaction of. */
const settled = new WeakSet<object>();

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
  let byObject = snapshots.get(redactor);
  const known = byObject?.get(attributes);
  if (known !== undefined) return known;
  const snap = redactor.snapshot(attributes);
  if (typeof snap === 'object' && snap !== null && unchanging(attributes)) {
    if (byObject === undefined) {
      byObject = new WeakMap();
      snapshots.set(redactor, byObject);
    }
    byObject.set(attributes, snap);
    settled.add(snap);
  }
  return snap;
}

/** `redactor.redactSnapshot(node)`, remembered for a snapshot {@link attributesSnapshot} remembered. */
export function attributesRedaction(node: SnapNode, redactor: Redactor): Redacted {
  if (typeof node !== 'object' || node === null || !settled.has(node)) return redactor.redactSnapshot(node);
  let byNode = redactions.get(redactor);
  const known = byNode?.get(node);
  if (known !== undefined) return known;
  // Frozen: one object goes into many records, and a logger passed in must not change it for the next.
  const redacted = redactor.redactSnapshot(node);
  if (typeof redacted === 'object' && redacted !== null) Object.freeze(redacted);
  if (byNode === undefined) {
    byNode = new WeakMap();
    redactions.set(redactor, byNode);
  }
  byNode.set(node, redacted);
  return redacted;
}
