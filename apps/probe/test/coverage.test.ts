/**
 * Coverage: a run that reached none of the application is never called clean. A gRPC server
 * without reflection and no method named, methods named that it does not serve, an HTTP service
 * whose every route the probe tried is a 404: the verdict is `uncovered`, the report says what to
 * give, and the CLI exits 2. The standard health service is listed only where it is served.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { faultline, faultlineServerOptions } from '@faultline/fastify';
import { Server, ServerCredentials, status, type UntypedServiceImplementation } from '@grpc/grpc-js';
import Fastify from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startGrpc } from '../../demo/src/grpc-service.js';
import { startUpstreams, type Upstreams } from '../../demo/src/upstreams.js';
import { type RunResult, runProbe, toTable } from '../src/index.js';
import { parseTarget } from '../src/target.js';

const bin = fileURLToPath(new URL('../bin/faultline-probe.js', import.meta.url));
const METHODS = ['/demo.Orders/GetOrder', '/demo.Orders/CreateOrder'];
const CHECK = '/grpc.health.v1.Health/Check';
const WATCH = '/grpc.health.v1.Health/Watch';

function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
      resolve({ code: error === null ? 0 : typeof error.code === 'number' ? error.code : -1, stdout, stderr }),
    );
  });
}

const raw = { serialize: (b: Buffer) => b, deserialize: (b: Buffer) => b };

/** A plain grpc-js server with one method, and the standard health service's Check when `health` (it answers SERVING). */
async function grpcServer(health: boolean): Promise<{ port: number; server: Server }> {
  const server = new Server();
  const method = (path: string) => ({
    path,
    requestStream: false,
    responseStream: false,
    requestSerialize: raw.serialize,
    requestDeserialize: raw.deserialize,
    responseSerialize: raw.serialize,
    responseDeserialize: raw.deserialize,
  });
  server.addService({ ping: method('/shop.Status/Ping') }, {
    ping: (_call: unknown, callback: (e: null, b: Buffer) => void) => callback(null, Buffer.alloc(0)),
  } as unknown as UntypedServiceImplementation);
  if (health)
    server.addService({ check: method(CHECK) }, {
      // HealthCheckResponse { status: SERVING }; an unknown service name is NOT_FOUND, as the standard says.
      check: (call: { request: Buffer }, callback: (e: object | null, b?: Buffer) => void) =>
        call.request.length > 0
          ? callback({ code: status.NOT_FOUND, details: 'unknown service' })
          : callback(null, Buffer.from([0x08, 0x01])),
    } as unknown as UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))),
  );
  return { port, server };
}

describe('gRPC: a run that probed no application method says so', () => {
  let upstreams: Upstreams;
  let demo: Awaited<ReturnType<typeof startGrpc>>;
  let url = '';
  beforeAll(async () => {
    upstreams = await startUpstreams();
    // The Faultline demo's gRPC server: no server reflection, no health service.
    demo = await startGrpc(0, upstreams);
    url = `grpc://127.0.0.1:${demo.port}`;
  });
  afterAll(async () => {
    demo.server.forceShutdown();
    await upstreams.close();
  });

  it('no reflection and no method named: uncovered, not clean, and the report says how to get coverage', async () => {
    const result = await runProbe(parseTarget(url, false), { timeoutMs: 30_000 });
    expect(result.answered).toBeGreaterThan(0);
    expect(result.verdict).toBe('uncovered');
    expect(result.coverage.reached).toEqual([]);
    expect(result.coverage.notServed).toContain('server reflection');
    expect(result.coverage.gap).toMatch(/No application method was probed: the server does not serve reflection/);
    expect(result.coverage.gap).toContain('--grpc-method');
    expect(result.coverage.gap).toContain('--proto');
    const table = toTable(result);
    expect(table).toMatch(/^NOT COVERED: No application method was probed/m);
    expect(table).toMatch(/verdict: uncovered$/);
  });

  it('the CLI: --json carries the verdict and the gap, and the exit code is 2 with the reason on stderr', async () => {
    const { code, stdout, stderr } = await cli([url, '--json', '--timeout', '30']);
    expect(code, stderr).toBe(2);
    const report = JSON.parse(stdout) as RunResult;
    expect(report.verdict).toBe('uncovered');
    expect(report.coverage.gap).toContain('--grpc-method');
    expect(stderr).toContain('No application method was probed');
  });

  it('the same server with --grpc-method: its methods are reached and the verdict is clean', async () => {
    const result = await runProbe(parseTarget(url, false), { timeoutMs: 30_000, grpcMethods: METHODS });
    expect(result.coverage.reached.sort()).toEqual([...METHODS].sort());
    expect(result.coverage.gap).toBeUndefined();
    expect(result.verdict).toBe('clean');
    const { code, stdout } = await cli([url, '--grpc-method', METHODS[0] as string, '--timeout', '30']);
    expect(code, stdout).toBe(0);
    expect(stdout).toMatch(/verdict: clean$/m);
  });

  it('methods named that the server does not serve (UNIMPLEMENTED): uncovered, and the note says so', async () => {
    const result = await runProbe(parseTarget(url, false), {
      timeoutMs: 30_000,
      grpcMethods: ['/demo.Orders/NoSuchMethod'],
    });
    expect(result.verdict).toBe('uncovered');
    expect(result.coverage.gap).toMatch(/the 1 method\(s\) probed all answered UNIMPLEMENTED/);
  });
});

describe('gRPC: the standard health service is listed only where it is served', () => {
  it.each([
    ['served', true],
    ['not served', false],
  ])('health %s', async (_label, health) => {
    const { port, server } = await grpcServer(health);
    try {
      const result = await runProbe(parseTarget(`grpc://127.0.0.1:${port}`, false), { timeoutMs: 30_000 });
      const discovered = result.discovered.map((d) => `${d.how}: ${d.what}`);
      if (health) {
        expect(discovered).toContain(`standard health service: ${CHECK}`);
        expect(result.coverage.notServed).not.toContain(`${CHECK} (UNIMPLEMENTED)`);
      } else {
        expect(discovered.filter((d) => d.includes('grpc.health'))).toEqual([]);
        expect(result.coverage.notServed).toContain(`${CHECK} (UNIMPLEMENTED)`);
        expect(toTable(result)).toMatch(/^not served: .*\/grpc\.health\.v1\.Health\/Check \(UNIMPLEMENTED\)/m);
      }
      // Watch is served by neither: never listed as discovered.
      expect(discovered).not.toContain(`standard health service: ${WATCH}`);
      expect(result.coverage.notServed).toContain(`${WATCH} (UNIMPLEMENTED)`);
      // The health service is not the application: no method of it was reached either way.
      expect(result.coverage.reached).toEqual([]);
      expect(result.verdict).not.toBe('clean');
    } finally {
      server.forceShutdown();
    }
  });
});

describe('HTTP: a service whose every route the probe tried is a 404', () => {
  let app: Awaited<ReturnType<typeof Fastify>>;
  let url = '';
  beforeAll(async () => {
    app = Fastify(faultlineServerOptions());
    await app.register(faultline, { reporter: false });
    // Routes no discovery finds (no OpenAPI document, no link, no common path); Faultline hides their errors.
    app.get('/shop/orders/:id', async () => {
      throw new Error('select * from orders where id = $1 failed on 10.0.4.12');
    });
    app.post('/shop/orders', async () => {
      throw new Error('insert failed on postgres://orders:hunter2@10.0.4.12:5432/shop');
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app.close();
  });

  it('given only its base URL: uncovered, and the report names --path and --openapi', async () => {
    const result = await runProbe(parseTarget(url, false), { timeoutMs: 40_000 });
    expect(result.answered).toBeGreaterThan(20);
    expect(result.findings.filter((f) => f.severity !== 'info')).toEqual([]);
    expect(result.verdict).toBe('uncovered');
    expect(result.coverage.reached).toEqual([]);
    expect(result.coverage.gap).toMatch(/No application route was reached/);
    expect(result.coverage.gap).toContain('--path');
    expect(result.coverage.gap).toContain('--openapi');
    const { code, stderr } = await cli([url, '--timeout', '40']);
    expect(code, stderr).toBe(2);
    expect(stderr).toContain('No application route was reached');
  });

  it('with its routes named: they are reached and the verdict is clean', async () => {
    const result = await runProbe(parseTarget(url, false), {
      timeoutMs: 40_000,
      noDiscovery: true,
      paths: ['/shop/orders', '/shop/orders/1'],
    });
    expect(result.coverage.reached).toEqual(expect.arrayContaining(['POST /shop/orders', 'GET /shop/orders/1']));
    expect(result.coverage.gap).toBeUndefined();
    expect(result.verdict).toBe('clean');
  });
});
