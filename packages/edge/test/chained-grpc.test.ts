/**
 * gRPC through two generated gateways (nginx in front of HAProxy and the reverse, each hop's
 * cleartext HTTP/2 `grpc.listen`, the inner one trusting the outer), in front of `@faultline/grpc`:
 * one id from the outer hop to the handler, and the inner hop's own status passes the outer one.
 */
import { freePort } from '@faultline/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logged, UUID_V4 } from './answers.js';
import type { ChainKind } from './chain-helpers.js';
import { type Gateway, startHaproxy, startNginx } from './gateway.js';
import { expectGatewayStatus, first } from './grpc-answers.js';
import { callGrpc, type GrpcBackend, startGrpcBackend } from './grpc-backend.js';

const KINDS: readonly ChainKind[] = ['nginx>haproxy', 'haproxy>nginx'];
const DOMAIN = 'orders.example.com';
let backend: GrpcBackend;
const hops = new Map<ChainKind, { outer: Gateway; inner: Gateway; address: string }>();

/** Starts a gateway of `kind` whose gRPC listener is `listen`, routing `orders.v1.Orders` to `upstream`. */
async function grpcGateway(kind: string, listen: string, upstream: string, more: object): Promise<Gateway> {
  const grpc = { services: ['orders.v1.Orders'], domain: DOMAIN, upstreams: [upstream], listen: [listen] };
  const options = { upstreams: ['127.0.0.1:9'], grpc, ...more };
  const gateway = await (kind === 'nginx' ? startNginx : startHaproxy)(await freePort(), options);
  // The helpers wait for the HTTP listeners: both gateways bind every listener before they accept on any.
  return gateway;
}

beforeAll(async () => {
  backend = await startGrpcBackend(2500);
  await Promise.all(
    KINDS.map(async (kind) => {
      const [outerKind, innerKind] = kind.split('>') as [string, string];
      const [innerAddress, outerAddress] = [`127.0.0.1:${await freePort()}`, `127.0.0.1:${await freePort()}`];
      const inner = await grpcGateway(innerKind, innerAddress, `127.0.0.1:${backend.port}`, {
        readTimeout: 1,
        trustedGateways: ['127.0.0.1'],
      });
      const outer = await grpcGateway(outerKind, outerAddress, innerAddress, { readTimeout: 3 });
      hops.set(kind, { outer, inner, address: outerAddress });
    }),
  );
});

afterAll(async () => {
  for (const { outer, inner } of hops.values()) await Promise.all([outer.stop(), inner.stop()]);
  await backend?.close();
});

describe.each(KINDS)('gRPC chain %s', (kind) => {
  const chain = () => hops.get(kind) as { outer: Gateway; inner: Gateway; address: string };

  it("a call and the service's error: the outer hop's id at the handler, in both logs and the answer", async () => {
    const ok = await callGrpc(chain().address, '/orders.v1.Orders/Get', { q: 1 });
    const okId = first(ok.headers, 'x-request-id') as string;
    expect([ok.code, okId]).toEqual([0, expect.stringMatching(UUID_V4)]);
    expect(backend.seen.at(-1)).toBe(okId);
    const failed = await callGrpc(chain().address, '/orders.v1.Orders/Fail', {});
    const failedId = first(failed.trailers, 'x-request-id') as string;
    expect([failed.code, failed.details]).toEqual([13, 'An internal error occurred.']);
    expect(backend.seen.at(-1)).toBe(failedId);
    for (const [id, status] of [
      [okId, undefined],
      [failedId, '13'],
    ] as const)
      for (const gateway of [chain().outer, chain().inner])
        expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, ...(status && { grpc_status: status }) });
  });

  it("the inner hop's DEADLINE_EXCEEDED passes the outer hop as it came, with the one id", async () => {
    const result = await callGrpc(chain().address, '/orders.v1.Orders/Slow', {});
    const id = expectGatewayStatus(result, 'timeout', DOMAIN);
    expect(backend.seen.at(-1)).toBe(id);
    for (const gateway of [chain().outer, chain().inner])
      expect(await logged(gateway.dir, id)).toMatchObject({ request_id: id, grpc_status: '4' });
  });
});
