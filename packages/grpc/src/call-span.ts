/**
 * The span active when a wrapped handler started: the server span a gRPC instrumentation made
 * for the call. A throw from the application's own 'data' listener reaches the guard from grpc-js's
 * stream machinery, outside that span's context: the fault goes on the remembered span instead.
 */
import { activeSpan } from '@faultline/core/adapter';

type Span = NonNullable<ReturnType<typeof activeSpan>>;

const spans = new WeakMap<object, Span>();

/** Remembers the active span, if any, for `call`. */
export function rememberCallSpan(call: object): void {
  const span = activeSpan();
  if (span !== undefined) spans.set(call, span);
}

/** The span remembered for `call`, if any. */
export function callSpanOf(call: object | undefined): Span | undefined {
  return call === undefined ? undefined : spans.get(call);
}
