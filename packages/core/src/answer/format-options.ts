/**
 * The answer-format options every HTTP adapter takes (`format`, `defaultFormat`, `strictJsonApi`):
 * their rules, the checks between them, and what `strictJsonApi` does per request.
 */
import { type OptionRules, OptionsError } from '../options-check.js';
import type { Category } from '../taxonomy.js';
import type { BodyFormat } from './http-headers.js';
import { jsonApiAcceptRefused, jsonApiContentTypeRefused } from './media-type.js';
import { type AnswerFormat, BODY_FORMATS } from './negotiate.js';
import type { ResponderOptions } from './responder.js';

/** Rules of the format options (part of `HTTP_RULES`; the ws adapter takes `format` and `defaultFormat`). */
export const FORMAT_RULES: OptionRules = {
  format: { kind: 'oneOf', values: [...BODY_FORMATS, 'negotiate'] },
  defaultFormat: { kind: 'oneOf', values: BODY_FORMATS },
  strictJsonApi: { kind: 'boolean' },
};

/**
 * Checks the format options together (each alone is checked by {@link FORMAT_RULES}):
 * `defaultFormat` only means something with `negotiate`, and a strict JSON:API service answers in
 * JSON:API (`jsonapi` or `negotiate`). Throws an {@link OptionsError}.
 */
export function checkFormatOptions(
  where: string,
  options: {
    readonly format?: AnswerFormat | undefined;
    readonly defaultFormat?: BodyFormat | undefined;
    readonly strictJsonApi?: boolean | undefined;
  },
): void {
  if (options.defaultFormat !== undefined && options.format !== 'negotiate') {
    throw new OptionsError(where, 'defaultFormat', "is used by format 'negotiate' only; set format: 'negotiate'");
  }
  if (
    options.strictJsonApi === true &&
    options.format !== undefined &&
    options.format !== 'jsonapi' &&
    options.format !== 'negotiate'
  ) {
    throw new OptionsError(
      where,
      'strictJsonApi',
      `makes a JSON:API service, which answers in JSON:API: use format 'jsonapi' (the default then) or 'negotiate', not ${JSON.stringify(options.format)}`,
    );
  }
}

/** The request headers the JSON:API rules read. */
export interface MediaTypeHeaders {
  readonly accept?: unknown;
  readonly 'content-type'?: unknown;
}

/**
 * With `strictJsonApi`, the refusal JSON:API 1.1 asks for: `unsupported_media_type` (415) when the
 * request's `Content-Type` is the JSON:API media type with parameters other than `profile`,
 * `not_acceptable` (406) when every JSON:API instance in `Accept` has such parameters; else
 * undefined. Bounded whatever the headers hold. Never throws.
 */
export function jsonApiRefusal(
  options: Pick<ResponderOptions, 'strictJsonApi'>,
  headers: MediaTypeHeaders,
): Category | undefined {
  if (options.strictJsonApi !== true) return undefined;
  if (jsonApiContentTypeRefused(headers['content-type'])) return 'unsupported_media_type';
  if (jsonApiAcceptRefused(headers.accept)) return 'not_acceptable';
  return undefined;
}

/** The responder for JSON:API's own refusals: the same options, always answering in JSON:API. */
export function jsonApiResponder(options: ResponderOptions): ResponderOptions {
  return { ...options, format: 'jsonapi' };
}
