/**
 * The probe pointed at the generated gateways in front of services that are not Faultline's: it
 * reports the leaks that pass the gateway (a gRPC status's message with SQL, documented to pass; a
 * WebSocket close reason with a stack, inside the opaque tunnel), and nothing the gateway removed
 * (the HTTP 500 with SQL and a path, replaced by its page; headers naming products and hosts).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, GRPC_METHODS, startBackends } from './behind-gateway.js';
import { type Gateway, probeAt, startGateway } from './behind-gateway-edge.js';

const PATHS = { paths: ['/api/orders/1'] };

let backends: Backends;
beforeAll(async () => {
  backends = await startBackends(false);
});
afterAll(async () => {
  await backends?.stop();
});

it('straight at the backend, the probe finds the HTTP leaks the gateways must remove', async () => {
  const run = await probeAt(`http://127.0.0.1:${backends.http}/api/orders`, PATHS);
  const rules = new Set(run.findings.map((f) => f.rule));
  for (const rule of ['leak/sql', 'leak/path', 'leak/version', 'leak/private-ip'])
    expect([...rules], rule).toContain(rule);
});

describe.each(['nginx', 'haproxy'] as const)('behind %s', (kind) => {
  let gateway: Gateway;
  beforeAll(async () => {
    gateway = await startGateway(kind, backends);
  });
  afterAll(async () => {
    await gateway?.stop();
  });

  it('gRPC (TLS and h2c): the SQL in grpc-message passes the gateway, and is reported at the method', async () => {
    const runs = await Promise.all([
      probeAt(`grpcs://127.0.0.1:${gateway.tls}`, { grpcMethods: GRPC_METHODS }),
      probeAt(`grpc://127.0.0.1:${gateway.h2c}`, { grpcMethods: GRPC_METHODS }),
    ]);
    for (const run of runs) {
      expect(run.verdict).toBe('findings');
      const sql = run.findings.find((f) => f.rule === 'leak/sql');
      expect(sql).toMatchObject({ severity: 'high', location: '/orders.v1.Orders/Create' });
      expect(sql?.evidence).toContain('orders_ref_key');
    }
  });

  it('WebSocket (ws and wss): the stack in the close reason passes the tunnel, and is reported', async () => {
    const runs = await Promise.all([
      probeAt(`ws://127.0.0.1:${gateway.plain}/ws`),
      probeAt(`wss://127.0.0.1:${gateway.tls}/ws`),
    ]);
    for (const run of runs) {
      const stack = run.findings.find((f) => f.rule === 'leak/stack-node');
      expect(stack).toMatchObject({ severity: 'high', location: run.target });
      expect(stack?.evidence).toContain('/srv/app/orders.js');
    }
  });

  it('HTTP (plain, TLS, HTTP/2): no leak the gateway removed is reported; its JSON 404s pass and are', async () => {
    const runs = await Promise.all([
      probeAt(`http://127.0.0.1:${gateway.plain}/api/orders`, PATHS),
      probeAt(`https://127.0.0.1:${gateway.tls}/api/orders`, PATHS),
      probeAt(`https://127.0.0.1:${gateway.tls}/api/orders`, { ...PATHS, http2: true }),
    ]);
    for (const run of runs) {
      expect(run.coverage.reached).toContain('POST /api/orders');
      // The 500 naming SQL and /srv/app/db.js became the gateway's page; Server, X-Powered-By and Via are gone.
      expect(run.findings.filter((f) => f.rule.startsWith('leak/'))).toEqual([]);
      // Fastify's own JSON 404 ("Route GET:/api/orders/<input> not found") passes as documented: reflection.
      expect(run.findings.map((f) => f.rule)).toContain('reflect/input');
    }
  });
});
