/**
 * A refused `write(chunk, encoding?, callback?)` on a call: its callback, when it has one (in
 * either place Node's writable streams take it), gets `error` on the next tick, as Node's own
 * failed writes do; the write returns false.
 */

/** Calls back the write with `error` (see the module's description); returns false for the write to return. */
export function refuseWrite(encoding: unknown, callback: unknown, error: unknown): false {
  const done = typeof encoding === 'function' ? encoding : callback;
  if (typeof done === 'function') process.nextTick(done as (error: unknown) => void, error);
  return false;
}
