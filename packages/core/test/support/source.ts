/**
 * Core's tests read the source modules, internals included, through this one list (the package
 * entries `@faultline/core` and `@faultline/core/adapter` carry only the public names).
 */

export { clientErrorCategory, clientErrorFault, isConnectionReset } from '../../src/answer/client-error.js';
export { type HttpAnswer, httpAnswer } from '../../src/answer/http-answer.js';
export {
  type BodyFormat,
  CONNECTION_HEADERS,
  CONTENT_TYPES,
  type HeaderOptions,
  problemHeaders,
  type RawHttpSocket,
  STALE_REPLY_HEADERS,
  writeRawHttpFault,
} from '../../src/answer/http-headers.js';
export { pickLocale } from '../../src/answer/locale.js';
export {
  type HttpFaultOptions,
  localeFor,
  type ResponderOptions,
  renderBody,
  resolveResponder,
  shownFault,
} from '../../src/answer/responder.js';
export {
  FALLBACK_PROBLEM_BODY,
  isShowableTraceId,
  type RenderOptions,
  renderEnvelope,
  renderProblem,
} from '../../src/answer/templates.js';
export { type CaptureContext, capture, faultOf, lastResortFault } from '../../src/capture.js';
export {
  type Catalog,
  CatalogDefinitionError,
  type CatalogEntryInput,
  type CatalogInput,
  type CatalogMethods,
  defineCatalog,
  lookupCode,
} from '../../src/catalog.js';
export { GRPC_DETAILS_KEY } from '../../src/classify/grpc-code.js';
export {
  BUILTIN_CLASSIFIERS,
  type Classification,
  type Classifier,
  categoryOfClientStatus,
  categoryOfUpstreamStatus,
  classifySqlState,
  fieldViolationsFromAjv,
  genericDetail,
} from '../../src/classify/index.js';
export {
  escapeForLog,
  isUuid,
  newCorrelationId,
  type RequestIdOptions,
  type ResolvedCorrelationId,
  resolveCorrelationId,
  UUID_PATTERN,
} from '../../src/correlation.js';
export {
  buildFault,
  type Fault,
  type FaultInternal,
  type FaultParts,
  type PublicFaultView,
  publicView,
} from '../../src/fault.js';
export {
  builtinDefinition,
  type CodeDefinition,
  type CodeTranslation,
  FaultError,
  type FaultOptions,
  MAX_RETRY_AFTER_SECONDS,
  normalizeRetryAfter,
} from '../../src/fault-error.js';
export {
  type FieldRule,
  type FieldViolation,
  GENERIC_FIELD_DETAILS,
  MAX_FIELD_VIOLATIONS,
  normalizeFieldViolations,
  pointerFromSegments,
  sanitizePointer,
} from '../../src/field-violation.js';
export { classifyReceivedStatus, grpcStatusClassifier, type ReceivedStatus } from '../../src/grpc/received-status.js';
export { type DecodedStatusDetails, decodeStatusDetails } from '../../src/grpc/status-details.js';
export { encodeStatusDetails, fieldPathOf, MAX_DETAILS_BYTES } from '../../src/grpc/status-encode.js';
export { OptionsError } from '../../src/options-check.js';
export {
  interpolate,
  NO_PARAMS,
  type PublicParams,
  type PublicParamType,
  validateParams,
} from '../../src/public-params.js';
export { escapeLogText } from '../../src/redact/log-text.js';
export { SECRET_PATTERNS, type ValuePattern } from '../../src/redact/patterns.js';
export { CARD_PATTERN, EMAIL_PATTERN, IP_PATTERNS, luhnValid } from '../../src/redact/personal-patterns.js';
export {
  createRedactor,
  DEFAULT_DENY_KEYS,
  type Redacted,
  type RedactionOptions,
  type Redactor,
} from '../../src/redact/redactor.js';
export { type RotatingFileOptions, rotatingFile } from '../../src/report/destination.js';
export { DropNotice } from '../../src/report/drop-notice.js';
export { errorSignature, topFrames } from '../../src/report/fingerprint.js';
export { type RecordFaultOptions, recordFault, SPAN_ONLY } from '../../src/report/record-fault.js';
export { createReporter, Reporter } from '../../src/report/reporter.js';
export { RingQueue } from '../../src/report/ring-queue.js';
export { isSink, type LineKind, type Sink, type SinkCounts } from '../../src/report/sink.js';
export { type SyslogTlsOptions, syslogTls } from '../../src/report/syslog/syslog-tls.js';
export {
  activeTraceId,
  annotateSpan,
  captureContext,
  type ExceptionRecord,
  emitExceptionLog,
  isServerSpanError,
  type Protocol,
  SPAN_ATTRIBUTES,
} from '../../src/report/telemetry.js';
export type {
  OverflowPolicy,
  ReportContext,
  ReporterLogger,
  ReporterOptions,
  ReporterStats,
} from '../../src/report/types.js';
export { isObjectLike, safeGet, safeGetString, typeLabel } from '../../src/safe-access.js';
export {
  CATEGORIES,
  type Category,
  type CategorySpec,
  categoryOfBuiltinCode,
  GrpcStatus,
  type GrpcStatusCode,
  isCategory,
  TAXONOMY,
} from '../../src/taxonomy.js';
export { violationsOwnedByInput } from '../../src/validation-ownership.js';
