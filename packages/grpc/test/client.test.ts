/**
 * The calling side: an HTTP-like caller propagates its request id, receives a sanitized status,
 * and capture() with grpcClassifier yields the same category/code and never the upstream text.
 */

import { capture, isUuid, renderProblem, TAXONOMY } from '@faultline/core';
import { credentials, makeGenericClientConstructor, type ServiceError } from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClientInterceptor, grpcClassifier, REQUEST_ID_KEY } from '../src/index.js';
import { callUnary, type GenericClient, OrdersService, startServer } from './fixtures.js';

type Started = Awaited<ReturnType<typeof startServer>>;
let server: Started;
let client: GenericClient;
let currentId: string | undefined;

beforeAll(async () => {
  server = await startServer();
  const Client = makeGenericClientConstructor(OrdersService, 'Orders');
  client = new Client(`127.0.0.1:${server.port}`, credentials.createInsecure(), {
    interceptors: [createClientInterceptor({ requestId: () => currentId })],
  }) as unknown as GenericClient;
});
afterAll(async () => {
  client.close();
  await server.stop();
});

describe('client interceptor and classifier', () => {
  it('propagates the caller id, so both services answer with the same id', async () => {
    currentId = '8b0a6f3e-2c1d-4e5f-9a8b-7c6d5e4f3a2b';
    const { error } = await callUnary(client, 'get', { kind: 'catalog' });
    expect(error?.metadata.get(REQUEST_ID_KEY)[0]).toBe(currentId);
    const fault = capture(error, { requestId: currentId, classifiers: [grpcClassifier] });
    expect(fault.id).toBe(currentId);
    expect(fault.category).toBe('not_found');
    expect(fault.code).toBe('GRPC_ORDER_NOT_FOUND'); // defined in this process's catalog too
    expect(fault.internal.reason).toContain(`upstream_request_id=${currentId}`);
  });

  it.each([
    ['pg', 409, 'CONFLICT'],
    ['refused', 503, 'UNAVAILABLE'],
    ['plain', 502, 'BAD_GATEWAY'],
    ['validation', 400, 'VALIDATION_FAILED'],
  ])('upstream %s -> caller answers %i %s without upstream text', async (kind, status, code) => {
    currentId = undefined;
    const { error } = await callUnary(client, 'get', { kind });
    expect(error).toBeDefined();
    const fault = capture(error, { classifiers: [grpcClassifier] });
    expect(fault.status).toBe(status);
    expect(fault.code).toBe(code);
    const body = renderProblem(fault);
    for (const leak of ['hunter2', 'E11000', 'ECONNREFUSED', 'orders.example.com']) expect(body).not.toContain(leak);
    expect(isUuid(JSON.parse(body).request_id)).toBe(true);
  });

  it('replaces received details with the generic message of the category', async () => {
    const { error } = await callUnary(client, 'get', { kind: 'refused' });
    expect((error as ServiceError).details).toBe(TAXONOMY.unavailable.message);
  });

  it('never turns an upstream UNAUTHENTICATED into the caller client 401', async () => {
    const { error } = await callUnary(client, 'get', { kind: 'plain' });
    const forged = Object.assign(Object.create(error as object), { code: 16, details: 'token rejected' });
    const fault = capture(forged, { classifiers: [grpcClassifier] });
    expect(fault.status).toBe(500);
  });
});
