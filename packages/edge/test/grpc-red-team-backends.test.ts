/**
 * Red team, hostile or broken gRPC backends behind both generated gateways (nginx and HAProxy,
 * each over TLS + HTTP/2 and over h2c `grpc.listen`): an HTTP page, a redirect or any other HTTP
 * status in place of gRPC is replaced by the gateway's own gRPC status of its category (nothing of
 * the page, its headers or its Location reaches the client); a backend that is not HTTP/2, one
 * silent, one that hangs after its headers, one sending a 1xx, an enormous header, a leaky status,
 * a status without a content type: a gRPC status (or the reset the README documents), and the
 * gateway answers the next call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UUID_V4 } from './answers.js';
import { expectGatewayStatus, expectNoLeak, received } from './grpc-red-team-answers.js';
import {
  grpcFrame,
  type HostileBackend,
  LEAKY,
  startHostileBackend,
  startHttp1Backend,
} from './grpc-red-team-backend.js';
import { grpcHeaders, h2Exchange } from './grpc-red-team-client.js';
import { type RedTeamGateways, type RedTeamTarget, startRedTeamGateways } from './grpc-red-team-gateways.js';
import type { RawBackend } from './raw-backend.js';

let backend: HostileBackend;
let http1: RawBackend;
let gateways: RedTeamGateways;
let http1Gateways: RedTeamGateways;

beforeAll(async () => {
  [backend, http1] = await Promise.all([startHostileBackend(), startHttp1Backend()]);
  [gateways, http1Gateways] = await Promise.all([
    startRedTeamGateways(backend.port),
    // HAProxy waits out the connect timeout on a server that is not HTTP/2 (README).
    startRedTeamGateways(http1.port, 1),
  ]);
});

afterAll(async () => {
  await Promise.all([gateways?.stop(), http1Gateways?.stop()]);
  await Promise.all([backend?.stop(), http1?.stop()]);
});

/** Calls `/orders.v1.Orders/<method>` on `target`. */
const call = (target: RedTeamTarget, method: string) =>
  h2Exchange(target, { headers: grpcHeaders(`/orders.v1.Orders/${method}`), body: grpcFrame('{}') });

/** Runs `check` on every listener of both gateways at once, then checks each still answers a call. */
async function onEveryListener(check: (target: RedTeamTarget) => Promise<void>, all = gateways) {
  await Promise.all(all.targets.map(check));
  const next = await Promise.all(gateways.targets.map((target) => call(target, 'Echo')));
  for (const result of next) expect(result.trailers?.['grpc-status'], received(result)).toBe('0');
}

describe('red team: an HTTP status in place of gRPC is the gateway status of its category', () => {
  it('a 403 HTML page naming a path: PERMISSION_DENIED, nothing of the page', async () => {
    await onEveryListener(async (target) => {
      const result = await call(target, 'Forbidden');
      const id = await expectGatewayStatus(result, 'forbidden', target);
      expect(backend.seen).toContain(id);
    });
  });

  it('a 500 HTML page with a stack and leaky headers: INTERNAL, nothing of the page', async () => {
    await onEveryListener(async (target) => {
      await expectGatewayStatus(await call(target, 'Html'), 'internal', target);
    });
  });

  it('a redirect to an internal host: INTERNAL, no Location', async () => {
    await onEveryListener(async (target) => {
      const result = await call(target, 'Redirect');
      await expectGatewayStatus(result, 'internal', target);
      expect(result.headers?.location).toBeUndefined();
    });
  });
});

describe('red team: other broken backends', () => {
  it("a status naming SQL and hosts passes (documented); the backend's product headers never do", async () => {
    await onEveryListener(async (target) => {
      const result = await call(target, 'Leak');
      expect(result.trailers?.['grpc-status']).toBe('13');
      for (const name of Object.keys(LEAKY)) expect(result.headers?.[name]).toBeUndefined();
      // nginx hides them in the trailers too; HAProxy 2.6 runs no rule on trailers (README).
      if (target.name.startsWith('nginx'))
        for (const name of Object.keys(LEAKY)) expect(result.trailers?.[name]).toBeUndefined();
      expect(String(result.headers?.['x-request-id'])).toMatch(UUID_V4);
    });
  });

  it('a trailers-only status without a content type passes with its status and the id', async () => {
    await onEveryListener(async (target) => {
      const result = await call(target, 'NoType');
      expect(result.headersOnly).toBe(true);
      expect(result.headers).toMatchObject({ ':status': 200, 'grpc-status': '5' });
      expect(String(result.headers?.['x-request-id'])).toMatch(UUID_V4);
    });
  });

  it('an enormous header: nginx answers UNAVAILABLE; HAProxy relays it (no leak either way)', async () => {
    await onEveryListener(async (target) => {
      const result = await call(target, 'Huge');
      if (target.name.startsWith('nginx')) await expectGatewayStatus(result, 'bad_gateway', target);
      else expect(result.trailers).toBeUndefined();
      expectNoLeak(result, backend.port);
    });
  });

  it('a 1xx before the answer: nginx answers UNAVAILABLE; HAProxy passes the answer', async () => {
    await onEveryListener(async (target) => {
      const result = await call(target, 'Interim');
      if (target.name.startsWith('nginx')) await expectGatewayStatus(result, 'bad_gateway', target);
      else expect(result.headers?.[':status']).toBe(200);
      expectNoLeak(result, backend.port);
      // HAProxy 2.6 relays a 1xx with its headers, no rule run on it (README's known limits).
      expect(result.interim).toHaveLength(target.name.startsWith('nginx') ? 0 : 1);
    });
  });

  // The slow ones at once: each waits out a timeout (read, connect and HAProxy's retries).
  it('silent: DEADLINE_EXCEEDED; hanging after its headers: no status (documented); not HTTP/2: UNAVAILABLE', async () => {
    await Promise.all([
      onEveryListener(async (target) => {
        await expectGatewayStatus(await call(target, 'Silent'), 'timeout', target);
      }),
      onEveryListener(async (target) => {
        const result = await call(target, 'Hang');
        expect(result.headers?.[':status']).toBe(200);
        expect(result.trailers?.['grpc-status']).toBeUndefined();
        expect(result.timedOut).toBe(false);
      }),
      // A server that answers the HTTP/2 preface with an HTTP/1.1 500 HTML page and closes.
      onEveryListener(async (target) => {
        const result = await call(target, 'Get');
        await expectGatewayStatus(result, target.name.startsWith('nginx') ? 'bad_gateway' : 'unavailable', target);
      }, http1Gateways),
    ]);
  });
});
