/**
 * The gRPC adapter's options: what they are, how they are checked, and what they resolve to (the
 * reporter, the id policy, the classifiers), once per options object.
 */
import {
  adapterReporter,
  type Classifier,
  COMMON_RULES,
  checkOptions,
  lazyGrpcStatusClassifier,
  type OptionRules,
  type Reporter,
  type RequestIdOptions,
  type RequestIdPolicy,
  requestIdPolicy,
} from '@faultline/core/adapter';
import type { RequestGuardOptions } from './request-guard.js';

/** Options shared by the wrapper and the interceptor. */
export interface GrpcFaultOptions extends RequestGuardOptions, RequestIdOptions {
  /**
   * Where fault records go. Default: Faultline's default reporter, NDJSON on stdout; `false`
   * records nothing (said once on stderr; spans are still annotated).
   */
  readonly reporter?: Reporter | false | undefined;
  /** ErrorInfo.domain of every status (default `faultline`). */
  readonly domain?: string;
  /**
   * Extra classifiers for the application's own error families, tried before the built-in ones.
   * A received status's rich details are always read after them (the protobuf reader is loaded
   * the first time a thrown error carries `grpc-status-details-bin`).
   */
  readonly classifiers?: readonly Classifier[];
}

/** Options the adapter checks when they are given. */
const GRPC_RULES: OptionRules = {
  ...COMMON_RULES,
  domain: {
    kind: 'string',
    pattern: /^[A-Za-z0-9._-]{1,128}$/,
    expected: 'a domain name such as "orders.example.com"',
  },
  maxReceiveMessageLength: { kind: 'integer', min: 1, max: 2 ** 31 - 1 },
};

/** What a call's fault needs, resolved once per options object. */
export interface ResolvedOptions {
  readonly reporter: Reporter | undefined;
  readonly policy: RequestIdPolicy;
  readonly classifiers: readonly Classifier[];
}

const resolvedOptions = new WeakMap<GrpcFaultOptions, ResolvedOptions>();

/**
 * Checks `options` (throws an `OptionsError` naming a bad one) and resolves the reporter (the
 * default one when none is given) and the id policy, once per options object. Every entry point
 * (wrapService, addFaultlineService, createServerInterceptor, answerUnknownMethods) calls it, so a
 * bad option fails at start-up.
 */
export function resolveGrpcOptions(options: GrpcFaultOptions): ResolvedOptions {
  let resolved = resolvedOptions.get(options);
  if (resolved === undefined) {
    checkOptions('@faultline/grpc', options, GRPC_RULES);
    const reporter = adapterReporter('@faultline/grpc', options.reporter);
    resolved = {
      reporter,
      policy: requestIdPolicy(options, '@faultline/grpc'),
      // A downstream's rich status keeps its stable code in a gRPC service, as it always did; its
      // reader (protobuf) is loaded only when a thrown error carries one (see callFault).
      classifiers: [...(options.classifiers ?? []), lazyGrpcStatusClassifier],
    };
    resolvedOptions.set(options, resolved);
  }
  return resolved;
}
