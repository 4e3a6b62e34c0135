/**
 * `@faultline/probe`: the leak probe as a library (the CLI is `faultline-probe`).
 * @packageDocumentation
 */
export { type Answer, checkAnswer, type ProbeContext, visibleText } from './answer.js';
export { applyBaseline, loadBaseline } from './baseline.js';
export { Budget, type Outcome, type Unanswered } from './budget.js';
export type { Discovery } from './context.js';
export { atLeast, dedupe, type Finding, findingKey, leakKey, SEVERITIES, type Severity } from './findings.js';
export { COMMON_PATHS, OPENAPI_LOCATIONS } from './http/discover.js';
export { LIMITS } from './http/raw-request.js';
export { toSarif } from './output/sarif.js';
export { toTable } from './output/table.js';
export { type RunOptions, type RunResult, runProbe } from './run.js';
export { SIGNATURES, type Signature } from './signatures.js';
export { isLoopback, parseTarget, type Target } from './target.js';
export type { Verdict } from './verdict.js';
export { WS_PATHS } from './ws/probes.js';
