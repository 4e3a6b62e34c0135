/**
 * OpenAPI 3.1 from the catalog: `components.schemas` for the problem document, the envelope, the
 * JSON:API error document and a field violation; one `components.responses` entry per code with
 * its example; and, for each route, the responses it can produce (the framework's own errors plus
 * the codes it declares), grouped by status with one example per code, in every media type the
 * service's format can answer with (all three for `negotiate`).
 */
import type { AnswerFormat } from '@faultline/core/adapter';
import { checkedRoute, pathParameters } from './checks.js';
import { type CatalogLike, type DocumentedCode, documentedCodes } from './codes.js';
import { contentFor, JSON_API_ERRORS_SCHEMA } from './formats.js';

/** A route to document. */
export interface RouteDescription {
  readonly method: string;
  /** The route pattern, Fastify/Express style (`/orders/:id`); converted to `/orders/{id}`. */
  readonly url: string;
  /** Codes the route raises itself (catalog or built-in). */
  readonly codes?: readonly string[];
  readonly summary?: string;
}

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  readonly title: string;
  readonly version: string;
  readonly routes: readonly RouteDescription[];
  readonly catalogs?: readonly CatalogLike[];
  /**
   * The service's `format` (default `problem`); `negotiate` documents all three media types on
   * every error response.
   */
  readonly format?: AnswerFormat;
  /** The service sets `strictJsonApi`: every route may also answer 406 (and 415 with a body). */
  readonly strictJsonApi?: boolean;
}

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
/** The methods an OpenAPI 3.1 path item has an operation for, less HEAD and OPTIONS (their answers carry no body). */
const DOCUMENTED_METHODS = new Set(['GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'TRACE']);

/** The codes every route can answer with, without declaring them (framework and server errors). */
function frameworkCodes(method: string, strictJsonApi: boolean): string[] {
  const codes = [
    'NOT_FOUND',
    'METHOD_NOT_ALLOWED',
    'URI_TOO_LONG',
    'HEADER_FIELDS_TOO_LARGE',
    'INTERNAL',
    'UNAVAILABLE',
  ];
  if (BODY_METHODS.has(method.toUpperCase()))
    codes.push('VALIDATION_FAILED', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE');
  if (strictJsonApi) codes.push('NOT_ACCEPTABLE');
  return codes;
}

/** The JSON Schemas of the wire formats (JSON Schema 2020-12, as OpenAPI 3.1 uses). */
export function faultSchemas(): Record<string, object> {
  return {
    FieldViolation: {
      type: 'object',
      required: ['pointer', 'detail'],
      properties: {
        pointer: { type: 'string', description: 'RFC 6901 JSON Pointer into the request.' },
        detail: { type: 'string', description: 'Generic explanation; never the submitted value.' },
      },
    },
    Problem: {
      type: 'object',
      description: 'RFC 9457 problem details, as every Faultline error answer.',
      required: ['type', 'title', 'status', 'detail', 'code', 'request_id'],
      properties: {
        type: { type: 'string', format: 'uri-reference', description: 'Documentation of the code, or about:blank.' },
        title: { type: 'string' },
        status: { type: 'integer', minimum: 400, maximum: 599 },
        detail: { type: 'string', description: 'Generic message of the code.' },
        code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable code.' },
        request_id: { type: 'string', format: 'uuid', description: 'Correlation id to quote to operators.' },
        trace_id: { type: 'string', pattern: '^[0-9a-f]{32}$' },
        errors: { type: 'array', items: { $ref: '#/components/schemas/FieldViolation' } },
        params: {
          type: 'object',
          description: "The code's declared public parameters (also in `detail`).",
          additionalProperties: { type: ['string', 'number'] },
        },
      },
    },
    Envelope: {
      type: 'object',
      required: ['error'],
      properties: {
        error: {
          type: 'object',
          required: ['status', 'code', 'message', 'request_id'],
          properties: {
            status: { type: 'integer' },
            code: { type: 'string' },
            message: { type: 'string' },
            request_id: { type: 'string', format: 'uuid' },
            errors: { type: 'array', items: { $ref: '#/components/schemas/FieldViolation' } },
            params: { type: 'object', additionalProperties: { type: ['string', 'number'] } },
          },
        },
      },
    },
    JsonApiErrors: JSON_API_ERRORS_SCHEMA,
  };
}

function headers(code: DocumentedCode, format: AnswerFormat): Record<string, object> {
  const out: Record<string, object> = {
    'X-Request-ID': {
      description: 'Correlation id (UUID), also in the body.',
      schema: { type: 'string', format: 'uuid' },
    },
  };
  if (format === 'negotiate')
    out.Vary = {
      description: "Always `Accept`: the body format follows the request's Accept header.",
      schema: { type: 'string' },
    };
  if (code.http === 429 || code.http === 503)
    out['Retry-After'] = { description: 'Seconds to wait.', schema: { type: 'integer' } };
  if (code.http === 401) out['WWW-Authenticate'] = { schema: { type: 'string' } };
  if (code.http === 405) out.Allow = { schema: { type: 'string' } };
  return out;
}

/** `components.responses`: one entry per code. */
export function faultResponses(
  catalogs: readonly CatalogLike[] = [],
  format: AnswerFormat = 'problem',
): Record<string, object> {
  return Object.fromEntries(
    documentedCodes(catalogs).map((code) => [
      code.code,
      {
        description: `${code.title}: ${code.message}`,
        headers: headers(code, format),
        content: contentFor([code], format),
      },
    ]),
  );
}

/** `/orders/:id` -> `/orders/{id}`. */
function openApiPath(url: string): string {
  return url.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\*$/, '{wildcard}');
}

/**
 * A complete OpenAPI 3.1 document of the routes' error responses. HEAD and OPTIONS routes, and
 * methods OpenAPI 3.1 has no operation for (WebDAV's `PROPFIND`, …), are left out. Throws
 * `OpenApiInputError` for a route whose method is not an HTTP method, whose url does not start
 * with `/` or names a path parameter twice, and for a catalog `documentedCodes` refuses; an
 * `Error` for a route that declares a code no catalog defines.
 */
export function openApiDocument(options: OpenApiOptions): object {
  const format = options.format ?? 'problem';
  const catalogs = options.catalogs ?? [];
  const codes = new Map(documentedCodes(catalogs).map((c) => [c.code, c]));
  const paths: Record<string, Record<string, object>> = {};
  for (const route of options.routes) {
    const { method, url } = checkedRoute(route);
    if (!DOCUMENTED_METHODS.has(method)) continue;
    const path = openApiPath(url);
    const parameters = pathParameters(path, url).map((name) => ({
      name,
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const byStatus = new Map<number, DocumentedCode[]>();
    for (const name of new Set([...frameworkCodes(method, options.strictJsonApi === true), ...(route.codes ?? [])])) {
      const code = codes.get(name);
      if (code === undefined) throw new Error(`route ${method} ${url} declares ${name}, which no catalog defines`);
      byStatus.set(code.http, [...(byStatus.get(code.http) ?? []), code]);
    }
    const responses: Record<string, object> = { '200': { description: 'Success.' } };
    for (const [status, unsorted] of [...byStatus].sort((a, b) => a[0] - b[0])) {
      const list = [...unsorted].sort((a, b) => a.code.localeCompare(b.code));
      responses[String(status)] =
        list.length === 1
          ? { $ref: `#/components/responses/${(list[0] as DocumentedCode).code}` }
          : { description: list.map((c) => c.code).join(', '), content: contentFor(list, format) };
    }
    paths[path] = {
      ...paths[path],
      [method.toLowerCase()]: {
        ...(route.summary === undefined ? {} : { summary: route.summary }),
        ...(parameters.length > 0 ? { parameters } : {}),
        responses,
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: options.title, version: options.version },
    paths,
    components: { schemas: faultSchemas(), responses: faultResponses(catalogs, format) },
  };
}
