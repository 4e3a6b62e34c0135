/**
 * A non-Node client through the generated nginx: Debian's python3-grpcio, over TLS + HTTP/2 and
 * over the cleartext HTTP/2 listener, reads the same code, message and id from the gateway's own
 * statuses as from the application's, its google.rpc.Status decoded with python3-protobuf.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { TAXONOMY } from '@faultline/core';
import { freePort, makeDrainCertificates } from '@faultline/testkit';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { logged, UUID_V4 } from './answers.js';
import { type Gateway, startNginx } from './gateway.js';
import { type GrpcBackend, startGrpcBackend } from './grpc-backend.js';

const run = promisify(execFile);
const here = fileURLToPath(new URL('.', import.meta.url));
const PYTHON = '/usr/bin/python3'; // Debian's interpreter, where python3-grpcio is installed

let backend: GrpcBackend;
let gateway: Gateway;
let down: Gateway;
let certDir = '';
let genDir = '';
let downH2c = '';

beforeAll(async () => {
  backend = await startGrpcBackend();
  certDir = makeDrainCertificates().dir;
  genDir = mkdtempSync(join(tmpdir(), 'faultline-edge-pb2-'));
  const [port, downPort, downGrpcPort, deadPort] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
  downH2c = `127.0.0.1:${downGrpcPort}`;
  const grpc = { services: ['orders.v1.Orders'], domain: 'orders.example.com' };
  [gateway, down] = await Promise.all([
    startNginx(port, {
      upstreams: ['127.0.0.1:9'],
      tls: { certificate: join(certDir, 'server.crt'), key: join(certDir, 'server.key') },
      grpc: { ...grpc, upstreams: [`127.0.0.1:${backend.port}`] },
    }),
    startNginx(downPort, {
      upstreams: ['127.0.0.1:9'],
      grpc: { ...grpc, upstreams: [`127.0.0.1:${deadPort}`], listen: [downH2c] },
    }),
    run('protoc', [
      `-I${join(here, '..', '..', 'core', 'proto')}`,
      '-I/usr/include',
      `--python_out=${genDir}`,
      'google/rpc/status.proto',
      'google/rpc/error_details.proto',
    ]),
  ]);
});

afterAll(async () => {
  await Promise.all([gateway?.stop(), down?.stop()]);
  await backend?.close();
});

type PyResult = Record<string, unknown> & { path: string; code: number };

/** Runs the Python client against `target` (`ca`: TLS with the test CA, `-`: cleartext) for `paths`. */
async function python(target: string, ca: string, paths: string[]): Promise<PyResult[]> {
  const script = join(here, 'python', 'grpc_gateway_client.py');
  const { stdout } = await run(PYTHON, [script, target, genDir, ca, ...paths], { timeout: 20_000 });
  return stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as PyResult);
}

/** A status as `@faultline/grpc` sends it for `category`, read by Python: returns its one id. */
function expectStatus(result: PyResult, category: keyof typeof TAXONOMY, domain: string): string {
  const spec = TAXONOMY[category];
  expect(result).toMatchObject({
    code: spec.grpc,
    details: spec.message,
    status_code: spec.grpc,
    status_message: spec.message,
    reason: spec.code,
    domain,
  });
  const [id, ...more] = result.request_ids as string[];
  expect(more).toEqual([]);
  expect(id).toMatch(UUID_V4);
  expect(result).toMatchObject({ request_info_id: id, metadata: { requestId: id } });
  expect(result.other_details).toBeUndefined();
  // Nothing but the id, the details and the two headers nginx writes on any answer.
  expect(result.trailer_keys).toEqual(['content-length', 'date', 'grpc-status-details-bin', 'x-request-id']);
  return id as string;
}

it('over TLS + HTTP/2: a success with the gateway id, an application error and an unrouted service', async () => {
  const [ok, failed, unrouted] = await python(`127.0.0.1:${gateway.port}`, join(certDir, 'ca.crt'), [
    '/orders.v1.Orders/Get',
    '/orders.v1.Orders/Fail',
    '/other.v1.Other/Get',
  ]);
  expect(ok).toMatchObject({ code: 0 });
  expect(ok?.header_id).toMatch(UUID_V4);
  expect(backend.seen).toContain(ok?.header_id);
  const appId = expectStatus(failed as PyResult, 'internal', 'orders.example.com');
  expect(backend.seen.at(-1)).toBe(appId);
  expect(await logged(gateway.dir, appId)).toMatchObject({ status: 200, uri: '/orders.v1.Orders/Fail' });
  const ownId = expectStatus(unrouted as PyResult, 'not_implemented', 'orders.example.com');
  expect(await logged(gateway.dir, ownId)).toMatchObject({ status: 200, uri: '/other.v1.Other/Get' });
});

it('over cleartext HTTP/2, backend down: UNAVAILABLE, the id in the trailer, RequestInfo and ErrorInfo', async () => {
  const [result] = await python(downH2c, '-', ['/orders.v1.Orders/Get']);
  const id = expectStatus(result as PyResult, 'bad_gateway', 'orders.example.com');
  expect(result?.code).toBe(14);
  expect(await logged(down.dir, id)).toMatchObject({ status: 200, protocol: 'HTTP/2.0' });
});
