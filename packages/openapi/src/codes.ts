/**
 * Every code a service can answer with: the taxonomy's built-in codes and the codes of the
 * catalogs passed in, each with its category and the protocol mappings derived from the taxonomy.
 */
import { CATEGORIES, type Category, type CodeDefinition, GrpcStatus, TAXONOMY } from '@faultline/core/adapter';
import { checkedDefinitions } from './checks.js';

/** A catalog as `defineCatalog` returns it (its definitions are what is documented). */
export interface CatalogLike {
  readonly definitions: ReadonlyMap<string, CodeDefinition>;
}

/** One documented code. */
export interface DocumentedCode {
  readonly code: string;
  readonly category: Category;
  readonly message: string;
  /** RFC 9457 `type` (a docs URI, or `about:blank`). */
  readonly type: string;
  readonly http: number;
  readonly title: string;
  readonly grpc: number;
  readonly grpcName: string;
  readonly wsClose: number;
  readonly retryable: boolean;
  /** The page name: the last segment of the `type` URI, else the code in kebab case. */
  readonly slug: string;
}

const GRPC_NAMES: Readonly<Record<number, string>> = Object.fromEntries(
  Object.entries(GrpcStatus).map(([name, value]) => [value, name]),
);

function documented(definition: CodeDefinition): DocumentedCode {
  const spec = TAXONOMY[definition.category];
  const fromType = /^https?:\/\/[^\s]+\/([a-z0-9-]+)\/?$/.exec(definition.type)?.[1];
  return {
    code: definition.code,
    category: definition.category,
    message: definition.message,
    type: definition.type,
    http: spec.http,
    title: spec.title,
    grpc: spec.grpc,
    grpcName: GRPC_NAMES[spec.grpc] ?? String(spec.grpc),
    wsClose: spec.wsClose,
    retryable: spec.retryable,
    slug: fromType ?? definition.code.toLowerCase().replace(/_/g, '-'),
  };
}

/**
 * The built-in codes (one per category) and every catalog code, sorted by HTTP status then code.
 * Throws `OpenApiInputError` for a catalog that is not one, or a definition that is not a code of
 * the taxonomy (a code that is not UPPER_SNAKE, an unknown category, a definition filed under
 * another code, no message or type).
 */
export function documentedCodes(catalogs: readonly CatalogLike[] = []): DocumentedCode[] {
  const byCode = new Map<string, DocumentedCode>();
  for (const category of CATEGORIES) {
    const spec = TAXONOMY[category];
    byCode.set(spec.code, documented({ code: spec.code, category, message: spec.message, type: 'about:blank' }));
  }
  for (const [index, catalog] of catalogs.entries())
    for (const definition of checkedDefinitions(catalog, index)) byCode.set(definition.code, documented(definition));
  return [...byCode.values()].sort((a, b) => a.http - b.http || a.code.localeCompare(b.code));
}
