/**
 * The fault of a failed call: captured with the call's incoming id and its request (validation
 * ownership), reported (span, and the log when there is a reporter), shared by the wrapper, the
 * unary run and the interceptor.
 */
import { type Classifier, capture, type Fault, type Reporter, recordFault, SPAN_ONLY, safeGet } from '@faultline/core';
import type { Metadata } from '@grpc/grpc-js';
import { isDecodeFailure, type RequestGuardOptions } from './request-guard.js';
import { REQUEST_ID_KEY } from './trailers.js';

/** Options shared by the wrapper and the interceptor. */
export interface GrpcFaultOptions extends RequestGuardOptions {
  /** Where fault records go (none when omitted). */
  readonly reporter?: Reporter | undefined;
  /** ErrorInfo.domain of every status (default `faultline`). */
  readonly domain?: string;
  /** Extra classifiers for the application's own error families. */
  readonly classifiers?: readonly Classifier[];
}

/** The first `x-request-id` value of incoming metadata, if any (validated by `capture`). */
export function incomingRequestId(metadata: Metadata | undefined): unknown {
  try {
    const values = metadata?.get(REQUEST_ID_KEY) ?? [];
    return values.length === 1 ? values[0] : values.length > 1 ? values : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Captures `thrown` for a call and reports it; returns the fault. `input` is the decoded request
 * (validation ownership: a schema error about anything else is internal). Never throws.
 */
export function faultForCall(
  thrown: unknown,
  metadata: Metadata | undefined,
  path: string,
  options: GrpcFaultOptions,
  input: readonly unknown[] = [],
): Fault {
  const fault = capture(thrown, {
    requestId: incomingRequestId(metadata),
    source: 'grpc',
    classifiers: options.classifiers,
    input,
  });
  // Without a reporter only the span is annotated: no record fields to gather.
  recordFault(
    fault,
    options.reporter === undefined ? SPAN_ONLY.grpc : { protocol: 'grpc', reporter: options.reporter, method: path },
  );
  return fault;
}

/** The decoded request message (unary, server streaming) or the last one received (validation ownership). */
export function requestOf(call: object, lastMessage?: () => unknown): readonly unknown[] {
  const request = safeGet(call, 'request') ?? lastMessage?.();
  return request === undefined || isDecodeFailure(request) ? [] : [request];
}

/** True when `call[key]` is `true` (stream state flags), read safely. */
export function flag(call: object, key: string): boolean {
  return safeGet(call, key) === true;
}
