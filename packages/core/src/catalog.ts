/**
 * Application catalogs: an application's own stable codes (`ORDER_NOT_FOUND` -> not_found), each
 * with a static public message and an optional documentation URI, turned into typed factories.
 * Everything is checked when the catalog is defined, so a bad code fails at start-up, not in a
 * response.
 */

import { CatalogDefinitionError, validateEntry } from './catalog-entry.js';
import {
  builtinDefinition,
  type CodeDefinition,
  type CodeTranslation,
  FaultError,
  type FaultOptions,
} from './fault-error.js';
import type { PublicParamType } from './public-params.js';
import { type Category, categoryOfBuiltinCode } from './taxonomy.js';

export { CatalogDefinitionError } from './catalog-entry.js';

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

/** Codes defined by any catalog in this process, so two modules cannot give one code two meanings. */
const registry = new Map<string, CodeDefinition>();

/** True when two definitions of one code say the same thing (so defining it twice is harmless). */
function sameDefinition(a: CodeDefinition, b: CodeDefinition): boolean {
  return (
    a.category === b.category &&
    a.message === b.message &&
    a.type === b.type &&
    JSON.stringify(a.params ?? null) === JSON.stringify(b.params ?? null) &&
    JSON.stringify(a.translations ?? null) === JSON.stringify(b.translations ?? null)
  );
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
