/**
 * Whether code wrapping Express's `next` could not read a thrown value. OpenTelemetry's Express
 * instrumentation wraps the `next` of every layer and reads what it is given (`value instanceof
 * Error`, then `value.message`, or `String(value)`) before calling Express's own `next`: for a
 * Proxy, a throwing getter or an object without a usable `toString`, that wrapper throws, so a
 * rejection handed over from a promise went unhandled and the request never got an answer.
 * `asyncHandler` then hands the value over again inside core's carrier (`carryThrown`), and
 * `captureFor` takes it back out, so the answer and the record are those of the value itself.
 * Nothing is read ahead: a value that passes costs nothing.
 */

/**
 * True when reading `value` the way a tracer's wrapper does throws (`instanceof Error`, then
 * `message`, `name`, `stack` and `code`, or `String(value)`): only then was a throw from `next` the value's
 * doing. Called only after such a throw.
 */
export function unreadable(value: unknown): boolean {
  try {
    if (value instanceof Error) void [value.message, value.name, value.stack, (value as { code?: unknown }).code];
    else void String(value);
    return false;
  } catch {
    return true;
  }
}
