/**
 * `strictJsonApi` on Express: the JSON:API 1.1 server rules for media type parameters, checked by
 * the request-id middleware (before any body parser): 415 for a JSON:API `Content-Type` with
 * parameters other than `profile`, 406 when every JSON:API type in `Accept` has such parameters,
 * both as JSON:API documents.
 */
import { faultOf, jsonApiRefusal, jsonApiResponder, type ResponderOptions } from '@faultline/core/adapter';
import { requestIdOf } from './request-id.js';
import { sendFault } from './respond.js';
import type { ExpressRequest, ExpressResponse } from './types.js';

/**
 * Answers a request JSON:API's rules refuse; true when it did (the middleware then does not call
 * `next`). `refused` is the incoming id the middleware refused, if any.
 */
export function refuseForJsonApi(
  request: ExpressRequest,
  response: ExpressResponse,
  responder: ResponderOptions,
  refused: string | undefined,
): boolean {
  const refusal = jsonApiRefusal(responder, request.headers);
  if (refusal === undefined) return false;
  const fault = faultOf(refusal, {
    requestId: requestIdOf(request),
    requestIdTrusted: true,
    rejectedRequestId: refused,
    source: 'http.jsonapi',
    reason: refusal === 'not_acceptable' ? 'jsonapi accept parameters' : 'jsonapi content-type parameters',
  });
  sendFault(fault, request, response, jsonApiResponder(responder));
  return true;
}
