/**
 * What every HTTP-speaking adapter (Fastify, Express, the ws upgrade path) decides the same way:
 * the options a user gives, resolved once into how faults are answered, the 403-as-404
 * concealment, and the body in the chosen format.
 */

import type { Classifier } from '../classify/types.js';
import type { RequestIdOptions } from '../correlation.js';
import { buildFault, type Fault } from '../fault.js';
import { builtinDefinition } from '../fault-error.js';
import type { Reporter } from '../report/reporter.js';
import type { BodyFormat, HeaderOptions } from './http-headers.js';
import { renderJsonApi } from './jsonapi.js';
import { pickLocale } from './locale.js';
import { type AnswerFormat, negotiateFormat } from './negotiate.js';
import { renderEnvelope, renderProblem } from './templates.js';

/** The options an HTTP adapter takes from its user (the adapter adds its own). */
export interface HttpFaultOptions extends HeaderOptions, RequestIdOptions {
  /**
   * `problem` (RFC 9457, default), `envelope` (`{"error":{…}}` as application/json), `jsonapi`
   * (JSON:API 1.1 error documents, application/vnd.api+json), or `negotiate`: one of the three per
   * request, from `Accept` (answers then send `Vary: Accept`).
   */
  readonly format?: AnswerFormat;
  /** The format `negotiate` falls back to (no `Accept`, `*\/*`, unknown types); default `problem`, or `jsonapi` with `strictJsonApi`. */
  readonly defaultFormat?: BodyFormat;
  /**
   * The service is a JSON:API service: a request whose `Content-Type` is the JSON:API media type
   * with parameters other than `profile` is refused with 415, one whose `Accept` holds only such
   * instances of it with 406, both as JSON:API documents (JSON:API 1.1 server rules). Needs
   * `format` `jsonapi` (its default then) or `negotiate`.
   */
  readonly strictJsonApi?: boolean;
  /** Answer 403 as a plain 404, so clients cannot probe for resources they may not see (default false). */
  readonly concealForbidden?: boolean;
  /** Add `trace_id` to bodies when a valid span context exists (default true). */
  readonly exposeTraceId?: boolean;
  /** Extra classifiers for the application's own error families, tried first. */
  readonly classifiers?: readonly Classifier[];
}

/** How an adapter answers; resolved once from {@link HttpFaultOptions}. */
export interface ResponderOptions extends HeaderOptions {
  readonly format: AnswerFormat;
  /** What `negotiate` falls back to (absent: `problem`). */
  readonly defaultFormat?: BodyFormat;
  /** JSON:API media type rules (415/406) apply (absent: false). */
  readonly strictJsonApi?: boolean;
  readonly concealForbidden: boolean;
  readonly exposeTraceId: boolean;
  readonly reporter: Reporter | undefined;
}

/** Resolves user options (and the reporter the adapter chose) into {@link ResponderOptions}. */
export function resolveResponder(options: HttpFaultOptions, reporter: Reporter | undefined): ResponderOptions {
  const strict = options.strictJsonApi === true;
  return {
    format: options.format ?? (strict ? 'jsonapi' : 'problem'),
    ...(options.format === 'negotiate'
      ? { defaultFormat: options.defaultFormat ?? (strict ? 'jsonapi' : 'problem') }
      : {}),
    ...(strict ? { strictJsonApi: true } : {}),
    concealForbidden: options.concealForbidden ?? false,
    exposeTraceId: options.exposeTraceId ?? true,
    reporter,
    ...(options.wwwAuthenticate === undefined ? {} : { wwwAuthenticate: options.wwwAuthenticate }),
    ...(options.rateLimitRetryAfter === undefined ? {} : { rateLimitRetryAfter: options.rateLimitRetryAfter }),
    ...(options.unavailableRetryAfter === undefined ? {} : { unavailableRetryAfter: options.unavailableRetryAfter }),
  };
}

/** The fault as the client sees it: with `concealForbidden`, a 403 becomes a plain 404 with the same id. */
export function shownFault(fault: Fault, options: Pick<ResponderOptions, 'concealForbidden'>): Fault {
  if (!options.concealForbidden || fault.category !== 'forbidden') return fault;
  return buildFault({
    id: fault.id,
    definition: builtinDefinition('not_found'),
    fieldViolations: [],
    retryAfter: undefined,
    retryable: false,
    internal: fault.internal,
  });
}

/** The body of `fault` in `format`, with `trace_id` when given, in the `locale` translation when the code has it. */
export function renderBody(fault: Fault, format: BodyFormat, traceId: string | undefined, locale?: string): string {
  // No options object for the common answer (no trace, no translation).
  const options = traceId === undefined && locale === undefined ? undefined : { traceId, locale };
  if (format === 'problem') return renderProblem(fault, options);
  return format === 'envelope' ? renderEnvelope(fault, options) : renderJsonApi(fault, options);
}

/**
 * The body format of an answer: the configured one, or with `negotiate` the best for `accept`
 * (the default when there is no request to read it from).
 */
export function formatFor(options: Pick<ResponderOptions, 'format' | 'defaultFormat'>, accept?: unknown): BodyFormat {
  return options.format === 'negotiate' ? negotiateFormat(accept, options.defaultFormat ?? 'problem') : options.format;
}

/** The translation tag for this answer: `Accept-Language` against the code's translations, if any match. */
export function localeFor(fault: Fault, acceptLanguage: unknown): string | undefined {
  return pickLocale(acceptLanguage, fault.definition.translations);
}
