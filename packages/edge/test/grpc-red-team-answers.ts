/**
 * Assertions of the red-team tests on what a raw HTTP/2 client got: the gateway's own gRPC status
 * in `@faultline/grpc`'s shape (trailers-only, the category's code, the generic message, one id in
 * `x-request-id` and in the details, the access log line under it), and nothing that names the
 * product, a version, the backend or its internals.
 */
import { TAXONOMY } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import { expect } from 'vitest';
import { LEAKS, logged, UUID_V4 } from './answers.js';
import type { H2Result } from './grpc-red-team-client.js';
import { RED_TEAM_DOMAIN, type RedTeamTarget } from './grpc-red-team-gateways.js';

/** What a hostile backend may put in an answer, which must never reach the client. */
export const BACKEND_LEAKS =
  /orders-db|proxy-7|corp\.internal|srv\/app|Express|grpc-node|Apache|<html|<pre|Object\.handler/i;

/** Everything the client got, as text (headers, trailers, data). */
export function received(result: H2Result): string {
  return JSON.stringify({ ...result.headers, ...result.trailers }) + result.data.toString('latin1');
}

/** Nothing the client got names nginx, HAProxy, a version, a path or the backend (`port`, its address). */
export function expectNoLeak(result: H2Result, port?: number): void {
  const text = received(result);
  expect(text).not.toMatch(LEAKS);
  expect(text).not.toMatch(BACKEND_LEAKS);
  if (port !== undefined) expect(text).not.toContain(String(port));
}

/**
 * The gateway's own status for taxonomy `category`, trailers-only, on `target`: returns its id,
 * after checking the access log line under it (status 200).
 */
export async function expectGatewayStatus(
  result: H2Result,
  category: keyof typeof TAXONOMY,
  target: RedTeamTarget,
): Promise<string> {
  const spec = TAXONOMY[category];
  const headers = result.headers ?? {};
  expect(result.headersOnly, `${target.name}: ${received(result)}`).toBe(true);
  expect(headers).toMatchObject({
    ':status': 200,
    'content-type': 'application/grpc',
    'grpc-status': String(spec.grpc),
    'grpc-message': encodeURI(spec.message),
  });
  const id = headers['x-request-id'] as string;
  expect(id).toMatch(UUID_V4);
  const details = decodeStatusDetails(Buffer.from(String(headers['grpc-status-details-bin']), 'base64'));
  expect(details).toMatchObject({
    code: spec.grpc,
    message: spec.message,
    reason: spec.code,
    domain: RED_TEAM_DOMAIN,
    requestId: id,
  });
  expect(result.data.length).toBe(0);
  expectNoLeak(result);
  expect(await logged(target.dir, id), target.name).toMatchObject({ request_id: id, status: 200 });
  return id;
}
