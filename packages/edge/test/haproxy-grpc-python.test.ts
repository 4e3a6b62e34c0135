/**
 * gRPC through the generated HAProxy with a client that is not grpc-js: Debian's python3-grpcio
 * over TLS + HTTP/2 and over h2c. It gets the gateway's id on success, the application's status
 * as sent, and the gateway's own statuses (UNIMPLEMENTED, the timeout's code, UNAVAILABLE) with
 * the same code and message in grpc-status-details-bin (python3-protobuf decodes it: grpcio-status
 * rejects a blob that differs), ErrorInfo in the gRPC adapter's shape and RequestInfo with the id.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { GrpcStatus, TAXONOMY } from '@faultline/core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { LEAKS, UUID_V4 } from './answers.js';
import { DOMAIN } from './haproxy-grpc-backend.js';
import { type GrpcGateways, startGrpcGateways } from './haproxy-grpc-gateways.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's interpreter, where python3-grpcio is installed

let gateways: GrpcGateways;
let genDir = '';

beforeAll(async () => {
  genDir = mkdtempSync(join(tmpdir(), 'faultline-edge-pb2-'));
  const protoDir = join(here, '..', '..', 'core', 'proto');
  [gateways] = await Promise.all([
    startGrpcGateways(),
    run('protoc', [
      `-I${protoDir}`,
      '-I/usr/include',
      `--python_out=${genDir}`,
      'google/rpc/status.proto',
      'google/rpc/error_details.proto',
    ]),
  ]);
}, 30_000);

afterAll(async () => {
  await gateways?.stop();
});

type Result = Record<string, unknown> & { target: string; call: string };

it('python grpcio gets the ids, the application status and the gateway statuses, TLS and h2c alike', async () => {
  const { ports, caFile } = gateways;
  const { stdout } = await run(
    PYTHON,
    [
      join(here, 'python', 'haproxy_grpc_client.py'),
      genDir,
      `tls:${ports.tls}:${caFile}:get,fail,unknown,slow`,
      `h2c:${ports.h2c}::get,fail,unknown`,
      `down-tls:${ports.downTls}:${caFile}:get`,
      `down-h2c:${ports.downH2c}::get`,
    ],
    { timeout: 20_000 },
  );
  const results = stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Result);
  const of = (target: string, call: string) => results.find((r) => r.target === target && r.call === call);
  expect(results).toHaveLength(9);
  expect(JSON.stringify(results)).not.toMatch(LEAKS);
  expect(JSON.stringify(results)).not.toContain(String(gateways.backend.port));
  for (const target of ['tls', 'h2c']) {
    const ok = of(target, 'get') as Result & { headers: Record<string, string>; value: { id: string } };
    expect(ok.code).toBe(0);
    expect(ok.headers['x-request-id']).toMatch(UUID_V4);
    expect(ok.value.id).toBe(ok.headers['x-request-id']);
    expect(ok.headers).not.toHaveProperty('server');
    const fail = of(target, 'fail');
    expect(fail).toMatchObject({
      code: GrpcStatus.NOT_FOUND,
      details: 'The order does not exist.',
      reason: 'ORDER_NOT_FOUND',
      domain: DOMAIN,
    });
    expect(gateways.backend.seen).toContain(fail?.request_id);
    expect(fail?.request_info_id).toBe(fail?.request_id);
  }
  const gatewayStatuses: [string, string, keyof typeof TAXONOMY][] = [
    ['tls', 'unknown', 'not_implemented'],
    ['h2c', 'unknown', 'not_implemented'],
    ['tls', 'slow', 'timeout'],
    ['down-tls', 'get', 'unavailable'],
    ['down-h2c', 'get', 'unavailable'],
  ];
  for (const [target, call, category] of gatewayStatuses) {
    const result = of(target, call) as Result;
    const id = result.request_id as string;
    expect(id).toMatch(UUID_V4);
    expect(result).toMatchObject({
      code: TAXONOMY[category].grpc,
      details: TAXONOMY[category].message,
      status_code: TAXONOMY[category].grpc,
      status_message: TAXONOMY[category].message,
      reason: category.toUpperCase(),
      domain: DOMAIN,
      metadata: { requestId: id },
      request_info_id: id,
    });
    // grpcio keeps content-type to itself; HAProxy adds content-length: 0; nothing else.
    const keys = (result.trailer_keys as string[]).filter((key) => key !== 'content-length');
    expect(keys).toEqual(['grpc-status-details-bin', 'x-request-id']);
  }
}, 30_000);
