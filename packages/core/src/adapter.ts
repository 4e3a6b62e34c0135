/**
 * `@faultline/core/adapter`: the entry for adapter authors (the Fastify, Express, gRPC and ws
 * adapters, the gateway generator, the OpenAPI generator). Everything an application uses, plus
 * the pieces an adapter needs to answer and record faults the way every Faultline adapter does.
 * @packageDocumentation
 */

export {
  adapterReporter,
  COMMON_RULES,
  defaultReporter,
  HTTP_RULES,
  ID_RULES,
  REPORTER_RULE,
  warnOnce,
} from './adapter-defaults.js';
export { answerClientError, answerOnRawSocket } from './answer/client-error.js';
export { ignoreUnknownExpectations } from './answer/expectation.js';
export {
  checkFormatOptions,
  FORMAT_RULES,
  jsonApiRefusal,
  jsonApiResponder,
  type MediaTypeHeaders,
} from './answer/format-options.js';
export { type HttpAnswer, httpAnswer } from './answer/http-answer.js';
export {
  answerHeaders,
  type BodyFormat,
  CONNECTION_HEADERS,
  CONTENT_TYPES,
  type HeaderOptions,
  problemHeaders,
  type RawHttpSocket,
  STALE_REPLY_HEADERS,
  writeRawHttpFault,
} from './answer/http-headers.js';
export { jsonApiSource, renderJsonApi } from './answer/jsonapi.js';
export {
  acceptRanges,
  JSON_API_MEDIA_TYPE,
  jsonApiAcceptRefused,
  jsonApiContentTypeRefused,
  MAX_ACCEPT_ENTRIES,
  MAX_MEDIA_HEADER_LENGTH,
  type MediaRange,
} from './answer/media-type.js';
export {
  type AnswerFormat,
  BODY_FORMATS,
  FORMAT_MEDIA_TYPES,
  negotiateFormat,
} from './answer/negotiate.js';
export {
  formatFor,
  type HttpFaultOptions,
  type ResponderOptions,
  renderBody,
  resolveResponder,
} from './answer/responder.js';
export { FALLBACK_PROBLEM_BODY } from './answer/templates.js';
export { faultOf } from './capture.js';
export { captureForClient } from './capture-for-client.js';
export {
  clientGone,
  type RequestConnection,
  serverCancelled,
} from './classify/cancellation.js';
export { GRPC_DETAILS_KEY } from './classify/grpc-code.js';
export { fieldViolationsFromAjv } from './classify/index.js';
export {
  DEFAULT_ID_POLICY,
  isAcceptedId,
  peerTrusted,
  type RequestIdOptions,
  type RequestIdPolicy,
  type ResolvedCorrelationId,
  requestIdPolicy,
  resolveCorrelationId,
} from './correlation.js';
export {
  classifyReceived,
  lazyGrpcStatusClassifier,
  loadedRichStatus,
  loadRichStatus,
  needsRichStatus,
  type RichStatusReader,
  richStatusMisses,
} from './grpc/lazy-status.js';
export { encodeStatusDetails, fieldPathOf, MAX_DETAILS_BYTES } from './grpc/status-encode.js';
export * from './index.js';
export { makeDirectory } from './make-dir.js';
export { checkOptions, describeValue, type OptionRule, type OptionRules } from './options-check.js';
export { loadTelemetry } from './report/otel-api.js';
export { SPAN_ONLY } from './report/record-fault.js';
export { rememberActiveSpan, rememberedSpan } from './report/telemetry.js';
export { chainDescriptor, isObjectLike, isThenable, safeGet, safeGetString } from './safe-access.js';
export { carryThrown, unwrapThrown } from './thrown-carrier.js';
export { defuseThrownPromise } from './thrown-promise.js';
