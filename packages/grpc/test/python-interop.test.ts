/**
 * Interop with a non-Node client: Debian's python3-grpcio and python3-protobuf decode
 * grpc-status-details-bin into google.rpc.Status with code and message equal to the status, and
 * see no trailer but Faultline's two, also for a thrown status object forging text, trailers and id,
 * and for values whose `code` looks like a gRPC status (5 without trailers, 0 with grpc-js's 'OK').
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GrpcStatus, isUuid, TAXONOMY } from '@faultline/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startServer } from './fixtures.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const protoDir = join(here, '..', '..', 'core', 'proto');
const PYTHON = '/usr/bin/python3'; // Debian's interpreter, where python3-grpcio is installed

type Started = Awaited<ReturnType<typeof startServer>>;
let server: Started;
let genDir = '';

beforeAll(async () => {
  server = await startServer();
  genDir = mkdtempSync(join(tmpdir(), 'faultline-pb2-'));
  await run('protoc', [
    `-I${protoDir}`,
    '-I/usr/include',
    `--python_out=${genDir}`,
    'google/rpc/status.proto',
    'google/rpc/error_details.proto',
  ]);
});
afterAll(async () => {
  await server.stop();
});

it('python grpcio decodes google.rpc.Status and ErrorInfo that match the status', async () => {
  const { stdout } = await run(
    PYTHON,
    [
      join(here, 'python', 'interop_client.py'),
      String(server.port),
      genDir,
      'pg',
      'catalog',
      'validation',
      'plain',
      'forged-status',
      'foreign-code',
      'downstream',
      'ok-message',
      'string',
    ],
    {
      timeout: 30_000,
    },
  );
  const results = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  const byKind = Object.fromEntries(results.map((r) => [r.kind, r]));
  for (const result of results) {
    expect(result.status_code).toBe(result.code);
    expect(result.status_message).toBe(result.details);
    expect(isUuid(result.request_id)).toBe(true);
    expect(result.metadata).toEqual({ requestId: result.request_id });
    expect(result.domain).toBe('orders.example.com');
    expect(result.detail_types).toContain('type.googleapis.com/google.rpc.ErrorInfo');
    expect(result.detail_types).toContain('type.googleapis.com/google.rpc.RequestInfo');
    expect(result.detail_types).not.toContain('type.googleapis.com/google.rpc.DebugInfo');
    expect(JSON.stringify(result)).not.toContain('hunter2');
    // Python sees the trailers as sent: Faultline's two keys (and grpc-js's date), nothing of the thrown value's.
    expect(result.trailer_keys).toEqual(['date', 'grpc-status-details-bin', 'x-request-id']);
  }
  // A downstream refusing this service's credentials: internal, its id and text nowhere.
  expect(byKind['forged-status']).toMatchObject({ code: GrpcStatus.INTERNAL, details: TAXONOMY.internal.message });
  expect(JSON.stringify(byKind['forged-status'])).not.toMatch(/0b1e2d3c|orders_private|x-injected/);
  expect(byKind.pg).toMatchObject({
    code: GrpcStatus.ALREADY_EXISTS,
    reason: 'CONFLICT',
    details: TAXONOMY.conflict.message,
  });
  expect(byKind.catalog).toMatchObject({ code: GrpcStatus.NOT_FOUND, reason: 'GRPC_ORDER_NOT_FOUND' });
  expect(byKind.plain).toMatchObject({ code: GrpcStatus.INTERNAL, reason: 'INTERNAL' });
  // Codes that look like gRPC statuses: a downstream's NOT_FOUND keeps its code, nothing of its text;
  // `code: 5` without trailers and an error whose code is 0 (OK) are the server's INTERNAL.
  expect(byKind.downstream).toMatchObject({ code: GrpcStatus.NOT_FOUND, reason: 'NOT_FOUND' });
  for (const kind of ['foreign-code', 'ok-message', 'string'])
    expect(byKind[kind]).toMatchObject({ code: GrpcStatus.INTERNAL, reason: 'INTERNAL' });
  expect(JSON.stringify(results)).not.toMatch(/0b1e2d3c|db\.internal|x-debug|\/srv\//);
  expect(byKind.validation).toMatchObject({
    code: GrpcStatus.INVALID_ARGUMENT,
    field_violations: [
      ['items[0].qty', 'Is below the minimum.'],
      ['email', 'Has an invalid format.'],
    ],
  });
}, 40_000);
