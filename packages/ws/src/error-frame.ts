/**
 * The error frame of a recoverable fault: the envelope (`{"error":{status, code, message,
 * request_id, …}}`), plus `retry_after` (whole seconds) when the fault says when to try again
 * (`RATE_LIMITED` from a limiter, an `UNAVAILABLE` with a delay): what an HTTP answer sends as
 * `Retry-After` and a gRPC status as `RetryInfo`. A WebSocket frame has no headers.
 */
import { type Fault, renderEnvelope } from '@faultline/core/adapter';

/** The envelope's two closing braces, after which nothing follows. */
const CLOSING = 2;

/** The text of `fault`'s error frame. */
export function errorFrame(fault: Fault): string {
  const body = renderEnvelope(fault);
  const seconds = fault.retryAfter;
  // Core bounds it to whole seconds from 1 to a day: a number JSON writes as it is.
  if (typeof seconds !== 'number' || !Number.isInteger(seconds)) return body;
  return `${body.slice(0, -CLOSING)},"retry_after":${seconds}}}`;
}
