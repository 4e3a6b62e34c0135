/**
 * The probe pointed at the generated gateways (real nginx and HAProxy) in front of Faultline
 * services (Fastify, grpc-js and ws with their adapters): what an operator gets is a clean run with
 * coverage on every protocol and listener, apart from the gateways' documented limits (low, no leak).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Backends, GRPC_METHODS, startBackends } from './behind-gateway.js';
import { builtIn400, type Gateway, notable, probeAt, startGateway } from './behind-gateway-edge.js';

const PATHS = { paths: ['/api/orders/1'] };

describe.each(['nginx', 'haproxy'] as const)('a Faultline stack behind %s', (kind) => {
  let backends: Backends;
  let gateway: Gateway;
  beforeAll(async () => {
    backends = await startBackends(true);
    gateway = await startGateway(kind, backends);
  });
  afterAll(async () => {
    await gateway?.stop();
    await backends?.stop();
  });

  it('gRPC on the TLS listener and on grpc.listen (h2c): clean, both methods reached, every call answered', async () => {
    const runs = await Promise.all([
      probeAt(`grpcs://127.0.0.1:${gateway.tls}`, { grpcMethods: GRPC_METHODS }),
      probeAt(`grpc://127.0.0.1:${gateway.h2c}`, { grpcMethods: GRPC_METHODS }),
    ]);
    for (const run of runs) {
      expect(run.verdict, run.target).toBe('clean');
      expect([...run.coverage.reached].sort()).toEqual([...GRPC_METHODS].sort());
      expect(run.answered).toBe(run.requests);
    }
  });

  it('WebSocket through the tunnel (ws and wss): the endpoint reached, no finding but HAProxy parser page', async () => {
    const runs = await Promise.all([
      probeAt(`ws://127.0.0.1:${gateway.plain}/ws`),
      probeAt(`wss://127.0.0.1:${gateway.tls}/ws`),
    ]);
    for (const run of runs) {
      expect(run.coverage.reached).toEqual([run.target]);
      expect(run.answered).toBe(run.requests);
      // HAProxy 2.6 answers a Sec-WebSocket-Key that is not 24 characters with its parser's page.
      expect(notable(run)).toEqual(kind === 'nginx' ? [] : builtIn400('ws bad-handshake'));
      expect(run.verdict).toBe(kind === 'nginx' ? 'clean' : 'findings');
    }
  });

  it('HTTP/1.1, plain and over TLS: routes reached, no finding but HAProxy parser page', async () => {
    const runs = await Promise.all([
      probeAt(`http://127.0.0.1:${gateway.plain}/api/orders`, PATHS),
      probeAt(`https://127.0.0.1:${gateway.tls}/api/orders`, PATHS),
    ]);
    for (const run of runs) {
      expect(run.coverage.reached).toEqual(expect.arrayContaining(['POST /api/orders', 'GET /api/orders/1']));
      // HAProxy answers an oversized body's head at once and closes: the rest of the body may meet a
      // reset that takes the answer with it (EPIPE, a race of TCP, not of the gateway's answer).
      const raced = kind === 'haproxy' && run.unanswered.closed > 0;
      expect(run.unanswered).toMatchObject({ timeout: 0, unparseable: 0 });
      expect(run.unanswered.closed).toBeLessThanOrEqual(kind === 'haproxy' ? 2 : 0);
      // HAProxy 2.6 answers invalid UTF-8 in the request line with its parser's page (no stream, no id).
      const expected = kind === 'nginx' ? [] : builtIn400('http invalid-utf8');
      expect(notable(run)).toEqual(raced ? [...expected, 'availability/unanswered @ all'] : expected);
      expect(run.verdict).toBe(kind === 'nginx' ? 'clean' : 'findings');
    }
  });

  it('HTTP/2 over TLS: clean on HAProxy; nginx ends the session on an oversized header, so only closed probes go unanswered (low)', async () => {
    const run = await probeAt(`https://127.0.0.1:${gateway.tls}/api/orders`, { ...PATHS, http2: true });
    expect(run.coverage.reached).toEqual(expect.arrayContaining(['POST /api/orders', 'GET /api/orders/1']));
    if (kind === 'haproxy') {
      expect(run.verdict).toBe('clean');
      expect(run.answered).toBe(run.requests);
      return;
    }
    // nginx ends the whole connection (GOAWAY) on a header over its buffers: the oversized-header
    // probe of each path and the probes in flight on that session with it get no answer (closed).
    // Sending those again alone, on a session of their own, aborted Node 22's process (a native
    // assertion in its HTTP/2 stream code): not done.
    expect(run.unanswered).toMatchObject({ timeout: 0, unparseable: 0 });
    expect(run.unanswered.closed).toBeGreaterThanOrEqual(2);
    expect(run.answered).toBe(run.requests - run.unanswered.closed);
    expect(notable(run)).toEqual(['availability/unanswered @ all']);
    expect(run.findings.find((f) => f.rule === 'availability/unanswered')?.severity).toBe('low');
  });
});
