/**
 * `strictJsonApi` on Fastify: the JSON:API 1.1 server rules for media type parameters, checked as
 * a request arrives (before its body is read): 415 for a JSON:API `Content-Type` with parameters
 * other than `profile`, 406 when every JSON:API type in `Accept` has such parameters, both as
 * JSON:API documents. The JSON:API media type is also parsed as JSON, as Fastify parses
 * `application/json`, unless the application registered its own parser for it.
 */
import { JSON_API_MEDIA_TYPE, jsonApiRefusal, jsonApiResponder, type ResponderOptions } from '@faultline/core/adapter';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { adapterFaultFor } from './request-fault.js';
import { sendFault } from './respond.js';

/** Answers a request JSON:API's rules refuse; true when it did (the request then goes no further). */
export function jsonApiGuard(request: FastifyRequest, reply: FastifyReply, responder: ResponderOptions): boolean {
  const refusal = jsonApiRefusal(responder, request.headers);
  if (refusal === undefined) return false;
  const fault = adapterFaultFor(
    refusal,
    request,
    'http.jsonapi',
    refusal === 'not_acceptable' ? 'jsonapi accept parameters' : 'jsonapi content-type parameters',
  );
  sendFault(fault, request, reply, jsonApiResponder(responder));
  return true;
}

/** Parses `application/vnd.api+json` bodies with Fastify's own JSON parser (prototype poisoning refused). */
export function parseJsonApiBodies(app: FastifyInstance): void {
  if (app.hasContentTypeParser(JSON_API_MEDIA_TYPE)) return;
  app.addContentTypeParser(JSON_API_MEDIA_TYPE, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
}
