/**
 * The rules one catalog entry must meet: an UPPER_SNAKE_CASE code, a known category, one line of
 * public text, a documentation URI, declared parameters and translations. A broken rule throws a
 * {@link CatalogDefinitionError} when the catalog is defined, never in a response.
 */

import { isOneLine, showsSomething } from '@faultline/taxonomy';
import type { CodeDefinition, CodeTranslation } from './fault-error.js';
import { PARAM_NAME, type PublicParamType, placeholders } from './public-params.js';
import { CATEGORIES, categoryOfBuiltinCode, isCategory } from './taxonomy.js';

/** Thrown by `defineCatalog` for a malformed or duplicate definition. */
export class CatalogDefinitionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CatalogDefinitionError';
  }
}

const CODE_PATTERN = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*$/;
const MAX_CODE_LENGTH = 64;
const MAX_MESSAGE_LENGTH = 300;
const TYPE_URI = /^(?:https?:\/\/[^\s"\\<>]+|urn:[a-z0-9][a-z0-9-]{0,31}:[^\s"\\<>]+|tag:[^\s"\\<>]+)$/i;

const PARAM_TYPES: ReadonlySet<string> = new Set(['integer', 'number', 'string']);
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}$/;

/**
 * One line of public text: bounded, showing something, and within the text rule the client
 * applies to every answer (`isOneLine` and `showsSomething` of `@faultline/taxonomy`: no control,
 * format, invisible or variation-selector character; joiners only where a script needs them; not
 * only white space, bidirectional marks or the braille blank).
 */
function isPublicLine(text: unknown, max: number): text is string {
  return typeof text === 'string' && text.length <= max && isOneLine(text) && showsSomething(text);
}

/** Validates declared parameters; every placeholder of `texts` must be declared. */
function validateParamsDeclaration(
  code: string,
  params: unknown,
  texts: readonly string[],
): Readonly<Record<string, PublicParamType>> | undefined {
  if (params !== undefined) {
    if (typeof params !== 'object' || params === null || Object.keys(params).length > 8) {
      throw new CatalogDefinitionError(
        `Catalog code ${code}: params must map at most 8 names to 'integer', 'number' or 'string'.`,
      );
    }
    for (const [name, type] of Object.entries(params)) {
      if (!PARAM_NAME.test(name) || typeof type !== 'string' || !PARAM_TYPES.has(type)) {
        throw new CatalogDefinitionError(
          `Catalog code ${code}: param ${JSON.stringify(name.slice(0, 40))} must be a camelCase name of type 'integer', 'number' or 'string'.`,
        );
      }
    }
  }
  const declared = new Set(Object.keys((params as object | undefined) ?? {}));
  for (const text of texts) {
    for (const name of placeholders(text)) {
      if (!declared.has(name))
        throw new CatalogDefinitionError(
          `Catalog code ${code}: {${name}} is used in a message but not declared in params.`,
        );
    }
  }
  return params === undefined ? undefined : Object.freeze({ ...(params as Record<string, PublicParamType>) });
}

/** Validates translations: language tags, one-line title and message each. */
function validateTranslations(
  code: string,
  translations: unknown,
): Readonly<Record<string, CodeTranslation>> | undefined {
  if (translations === undefined) return undefined;
  if (typeof translations !== 'object' || translations === null) {
    throw new CatalogDefinitionError(
      `Catalog code ${code}: translations must map language tags to { title?, message }.`,
    );
  }
  const out: Record<string, CodeTranslation> = {};
  for (const [tag, entry] of Object.entries(translations)) {
    const { title, message } = (entry ?? {}) as { title?: unknown; message?: unknown };
    if (
      !LANGUAGE_TAG.test(tag) ||
      !isPublicLine(message, MAX_MESSAGE_LENGTH) ||
      (title !== undefined && !isPublicLine(title, 100))
    ) {
      throw new CatalogDefinitionError(
        `Catalog code ${code}: translation ${JSON.stringify(tag.slice(0, 20))} needs a language tag and one-line text.`,
      );
    }
    out[tag] = Object.freeze(title === undefined ? { message } : { title, message });
  }
  return Object.freeze(out);
}

/**
 * Checks one catalog entry and returns its frozen definition; throws a
 * {@link CatalogDefinitionError} naming the code and the rule it breaks.
 */
export function validateEntry(code: string, entry: unknown): CodeDefinition {
  if (!CODE_PATTERN.test(code) || code.length > MAX_CODE_LENGTH) {
    throw new CatalogDefinitionError(
      `Catalog code ${JSON.stringify(code.slice(0, 80))} is malformed: use UPPER_SNAKE_CASE, ` +
        `starting with a letter, at most ${MAX_CODE_LENGTH} characters (e.g. ORDER_NOT_FOUND).`,
    );
  }
  if (typeof entry !== 'object' || entry === null) {
    throw new CatalogDefinitionError(`Catalog code ${code}: the entry must be an object { category, message, type? }.`);
  }
  const { category, message, type, params, translations } = entry as Record<string, unknown>;
  if (!isCategory(category)) {
    throw new CatalogDefinitionError(
      `Catalog code ${code}: category ${JSON.stringify(String(category)).slice(0, 40)} is not one of: ${CATEGORIES.join(', ')}.`,
    );
  }
  if (typeof message !== 'string' || !showsSomething(message) || message.length > MAX_MESSAGE_LENGTH) {
    throw new CatalogDefinitionError(
      `Catalog code ${code}: message must be non-empty text of at most ${MAX_MESSAGE_LENGTH} characters.`,
    );
  }
  if (!isOneLine(message)) {
    throw new CatalogDefinitionError(
      `Catalog code ${code}: message must be one line without control characters, bidirectional controls or invisible characters.`,
    );
  }
  if (type !== undefined && (typeof type !== 'string' || type.length > 2048 || !TYPE_URI.test(type))) {
    throw new CatalogDefinitionError(
      `Catalog code ${code}: type must be an absolute http(s), urn: or tag: URI without spaces or quotes.`,
    );
  }
  const builtinCategory = categoryOfBuiltinCode(code);
  if (builtinCategory !== undefined && builtinCategory !== category) {
    throw new CatalogDefinitionError(
      `Catalog code ${code} is built in for category ${builtinCategory}; it cannot be redefined as ${category}.`,
    );
  }
  const validTranslations = validateTranslations(code, translations);
  const texts = [message, ...Object.values(validTranslations ?? {}).map((t) => t.message)];
  const validParams = validateParamsDeclaration(code, params, texts);
  return Object.freeze({
    code,
    category,
    message,
    type: type ?? 'about:blank',
    ...(validParams === undefined ? {} : { params: validParams }),
    ...(validTranslations === undefined ? {} : { translations: validTranslations }),
  });
}
