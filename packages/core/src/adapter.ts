/**
 * `@faultline/core/adapter`: the entry for adapter authors. Everything an application uses, plus
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
export {
  checkFormatOptions,
  FORMAT_RULES,
  jsonApiRefusal,
  jsonApiResponder,
  type MediaTypeHeaders,
} from './answer/format-options.js';
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
export { formatFor } from './answer/responder.js';
export {
  DEFAULT_ID_POLICY,
  isAcceptedId,
  peerTrusted,
  type RequestIdPolicy,
  requestIdPolicy,
} from './correlation.js';
export * from './index.js';
export { checkOptions, describeValue, type OptionRule, type OptionRules } from './options-check.js';
