/**
 * Issue 12, item 3: the generated nginx gateway -> Fastify -> gRPC -> a data layer failing like
 * PostgreSQL, each service its own process with a real OpenTelemetry SDK. One failing request
 * yields one request id in the client's answer, the gateway's access log line, the Fastify record
 * and the gRPC record, and one trace whose spans in both services carry `app.error.id`. The
 * caller's answer carries none of the data layer's text.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
// The compiled topology: it forks its services from dist (built by `npm test`'s pretest).
import { startTopology, type Topology } from '../dist/edge/topology.js';
import { eventually, jsonLines } from './edge-topology-clients.js';

let topology: Topology;

beforeAll(async () => {
  topology = await startTopology(mkdtempSync(join(tmpdir(), 'faultline-topology-')));
}, 30_000);
afterAll(async () => {
  await topology?.stop();
});

it('one id and one trace from the edge to the failing data layer', async () => {
  const response = await fetch(`http://127.0.0.1:${topology.port}/api/orders/A-1/reserve`, { method: 'POST' });
  const text = await response.text();
  const id = response.headers.get('x-request-id') ?? '';
  expect(response.status).toBe(409);
  expect(response.headers.get('content-type')).toBe('application/problem+json; charset=utf-8');
  const body = JSON.parse(text) as Record<string, string>;
  expect(body).toMatchObject({ status: 409, code: 'CONFLICT', request_id: id });
  expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  for (const secret of ['orders_reference_key', 'duplicate', '23505', 'A-1', 'Inventory', 'grpc', 'pg', 'nginx'])
    expect(text).not.toContain(secret);

  const { files } = topology;
  const [edge] = await eventually(files.gatewayLog, (l) => l.request_id === id);
  expect(edge).toMatchObject({ status: 409, upstream_status: '409', method: 'POST' });
  const [apiRecord] = await eventually(files.apiRecords, (r) => r.request_id === id);
  expect(apiRecord).toMatchObject({ code: 'CONFLICT', classifier: 'grpc', protocol: 'http' });
  const [inventoryRecord] = await eventually(files.inventoryRecords, (r) => r.request_id === id);
  expect(inventoryRecord).toMatchObject({ code: 'CONFLICT', classifier: 'pg', reason: 'pg:23505', protocol: 'grpc' });

  const [apiSpan] = await eventually(
    files.apiSpans,
    (s) => (s.attributes as Record<string, unknown>)['app.error.id'] === id,
  );
  const [inventorySpan] = await eventually(
    files.inventorySpans,
    (s) => (s.attributes as Record<string, unknown>)['app.error.id'] === id,
  );
  expect(apiSpan?.trace_id).toBe(body.trace_id);
  expect(inventorySpan?.trace_id).toBe(apiSpan?.trace_id);
  expect(inventorySpan?.parent_span_id).toBe(apiSpan?.span_id);
  expect(inventorySpan?.attributes).toMatchObject({ 'app.error.code': 'CONFLICT' });
});

it('a success crosses the same path, and an unrouted path is answered by the gateway itself', async () => {
  const ok = await fetch(`http://127.0.0.1:${topology.port}/api/orders/B-9/reserve`, { method: 'POST' });
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ reference: 'B-9' });
  const missing = await fetch(`http://127.0.0.1:${topology.port}/admin`);
  expect(missing.status).toBe(404);
  const id = missing.headers.get('x-request-id');
  expect(await missing.json()).toMatchObject({ code: 'NOT_FOUND', request_id: id });
  expect(await eventually(topology.files.gatewayLog, (l) => l.request_id === id)).toHaveLength(1);
  expect(jsonLines(topology.files.apiRecords).some((r) => r.request_id === id)).toBe(false);
});

it('stops every process on request', async () => {
  await topology.stop();
  await expect(fetch(`http://127.0.0.1:${topology.port}/admin`)).rejects.toThrow();
});
