/**
 * One exchange with a target, as both HTTP clients (raw HTTP/1.1 and HTTP/2) take and give it:
 * the request, where it goes, what came back, and the bounds of an answer.
 */
import type { Answer } from '../answer.js';
import type { Outcome } from '../budget.js';

/** A request as bytes on the wire. */
export interface RawRequest {
  readonly method: string;
  /** Request target as written (may be invalid on purpose). */
  readonly path: string | Buffer;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** HTTP/1.1 client only: send it as HTTP/1.0, without a Host field (an old client's or a script's request). */
  readonly http10?: boolean;
}

/** Where to send it. */
export interface Endpoint {
  readonly host: string;
  readonly port: number;
  readonly tls: boolean;
}

/** What came back: the answer, or how the exchange ended without one. */
export interface Exchange {
  readonly answer: Answer | undefined;
  readonly outcome: Outcome;
  /** Connection error code (ECONNREFUSED, ECONNRESET…) or why the answer was unparseable. */
  readonly error?: string;
  /** Bytes of the answer's body that were read but not checked (a middle left when the run's deadline passed). */
  readonly unscanned?: number;
}

/**
 * Bounds of one answer: its head (bytes and fields); the body's first `bodyBytes` and last
 * `tailBytes` are kept and checked, the bytes between them are checked as they pass (see
 * `MiddleScan`) and kept only where they hold a leak; a body is read and checked up to `readBytes`
 * (on the wire, and once decoded), past which it is unparseable.
 */
export const LIMITS = {
  headBytes: 65_536,
  headers: 100,
  bodyBytes: 262_144,
  tailBytes: 65_536,
  readBytes: 4_194_304,
} as const;

/** Limits and cancellation of one exchange. */
export interface ExchangeOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
  /**
   * HTTP/1.1: send the request a second time on the same (keep-alive) connection once the first
   * answer is whole; the second answer is the exchange's (the first, when the connection ends before).
   */
  readonly twice?: boolean;
}
