/**
 * The JSON bodies a Faultline server writes, read as untrusted: RFC 9457 problem JSON, the
 * `{"error":{…}}` envelope (also every WebSocket error frame) and JSON:API error documents; and
 * the one step that turns what a body says into a {@link RemoteFault} on every protocol.
 */
import type { Category } from '@faultline/taxonomy';
import { catalogParams, paramsOf } from '../params.js';
import {
  type CatalogLike,
  categoryOfCode,
  type RemoteFault,
  type RemoteFieldViolation,
  type RemoteFormat,
  remoteFault,
} from '../remote-fault.js';
import { boundedMessage, conformingCode, isRecord, own, uuidOrUndefined } from '../untrusted.js';
import { violationsOf } from '../violations.js';
import { readJsonApi } from './jsonapi.js';

/** What one body says, before the rules: every member is as received except the violations (bounded). */
export interface BodyReading {
  readonly format: 'problem' | 'envelope' | 'jsonapi';
  readonly code: unknown;
  readonly message: unknown;
  readonly requestId: unknown;
  readonly status: unknown;
  readonly fieldViolations: readonly RemoteFieldViolation[];
  readonly params: unknown;
}

/** Reads the inner object of an envelope `{"error":{status, code, message, request_id, errors?, params?}}`. */
export function readEnvelope(error: Record<string, unknown>): BodyReading {
  return {
    format: 'envelope',
    code: own(error, 'code'),
    message: own(error, 'message'),
    requestId: own(error, 'request_id'),
    status: own(error, 'status'),
    fieldViolations: violationsOf(own(error, 'errors')),
    params: own(error, 'params'),
  };
}

/** Reads a problem body `{type, title, status, detail, code, request_id, errors?, params?}`. */
function readProblem(problem: Record<string, unknown>): BodyReading {
  return {
    format: 'problem',
    code: own(problem, 'code'),
    message: own(problem, 'detail'),
    requestId: own(problem, 'request_id'),
    status: own(problem, 'status'),
    fieldViolations: violationsOf(own(problem, 'errors')),
    params: own(problem, 'params'),
  };
}

/**
 * Reads a parsed HTTP body by its shape (content types are rewritten by proxies and frameworks,
 * so they do not decide): an `error` object is the envelope; a top-level `errors` array without
 * a top-level `code` is JSON:API; any other object is problem JSON.
 */
export function readBody(parsed: unknown): BodyReading | undefined {
  if (!isRecord(parsed)) return undefined;
  const error = own(parsed, 'error');
  if (isRecord(error)) return readEnvelope(error);
  if (Array.isArray(own(parsed, 'errors')) && own(parsed, 'code') === undefined) return readJsonApi(parsed);
  return readProblem(parsed);
}

/** What the protocol knows besides the body. */
export interface ReadingContext {
  readonly protocol: RemoteFault['protocol'];
  /** The category when the body names no known code (from the status). */
  readonly fallback: Category;
  readonly status?: number | undefined;
  /** The id from outside the body (`X-Request-ID`), used when the body has none. */
  readonly requestId?: string | undefined;
  readonly retryAfter?: number | undefined;
}

/**
 * The fault a reading describes: conforming when the body's code follows the code rule, its
 * message, id, violations and params then checked and bounded; else (or without a reading) the
 * fault of the context alone, non-conforming, with format `unknown`.
 */
export function faultFromReading<Code extends string>(
  reading: BodyReading | undefined,
  context: ReadingContext,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> {
  const code = conformingCode(reading?.code);
  const { protocol, fallback, status, retryAfter } = context;
  if (reading === undefined || code === undefined) {
    return remoteFault({
      protocol,
      format: 'unknown',
      category: fallback,
      status,
      requestId: context.requestId,
      retryAfter,
    });
  }
  const format: RemoteFormat = reading.format;
  return remoteFault({
    protocol,
    format,
    category: categoryOfCode(code, fallback, catalog),
    code,
    status,
    message: boundedMessage(reading.message),
    requestId: uuidOrUndefined(reading.requestId) ?? context.requestId,
    retryAfter,
    fieldViolations: reading.fieldViolations,
    params: catalogParams(paramsOf(reading.params), code, catalog),
  });
}
