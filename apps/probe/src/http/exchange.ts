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
}

/** Bounds of one answer. */
export const LIMITS = { headBytes: 65_536, headers: 100, bodyBytes: 262_144 } as const;

/** Limits and cancellation of one exchange. */
export interface ExchangeOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal;
}
