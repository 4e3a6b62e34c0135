/**
 * `@faultline/probe`: the leak probe as a library (the CLI is `faultline-probe`).
 * @packageDocumentation
 */
export { type Answer, checkAnswer, type ProbeContext, visibleText } from './answer.js';
export { atLeast, type Finding, SEVERITIES, type Severity } from './findings.js';
export { toSarif } from './output/sarif.js';
export { toTable } from './output/table.js';
export { type RunOptions, type RunResult, runProbe } from './run.js';
export { SIGNATURES, type Signature } from './signatures.js';
export { isLoopback, parseTarget, type Target } from './target.js';
