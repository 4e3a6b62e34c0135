/**
 * What Faultline's own destinations carry besides being sinks: how to open the same destination
 * again on another thread, as plain data (a worker thread opens its own from it). A sink a user
 * writes has none, and so stays on the thread that made it.
 */
import type { RotatingFileOptions } from './destination.js';
import type { Sink } from './sink.js';
import type { SyslogTlsOptions } from './syslog/tls-options.js';

/** How to open one of Faultline's own destinations (plain data, structured-clone-safe). */
export type SinkSpec =
  | { readonly kind: 'fd'; readonly target: string | number; readonly fallback: string | number | undefined }
  | { readonly kind: 'rotating-file'; readonly options: RotatingFileOptions }
  | { readonly kind: 'syslog-tls'; readonly options: SyslogTlsOptions };

const SPEC = Symbol('faultline.sinkSpec');

/** The description a Faultline sink carries, `undefined` for any other sink. */
export function sinkSpec(sink: Sink): SinkSpec | undefined {
  return (sink as { [SPEC]?: SinkSpec })[SPEC];
}

/** Attaches `spec` to `sink` (not enumerable). */
export function withSpec<S extends Sink>(sink: S, spec: SinkSpec): S {
  Object.defineProperty(sink, SPEC, { value: spec });
  return sink;
}
