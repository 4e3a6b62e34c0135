/** The shape of one adversarial corpus case and the value builders, shared by every family file. */

/** A taxonomy category name (kept as a string: testkit does not depend on core). */
export type ExpectedCategory = string;

/** One realistic thrown value, what the client must see, and what it must never see. */
export interface CorpusCase {
  /** Unique, readable name (`pg 23505 unique violation`). */
  readonly name: string;
  /** The library or family it stands for (`pg`, `hostile`, …). */
  readonly family: string;
  /** Builds a fresh value on every call (an adapter may mutate or consume it). */
  readonly make: () => unknown;
  /** The category every adapter must answer with. */
  readonly category: ExpectedCategory;
  /**
   * The category an adapter answers with when the value is thrown while its client is still
   * there (an HTTP request still connected, a gRPC call not cancelled, an open WebSocket, an
   * upgrade request still connected), where it differs: a cancellation the client did not make
   * (an `AbortError` of the server's own) is `internal` there. The name predates the gRPC and
   * WebSocket adapters applying the rule.
   */
  readonly liveHttpCategory?: ExpectedCategory;
  /** Substrings that must never appear anywhere a client can see. */
  readonly forbidden: readonly string[];
  /** The request document the client sends (validation ownership), when it matters. */
  readonly input?: unknown;
}

/** A secret every case carries somewhere in its text, so one check finds any leak of it. */
export const SECRET = 'hunter2-Zq9';

/** An Error of `name` with `message` and extra own fields, as libraries build them. */
export function errorLike(name: string, message: string, fields: Record<string, unknown> = {}): Error {
  const error = new Error(message);
  Object.defineProperty(error, 'name', { value: name, enumerable: false, configurable: true, writable: true });
  return Object.assign(error, fields);
}

/** An instance of a class named `className` (constructor name matters to type labels), like a library's own. */
export function classInstance(className: string, message: string, fields: Record<string, unknown> = {}): Error {
  const named = { [className]: class extends Error {} }[className] as new (m: string) => Error;
  const error = new named(message);
  Object.defineProperty(error, 'name', { value: className, enumerable: false, configurable: true, writable: true });
  return Object.assign(error, fields);
}

/** Runs `fn` and returns what it throws (the library's own error object). */
export function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}
