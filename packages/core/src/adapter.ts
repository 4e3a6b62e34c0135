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
  DEFAULT_ID_POLICY,
  isAcceptedId,
  peerTrusted,
  type RequestIdPolicy,
  requestIdPolicy,
} from './correlation.js';
export * from './index.js';
export { checkOptions, describeValue, type OptionRule, type OptionRules } from './options-check.js';
