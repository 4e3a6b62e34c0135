/**
 * Thrown values carried past code that cannot read them safely. A framework's or a tracer's code
 * between the application and an adapter reads what was thrown (`statusCode`, `message`,
 * `String(value)`): a Proxy or a throwing getter makes that code throw or hang. An adapter hands
 * such a value over inside a plain `Error`, and takes it back out where it captures it, so the
 * answer and the record are those of the value itself.
 */

/** Carriers made here: what each one carries. */
const carried = new WeakMap<object, unknown>();

/** A plain `Error` carrying `value` past `past` (named in its message); {@link unwrapThrown} gives `value` back. */
export function carryThrown(value: unknown, past: string): Error {
  const carrier = new Error(`a thrown value carried past ${past}`);
  carried.set(carrier, value);
  return carrier;
}

/** The value a carrier carries, else `value` itself. */
export function unwrapThrown(value: unknown): unknown {
  return typeof value === 'object' && value !== null && carried.has(value) ? carried.get(value) : value;
}
