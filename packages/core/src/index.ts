/**
 * `@faultline/core`: the entry for applications. Catalogs and `FaultError`, `capture` and
 * `recordFault` for a catch point of your own, the reporter and its drains, the redactor, the
 * taxonomy and the OpenTelemetry span attributes. Adapters import `@faultline/core/adapter`; the
 * gRPC status codec is `@faultline/core/grpc`.
 * @packageDocumentation
 */

export { type RenderOptions, renderEnvelope, renderProblem } from './answer/templates.js';
export { type CaptureContext, capture } from './capture.js';
export {
  type Catalog,
  CatalogDefinitionError,
  type CatalogEntryInput,
  type CatalogInput,
  type CatalogMethods,
  defineCatalog,
} from './catalog.js';
export type { Classification, Classifier } from './classify/index.js';
export { isUuid, newCorrelationId } from './correlation.js';
export type { Fault, PublicFaultView } from './fault.js';
export { type CodeDefinition, type CodeTranslation, FaultError, type FaultOptions } from './fault-error.js';
export type { FieldRule, FieldViolation } from './field-violation.js';
export { OptionsError } from './options-check.js';
export type { PublicParams, PublicParamType } from './public-params.js';
export {
  createRedactor,
  DEFAULT_DENY_KEYS,
  type Redacted,
  type RedactionOptions,
  type Redactor,
} from './redact/redactor.js';
export { type RotatingFileOptions, rotatingFile } from './report/destination.js';
export { type RecordFaultOptions, recordFault } from './report/record-fault.js';
export { createReporter, Reporter } from './report/reporter.js';
export type { LineKind, Sink, SinkCounts } from './report/sink.js';
export { type SyslogTlsOptions, syslogTls } from './report/syslog/syslog-tls.js';
export { type Protocol, SPAN_ATTRIBUTES } from './report/telemetry.js';
export type {
  OverflowPolicy,
  ReportContext,
  ReporterLogger,
  ReporterOptions,
  ReporterStats,
} from './report/types.js';
export {
  CATEGORIES,
  type Category,
  type CategorySpec,
  GrpcStatus,
  type GrpcStatusCode,
  isCategory,
  TAXONOMY,
} from './taxonomy.js';
