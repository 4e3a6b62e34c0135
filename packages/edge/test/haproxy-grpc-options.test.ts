/**
 * The `grpc` option of the HAProxy generator: every value that is not a plain service name,
 * address or domain is refused with an error naming it (nothing reaches the configuration), and
 * the gateway's gRPC statuses are core's, for every gateway failure.
 */
import { randomUUID } from 'node:crypto';
import { encodeStatusDetails, faultOf, TAXONOMY } from '@faultline/core/adapter';
import { describe, expect, it } from 'vitest';
import { grpcGatewayAnswers, grpcMessageOf } from '../src/grpc/answers.js';
import { DetailsBytes, detailsFormat } from '../src/haproxy/grpc-details.js';
import { GATEWAY_FAILURES, type GatewayFailure, type HaproxyOptions, renderHaproxy } from '../src/index.js';

const base: HaproxyOptions = { upstreams: ['127.0.0.1:8080'], tls: { certificate: '/etc/haproxy/site.pem' } };
const grpc = { upstreams: ['127.0.0.1:50051'], services: ['orders.v1.Orders'] };
const render = (options: unknown) => () => renderHaproxy({ ...base, grpc: options } as HaproxyOptions);

describe('HAProxy grpc option', () => {
  it.each([
    ['not an object', 'orders.v1.Orders', /grpc options "orders\.v1\.Orders"/],
    ['an unknown key', { ...grpc, routes: ['/'] }, /grpc option "routes"/],
    ['no upstream', { ...grpc, upstreams: [] }, /grpc upstreams \[\]/],
    [
      'an upstream that is not host:port',
      { ...grpc, upstreams: ['10.0.0.1:80;deny'] },
      /grpc upstream "10\.0\.0\.1:80;deny"/,
    ],
    ['an upstream twice', { ...grpc, upstreams: ['127.0.0.1:1', '127.0.0.1:1'] }, /given twice.*127\.0\.0\.1:1/],
    ['a service without a package', { ...grpc, services: ['Orders'] }, /grpc service "Orders"/],
    [
      'a service with a regex',
      { ...grpc, services: ['orders.v1.(Orders|x)'] },
      /grpc service "orders\.v1\.\(Orders\|x\)"/,
    ],
    ['a service with a quote', { ...grpc, services: ["orders.v1.O'"] }, /grpc service "orders\.v1\.O'"/],
    ['no service', { ...grpc, services: [] }, /grpc services \[\]/],
    ['a listener that is a path', { ...grpc, listen: ['/run/grpc.sock'] }, /grpc listen address "\/run\/grpc\.sock"/],
    [
      'a listener of the public ones',
      { ...grpc, listen: ['127.0.0.1:8443'] },
      /also another listener\) "127\.0\.0\.1:8443"/,
    ],
    ['a domain with a space', { ...grpc, domain: 'orders example' }, /grpc domain "orders example"/],
    ['a domain with a percent', { ...grpc, domain: 'orders%[env(HOME)]' }, /grpc domain "orders%\[env\(HOME\)\]"/],
  ])('refuses %s, naming the value', (_what, options, message) => {
    expect(render(options)).toThrow(message);
  });

  it('needs a certificate or listeners of its own', () => {
    expect(() => renderHaproxy({ upstreams: ['127.0.0.1:8080'], grpc })).toThrow(
      /gRPC needs `tls` .* or `grpc.listen`/,
    );
    expect(renderHaproxy({ upstreams: ['127.0.0.1:8080'], grpc: { ...grpc, listen: ['127.0.0.1:50050'] } })).toContain(
      'bind 127.0.0.1:50050 proto h2',
    );
  });

  it('routes the services to h2c servers, and leaves the configuration unchanged without it', () => {
    const config = renderHaproxy({ ...base, grpc: { ...grpc, services: ['orders.v1.Orders', 'pay_v2.Cards'] } });
    expect(config).toContain('server g1 127.0.0.1:50051 proto h2');
    expect(config).toContain("'^/(orders[.]v1[.]Orders|pay_v2[.]Cards)/[A-Za-z_][A-Za-z0-9_]*$'");
    expect(renderHaproxy(base)).not.toMatch(/grpc/);
  });
});

describe('the gateway gRPC statuses', () => {
  it('are core encoding of every gateway failure, the id where the parts join', () => {
    const answers = grpcGatewayAnswers({ domain: 'orders.example.com' });
    const id = randomUUID();
    for (const failure of Object.keys(GATEWAY_FAILURES) as GatewayFailure[]) {
      const category = GATEWAY_FAILURES[failure];
      const answer = answers[failure];
      expect(answer.code).toBe(TAXONOMY[category].grpc);
      expect(decodeURIComponent(answer.grpcMessage)).toBe(TAXONOMY[category].message);
      const fault = faultOf(category, { requestId: id, requestIdTrusted: true });
      const joined = Buffer.from(answer.details.map((part) => Buffer.from(part).toString('latin1')).join(id), 'latin1');
      expect(joined.equals(Buffer.from(encodeStatusDetails(fault, 'orders.example.com')))).toBe(true);
    }
  });

  it('percent-encode grpc-message as grpc-js writes it (encodeURI)', () => {
    expect(grpcMessageOf('Too many requests. Retry later.')).toBe('Too%20many%20requests.%20Retry%20later.');
    expect(grpcMessageOf('50% "ok" \\ é\n')).toBe('50%25%20%22ok%22%20%5C%20%C3%A9%0A');
  });

  it('are written as aligned base64 pieces whose windows hold the id', () => {
    const parts = [Buffer.from('\x08\x0e\x12\x24'), Buffer.from('\x1aT\n$'), Buffer.from('')];
    const bytes = new DetailsBytes();
    const format = detailsFormat(parts, bytes);
    // Rebuilt here as HAProxy evaluates it: each %[...] window is its bytes and the id, in base64.
    const values = new Map(
      bytes.globalLines().map((line) => line.match(/set-var (\S+) str\((\S+)\),b64dec/)?.slice(1) as [string, string]),
    );
    const id = randomUUID();
    const evaluated = format.replace(
      /%\[var\(([^)]+)\),((?:concat\(,[^,]+,\),)*)base64\]/g,
      (_all, head: string, rest: string) => {
        const names = [head, ...[...rest.matchAll(/concat\(,([^,]+),\)/g)].map((m) => m[1] as string)];
        const window = names.map((name) =>
          name === 'txn.request_id' ? Buffer.from(id) : Buffer.from(values.get(name) as string, 'base64'),
        );
        return Buffer.concat(window).toString('base64');
      },
    );
    expect(evaluated).toBe(
      Buffer.concat([parts[0] as Buffer, Buffer.from(id), parts[1] as Buffer, Buffer.from(id)]).toString('base64'),
    );
  });
});
