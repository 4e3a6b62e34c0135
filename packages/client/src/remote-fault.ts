/**
 * `RemoteFault`: what a client learns from a failed call on any protocol, typed by the catalog
 * it passes. Everything is derived from core's taxonomy (categories, statuses, retryability);
 * nothing here is re-listed.
 */
import { CATEGORIES, type Category, GrpcStatus, type GrpcStatusCode, TAXONOMY } from '@faultline/taxonomy';

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

/**
 * One part of the request that was wrong. `pointer` is an RFC 6901 JSON Pointer into the request
 * body (a gRPC field path is converted, `items[0].qty` -> `/items/0/qty`); a JSON:API error whose
 * `source` names a query parameter or a header sets `parameter` or `header`, with `pointer` `''`.
 * No path names `__proto__`, or `constructor` then `prototype` (such a violation is dropped).
 */
export interface RemoteFieldViolation {
  readonly pointer: string;
  /** The server's text (bounded, one line, but any markup it sent): show it as text, never as HTML. */
  readonly detail: string;
  /** The query parameter that was wrong (JSON:API `source.parameter`). */
  readonly parameter?: string;
  /** The request header that was wrong (JSON:API `source.header`). */
  readonly header?: string;
}

/**
 * Where the fault was read from: an HTTP body in RFC 9457 problem JSON (`problem`), the
 * `{"error":{…}}` envelope (`envelope`, also every WebSocket error frame) or a JSON:API 1.1 error
 * document (`jsonapi`); a gRPC `grpc-status-details-bin` trailer (`status-details`); a WebSocket
 * close reason `<CODE> <request_id>` (`close-reason`); `unknown` when nothing Faultline could read
 * was there (the fault then comes from the status alone and `conforming` is false).
 */
export type RemoteFormat = 'problem' | 'envelope' | 'jsonapi' | 'status-details' | 'close-reason' | 'unknown';

/** A fault received from a server (or derived from a status when the answer was not Faultline's). */
export interface RemoteFault<Code extends string = never> {
  readonly protocol: 'http' | 'grpc' | 'ws';
  /** What the fault was read from; `unknown` exactly when `conforming` is false. */
  readonly format: RemoteFormat;
  /**
   * HTTP status, always an error status (400 to 599): the answer's, or the category's for gRPC and
   * WebSocket faults that carry none and for an HTTP answer whose status is not an error status.
   */
  readonly status: number;
  readonly category: Category;
  /** The stable code: a catalog code, a built-in code, or another UPPER_SNAKE code the server sent. */
  readonly code: Code | BuiltinCode | (string & {});
  /**
   * The public message (at most 1024 characters; the category's generic text when the server sent none or a longer one).
   * It is the server's text: one line without control or hidden characters, but any markup it sent
   * (`<script>`, `<img onerror>`) is kept, so show it as text (`textContent`, a React child), never as HTML.
   */
  readonly message: string;
  /**
   * The correlation id (a UUID) to quote to the service's operators, when the server sent one: the
   * body's (or the gRPC details'), else the `X-Request-ID` header or trailer; the body's wins when both differ.
   */
  readonly requestId: string | undefined;
  /** Seconds to wait before retrying, when the server said so (at most a day). */
  readonly retryAfter: number | undefined;
  /** At most 100. */
  readonly fieldViolations: readonly RemoteFieldViolation[];
  /**
   * The code's public parameters, e.g. `{ limit: 100 }` (bounded; held to the catalog's types when it is given).
   * String values are the server's text, as `message` is: put them into a page as text, never as HTML.
   */
  readonly params: Readonly<Record<string, string | number>>;
  /** True when an idempotent retry may succeed (by category: 408, 429, 502, 503, 504). */
  readonly retryable: boolean;
  /** False when the answer was not Faultline's (proxy HTML, an empty 502, a truncated body): the fault comes from the status alone. */
  readonly conforming: boolean;
}

/** The category of an HTTP status: the taxonomy's exact match, else by class (4xx validation, 5xx internal). */
export function categoryOfHttpStatus(status: number): Category {
  for (const category of CATEGORIES) if (TAXONOMY[category].http === status) return category;
  return status >= 500 || status < 400 ? 'internal' : 'validation';
}

/**
 * The category of a gRPC code: the first category mapped to it (its most general meaning).
 * `RESOURCE_EXHAUSTED` with a retry delay is `rate_limited` (a delay means "try again later"),
 * without one `payload_too_large`.
 */
export function categoryOfGrpcCode(code: number, retryAfter?: number): Category {
  if (code === GrpcStatus.RESOURCE_EXHAUSTED && retryAfter !== undefined) return 'rate_limited';
  for (const category of CATEGORIES) if (TAXONOMY[category].grpc === (code as GrpcStatusCode)) return category;
  return 'internal';
}

/** The catalog's category for `code`, or undefined when it has none or cannot answer (its `get` throws). */
function catalogCategory<Code extends string>(code: string, catalog?: CatalogLike<Code>): unknown {
  try {
    return catalog?.get(code)?.category;
  } catch {
    return undefined;
  }
}

/**
 * The category a stable code names: the catalog's, a built-in code's, else `fallback`. A catalog
 * that throws for a code (a strict lookup of one it does not define) counts as not defining it:
 * the code is the server's, so it must not make a decoder throw.
 */
export function categoryOfCode<Code extends string>(
  code: string,
  fallback: Category,
  catalog?: CatalogLike<Code>,
): Category {
  const fromCatalog = catalogCategory(code, catalog);
  if (typeof fromCatalog === 'string' && Object.hasOwn(TAXONOMY, fromCatalog)) return fromCatalog as Category;
  for (const category of CATEGORIES) if (TAXONOMY[category].code === code) return category;
  return fallback;
}

/** The parts of a fault a decoder found; the rest comes from the category. */
export interface FaultParts {
  protocol: RemoteFault['protocol'];
  format: RemoteFormat;
  category: Category;
  code?: string | undefined;
  status?: number | undefined;
  message?: string | undefined;
  requestId?: string | undefined;
  retryAfter?: number | undefined;
  fieldViolations?: readonly RemoteFieldViolation[];
  params?: Readonly<Record<string, string | number>>;
}

/** Builds a fault, filling status, message and retryability from the taxonomy; conforming unless the format is `unknown`. */
export function remoteFault<Code extends string>(parts: FaultParts): RemoteFault<Code> {
  const spec = TAXONOMY[parts.category];
  return {
    protocol: parts.protocol,
    format: parts.format,
    status: parts.status ?? spec.http,
    category: parts.category,
    code: parts.code ?? spec.code,
    message: parts.message ?? spec.message,
    requestId: parts.requestId,
    retryAfter: parts.retryAfter,
    fieldViolations: parts.fieldViolations ?? [],
    params: parts.params ?? {},
    retryable: spec.retryable,
    conforming: parts.format !== 'unknown',
  };
}
