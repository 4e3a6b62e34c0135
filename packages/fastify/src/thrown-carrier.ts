/**
 * A thrown value that Fastify's or Node's code cannot read safely (a Proxy, throwing getters),
 * carried past that code inside a plain `Error`, and taken back out where Faultline captures it
 * (`captureFor`), so the answer and the record are those of the value itself.
 */

/** Carriers made here: what each one carries. */
const carried = new WeakMap<object, unknown>();

/** A plain `Error` carrying `value`; {@link unwrapThrown} gives `value` back. */
export function carryThrown(value: unknown): Error {
  const carrier = new Error('a thrown value carried past Fastify');
  carried.set(carrier, value);
  return carrier;
}

/** The value a carrier carries, else `value` itself. */
export function unwrapThrown(value: unknown): unknown {
  return typeof value === 'object' && value !== null && carried.has(value) ? carried.get(value) : value;
}
