/**
 * Answers cut short. An answer whose head arrived but whose body did not end when the exchange did
 * (fewer bytes than its Content-Length, a chunked body without its last chunk, or a body read until
 * close from a connection that never closed) is an error no client ever finishes reading. What
 * arrived is still checked for leaks, but the exchange is not counted as answered: a target that
 * sends a clean head and then stalls every body must not get a clean verdict.
 */
import type { Outcome } from '../budget.js';

/** How an exchange ended: its answer's end, its limit of time, the run's signal, or a socket error. */
export type Ended = 'end' | 'timeout' | 'aborted' | { readonly error: string };

/**
 * The outcome of an exchange whose body did not end, or undefined when the answer counts as whole.
 * `framed`: the answer said where its body ends (Content-Length or chunked); an unframed body ends
 * when the connection does, so only a timeout or an abort cuts it short.
 */
export function cutShort(ended: Ended, framed: boolean): Outcome | undefined {
  if (ended === 'timeout') return 'timeout';
  if (ended === 'aborted') return 'aborted';
  // The connection ended (or failed) mid-body: a client cannot read that answer.
  return framed ? 'unparseable' : undefined;
}
