/**
 * `@faultline/core`: the entry for applications. Adapters import `@faultline/core/adapter`.
 * @packageDocumentation
 */

export { clientErrorCategory, clientErrorFault, isConnectionReset } from './answer/client-error.js';
export { type HttpAnswer, httpAnswer } from './answer/http-answer.js';
export {
  type BodyFormat,
  CONNECTION_HEADERS,
  CONTENT_TYPES,
  type HeaderOptions,
  problemHeaders,
  type RawHttpSocket,
  STALE_REPLY_HEADERS,
  writeRawHttpFault,
} from './answer/http-headers.js';
export { pickLocale } from './answer/locale.js';
export {
  type HttpFaultOptions,
  localeFor,
  type ResponderOptions,
  renderBody,
  resolveResponder,
  shownFault,
} from './answer/responder.js';
export {
  FALLBACK_PROBLEM_BODY,
  isShowableTraceId,
  type RenderOptions,
  renderEnvelope,
  renderProblem,
} from './answer/templates.js';
export { type CaptureContext, capture, faultOf, lastResortFault } from './capture.js';
export {
  type Catalog,
  CatalogDefinitionError,
  type CatalogEntryInput,
  type CatalogInput,
  type CatalogMethods,
  defineCatalog,
  lookupCode,
} from './catalog.js';
export {
  classifyReceivedStatus,
  GRPC_DETAILS_KEY,
  grpcStatusClassifier,
  type ReceivedStatus,
} from './classify/grpc-status.js';
export {
  BUILTIN_CLASSIFIERS,
  type Classification,
  type Classifier,
  categoryOfClientStatus,
  categoryOfUpstreamStatus,
  classifySqlState,
  fieldViolationsFromAjv,
  genericDetail,
} from './classify/index.js';
export {
  escapeForLog,
  isUuid,
  newCorrelationId,
  type RequestIdOptions,
  type ResolvedCorrelationId,
  resolveCorrelationId,
  UUID_PATTERN,
} from './correlation.js';
export {
  buildFault,
  type Fault,
  type FaultInternal,
  type FaultParts,
  type PublicFaultView,
  publicView,
} from './fault.js';
export {
  builtinDefinition,
  type CodeDefinition,
  type CodeTranslation,
  FaultError,
  type FaultOptions,
  MAX_RETRY_AFTER_SECONDS,
  normalizeRetryAfter,
} from './fault-error.js';
export {
  type FieldRule,
  type FieldViolation,
  GENERIC_FIELD_DETAILS,
  MAX_FIELD_VIOLATIONS,
  normalizeFieldViolations,
  pointerFromSegments,
  sanitizePointer,
} from './field-violation.js';
export {
  type DecodedStatusDetails,
  decodeStatusDetails,
  encodeStatusDetails,
  fieldPathOf,
  MAX_DETAILS_BYTES,
} from './grpc/status-details.js';
export { OptionsError } from './options-check.js';
export {
  interpolate,
  NO_PARAMS,
  type PublicParams,
  type PublicParamType,
  validateParams,
} from './public-params.js';
export {
  CARD_PATTERN,
  EMAIL_PATTERN,
  IP_PATTERNS,
  luhnValid,
  SECRET_PATTERNS,
  type ValuePattern,
} from './redact/patterns.js';
export {
  createRedactor,
  DEFAULT_DENY_KEYS,
  escapeLogText,
  type Redacted,
  type RedactionOptions,
  type Redactor,
} from './redact/redactor.js';
export { type RotatingFileOptions, rotatingFile } from './report/destination.js';
export { errorSignature, fingerprint, topFrames } from './report/fingerprint.js';
export { type RecordFaultOptions, recordFault, SPAN_ONLY } from './report/record-fault.js';
export { createReporter, Reporter } from './report/reporter.js';
export { RingQueue } from './report/ring-queue.js';
export { isSink, type LineKind, type Sink, type SinkCounts } from './report/sink.js';
export { type SyslogTlsOptions, syslogTls } from './report/syslog/tls-sink.js';
export {
  activeTraceId,
  annotateSpan,
  captureContext,
  type ExceptionRecord,
  emitExceptionLog,
  isServerSpanError,
  type Protocol,
  SPAN_ATTRIBUTES,
} from './report/telemetry.js';
export type {
  OverflowPolicy,
  ReportContext,
  ReporterLogger,
  ReporterOptions,
  ReporterStats,
} from './report/types.js';
export { isObjectLike, safeGet, safeGetString, typeLabel } from './safe-access.js';
export {
  CATEGORIES,
  type Category,
  type CategorySpec,
  categoryOfBuiltinCode,
  GrpcStatus,
  type GrpcStatusCode,
  isCategory,
  TAXONOMY,
} from './taxonomy.js';
export { violationsOwnedByInput } from './validation-ownership.js';
