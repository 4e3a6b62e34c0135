/**
 * Application catalogs: an application's own stable codes (`ORDER_NOT_FOUND` -> not_found), each
 * with a static public message and an optional documentation URI, turned into typed factories.
 * Everything is checked when the catalog is defined, so a bad code fails at start-up, not in a
 * response.
 */

import { isOneLine } from '@faultline/taxonomy';
import {
  builtinDefinition,
  type CodeDefinition,
  type CodeTranslation,
  FaultError,
  type FaultOptions,
} from './fault-error.js';
import { PARAM_NAME, type PublicParamType, placeholders } from './public-params.js';
import { CATEGORIES, type Category, categoryOfBuiltinCode, isCategory } from './taxonomy.js';

/** How one code is declared in `defineCatalog`. */
export interface CatalogEntryInput {
  /** The taxonomy category. */
  readonly category: Category;
  /** Static, generic public message (1-300 characters, one line). */
  readonly message: string;
  /** Documentation URI for the code (http(s), urn: or tag:); becomes the RFC 9457 `type`. */
  readonly type?: string;
  /** Typed public parameters, used as `{name}` in the message (e.g. `{ limit: 'integer' }`). */
  readonly params?: Readonly<Record<string, PublicParamType>>;
  /** Translations of the title and message by language tag, chosen by `Accept-Language`. */
  readonly translations?: Readonly<Record<string, CodeTranslation>>;
}

/** The shape `defineCatalog` accepts: codes in UPPER_SNAKE_CASE mapped to their entries. */
export type CatalogInput = Readonly<Record<string, CatalogEntryInput>>;

/** Methods every catalog has besides its factories (lower-case, so they never clash with a code). */
export interface CatalogMethods<Code extends string> {
  /** Every definition in this catalog, by code. */
  readonly definitions: ReadonlyMap<Code, CodeDefinition>;
  /** The definition of `code`, or `undefined`. */
  get(code: string): CodeDefinition | undefined;
  /** True when `code` belongs to this catalog. */
  has(code: string): code is Code;
  /** True when `error` is a `FaultError` raised with `code` (any code of this catalog when omitted). */
  is(error: unknown, code?: Code): error is FaultError;
  /** Raises by code name, for codes chosen at run time. */
  create(code: Code, options?: FaultOptions): FaultError;
}

/** A typed catalog: one factory per code, plus {@link CatalogMethods}. */
export type Catalog<T extends CatalogInput> = {
  readonly [K in keyof T & string]: (options?: FaultOptions) => FaultError;
} & CatalogMethods<keyof T & string>;

/** Compile-time check that every key is upper case (the run-time check is stricter). */
type UpperCaseKeys<T> = { [K in keyof T]: K extends Uppercase<K & string> ? T[K] : never };

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

/** Codes defined by any catalog in this process, so two modules cannot give one code two meanings. */
const registry = new Map<string, CodeDefinition>();

function sameDefinition(a: CodeDefinition, b: CodeDefinition): boolean {
  return (
    a.category === b.category &&
    a.message === b.message &&
    a.type === b.type &&
    JSON.stringify(a.params ?? null) === JSON.stringify(b.params ?? null) &&
    JSON.stringify(a.translations ?? null) === JSON.stringify(b.translations ?? null)
  );
}

const PARAM_TYPES: ReadonlySet<string> = new Set(['integer', 'number', 'string']);
const LANGUAGE_TAG = /^[a-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,2}$/;

/**
 * One line of public text: non-empty, bounded, and within the text rule the client applies to
 * every answer (`isOneLine` of `@faultline/taxonomy`: no control, format, invisible or
 * variation-selector character; joiners only where a script needs them).
 */
function isPublicLine(text: unknown, max: number): text is string {
  return typeof text === 'string' && text.trim() !== '' && text.length <= max && isOneLine(text);
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

function validateEntry(code: string, entry: unknown): CodeDefinition {
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
  if (typeof message !== 'string' || message.trim() === '' || message.length > MAX_MESSAGE_LENGTH) {
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

/**
 * Defines an application catalog. Every code is validated now: malformed codes, unknown
 * categories, multi-line messages, bad URIs and a code already defined differently by another
 * catalog throw a {@link CatalogDefinitionError}.
 *
 * @example
 * const errors = defineCatalog({
 *   ORDER_NOT_FOUND: { category: 'not_found', message: 'The order does not exist.' },
 * });
 * throw errors.ORDER_NOT_FOUND({ cause: dbError });
 */
export function defineCatalog<const T extends CatalogInput>(input: T & UpperCaseKeys<T>): Catalog<T> {
  type Code = keyof T & string;
  if (typeof input !== 'object' || input === null) {
    throw new CatalogDefinitionError('defineCatalog expects an object mapping codes to entries.');
  }
  const definitions = new Map<Code, CodeDefinition>();
  for (const [code, entry] of Object.entries(input)) {
    const definition = validateEntry(code, entry);
    const existing = registry.get(code);
    if (existing !== undefined && !sameDefinition(existing, definition)) {
      throw new CatalogDefinitionError(
        `Catalog code ${code} is already defined by another catalog as ${existing.category} ` +
          `with a different message or type; a stable code must have one meaning.`,
      );
    }
    definitions.set(code as Code, definition);
  }
  for (const [code, definition] of definitions) registry.set(code, definition);

  const methods: CatalogMethods<Code> = {
    definitions,
    get: (code) => definitions.get(code as Code),
    has: (code): code is Code => definitions.has(code as Code),
    is: (error, code): error is FaultError =>
      FaultError.is(error) && (code === undefined ? definitions.has(error.code as Code) : error.code === code),
    create: (code, options) => {
      const definition = definitions.get(code);
      if (definition === undefined) throw new CatalogDefinitionError(`Unknown catalog code ${String(code)}.`);
      return FaultError.create(definition, options);
    },
  };
  const catalog: Record<string, unknown> = { ...methods };
  for (const [code, definition] of definitions) {
    catalog[code] = (options?: FaultOptions) => FaultError.create(definition, options);
  }
  return Object.freeze(catalog) as Catalog<T>;
}

/** The definition for `code` in any catalog defined in this process, or a built-in code. */
export function lookupCode(code: string): CodeDefinition | undefined {
  const defined = registry.get(code);
  if (defined !== undefined) return defined;
  const category = categoryOfBuiltinCode(code);
  return category === undefined ? undefined : builtinDefinition(category);
}
