/**
 * `RemoteFault`: what a client learns from a failed call on any protocol, typed by the catalog
 * it passes. Everything is derived from core's taxonomy (categories, statuses, retryability);
 * nothing here is re-listed.
 */
import { CATEGORIES, type Category, type GrpcStatusCode, TAXONOMY } from '@faultline/core/taxonomy';

/** The built-in codes (one per category). */
export type BuiltinCode = (typeof TAXONOMY)[Category]['code'];

/** What the client can pass to type and resolve catalog codes (a `defineCatalog` result fits). */
export interface CatalogLike<Code extends string> {
  /** True when `code` is one of the catalog's codes (types the decoded `code`). */
  has(code: string): code is Code;
  /** The definition of `code` (its category and declared parameter types), if the catalog has it. */
  get(code: string):
    | {
        readonly category: Category;
        readonly params?: Readonly<Record<string, 'integer' | 'number' | 'string'>> | undefined;
      }
    | undefined;
}

/** One field of the request that was wrong (HTTP JSON Pointer, or gRPC field path). */
export interface RemoteFieldViolation {
  readonly pointer: string;
  readonly detail: string;
}

/** A fault received from a Faultline server (or derived from a status when the body was not Faultline's). */
export interface RemoteFault<Code extends string = never> {
  readonly protocol: 'http' | 'grpc' | 'ws';
  /** HTTP status (the category's, for gRPC and WebSocket faults). */
  readonly status: number;
  readonly category: Category;
  /** The stable code: a catalog code, a built-in code, or another string the server sent. */
  readonly code: Code | BuiltinCode | (string & {});
  /** The generic public message. */
  readonly message: string;
  /** The correlation id to quote to the service's operators, when the server sent one. */
  readonly requestId: string | undefined;
  /** Seconds to wait before retrying, when the server said so. */
  readonly retryAfter: number | undefined;
  readonly fieldViolations: readonly RemoteFieldViolation[];
  /** The code's public parameters (declared in the catalog), e.g. `{ limit: 100 }`. */
  readonly params: Readonly<Record<string, string | number>>;
  /** True when an idempotent retry may succeed (by category: 408, 429, 502, 503, 504). */
  readonly retryable: boolean;
  /** False when the answer was not Faultline's (proxy HTML, an empty 502, a truncated body): the fault comes from the status alone. */
  readonly conforming: boolean;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** A string that is a UUID, else undefined. */
export function uuidOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && UUID.test(value) ? value.toLowerCase() : undefined;
}

/** The category of an HTTP status: the taxonomy's exact match, else by class (4xx validation, 5xx internal). */
export function categoryOfHttpStatus(status: number): Category {
  for (const category of CATEGORIES) if (TAXONOMY[category].http === status) return category;
  return status >= 500 || status < 400 ? 'internal' : 'validation';
}

/** The category of a gRPC code: the first category mapped to it (its most general meaning). */
export function categoryOfGrpcCode(code: number): Category {
  for (const category of CATEGORIES) if (TAXONOMY[category].grpc === (code as GrpcStatusCode)) return category;
  return 'internal';
}

/** The category a stable code names: the catalog's, a built-in code's, else `fallback`. */
export function categoryOfCode<Code extends string>(
  code: string,
  fallback: Category,
  catalog?: CatalogLike<Code>,
): Category {
  const fromCatalog = catalog?.get(code)?.category;
  if (fromCatalog !== undefined) return fromCatalog;
  for (const category of CATEGORIES) if (TAXONOMY[category].code === code) return category;
  return fallback;
}

/** Seconds from a Retry-After header (delta-seconds or an HTTP date), bounded to a day. */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const seconds = /^\d{1,6}$/.test(value.trim()) ? Number(value.trim()) : Math.ceil((Date.parse(value) - now) / 1000);
  return Number.isFinite(seconds) && seconds >= 0 ? Math.min(seconds, 86_400) : undefined;
}

/** Builds a fault, filling status, message and retryability from the taxonomy. */
export function remoteFault<Code extends string>(parts: {
  protocol: RemoteFault['protocol'];
  category: Category;
  code?: string | undefined;
  status?: number | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
  fieldViolations?: readonly RemoteFieldViolation[];
  params?: Readonly<Record<string, string | number>>;
  conforming: boolean;
}): RemoteFault<Code> {
  const spec = TAXONOMY[parts.category];
  return {
    protocol: parts.protocol,
    status: parts.status ?? spec.http,
    category: parts.category,
    code: parts.code ?? spec.code,
    message: parts.message ?? spec.message,
    requestId: parts.requestId,
    retryAfter: parts.retryAfter,
    fieldViolations: parts.fieldViolations ?? [],
    params: parts.params ?? {},
    retryable: spec.retryable,
    conforming: parts.conforming,
  };
}

/** Public parameters from a decoded body: string or finite number values of short camelCase names. */
export function paramsOf(value: unknown): Readonly<Record<string, string | number>> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const out: Record<string, string | number> = {};
  for (const [name, v] of Object.entries(value).slice(0, 8)) {
    if (!/^[a-z][A-Za-z0-9]{0,31}$/.test(name)) continue;
    if (typeof v === 'string' && v.length <= 64) out[name] = v;
    else if (typeof v === 'number' && Number.isFinite(v)) out[name] = v;
  }
  return out;
}

/**
 * Restores the declared types of parameters that travelled as strings (gRPC `ErrorInfo.metadata`
 * is a string map): a value declared `integer` or `number` in the catalog becomes a number when it
 * reads as one. Without a declaration the value stays as received.
 */
export function typedParams<Code extends string>(
  params: Readonly<Record<string, string | number>>,
  code: string,
  catalog?: CatalogLike<Code>,
): Readonly<Record<string, string | number>> {
  const declared = catalog?.get(code)?.params;
  if (declared === undefined) return params;
  const out: Record<string, string | number> = { ...params };
  for (const [name, value] of Object.entries(params)) {
    const type = declared[name];
    if (typeof value !== 'string' || (type !== 'integer' && type !== 'number')) continue;
    const n = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(value) ? Number(value) : Number.NaN;
    if (type === 'integer' ? Number.isSafeInteger(n) : Number.isFinite(n)) out[name] = n;
  }
  return out;
}
