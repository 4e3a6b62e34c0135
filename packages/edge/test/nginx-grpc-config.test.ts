/**
 * The gRPC option of the nginx generator without running nginx: strict checks (every refusal
 * names the value), the gateway's gRPC answers equal to what core encodes for the same category,
 * the njs details function's bytes, the CLI's `--grpc-*`, and a configuration without the option
 * that carries nothing of gRPC.
 */
import { randomUUID } from 'node:crypto';
import { encodeStatusDetails, faultOf, TAXONOMY } from '@faultline/core/adapter';
import { describe, expect, it } from 'vitest';
import { haproxyOptionsOf, nginxOptionsOf } from '../src/cli-args.js';
import {
  GATEWAY_FAILURES,
  type GatewayFailure,
  grpcGatewayAnswers,
  type NginxOptions,
  renderHaproxy,
  renderNginx,
} from '../src/index.js';
import { njsGrpcDetails } from '../src/nginx/grpc-script.js';

const base: NginxOptions = { upstreams: ['127.0.0.1:3000'] };
const grpc = { upstreams: ['127.0.0.1:50051'], services: ['orders.v1.Orders'], listen: ['127.0.0.1:50050'] };

describe('the gRPC option is checked strictly', () => {
  const refused: [string, Partial<NonNullable<NginxOptions['grpc']>> & Record<string, unknown>, string | RegExp][] = [
    ['a service without a package', { services: ['Orders'] }, 'grpc service "Orders"'],
    ['a method path', { services: ['orders.v1.Orders/Get'] }, 'grpc service "orders.v1.Orders/Get"'],
    ['a service ending a directive', { services: ['orders.v1;Orders'] }, 'grpc service "orders.v1;Orders"'],
    ['a service naming a variable', { services: ['orders.$host'] }, 'grpc service "orders.$host"'],
    ['no service', { services: [] }, 'grpc services []'],
    ['a service twice', { services: ['a.B', 'a.B'] }, 'grpc services (given twice) "a.B"'],
    ['no upstream', { upstreams: [] }, 'grpc upstreams []'],
    ['an upstream with a path', { upstreams: ['10.0.0.5:50051/x'] }, 'grpc upstream "10.0.0.5:50051/x"'],
    ['a listener repeating the public one', { listen: ['127.0.0.1:8443'] }, '"127.0.0.1:8443"'],
    ['a listener that is no address', { listen: ['0.0.0.0'] }, 'grpc listen address "0.0.0.0"'],
    ['a domain with a space', { domain: 'orders example' }, 'grpc domain "orders example"'],
    ['a domain naming a variable', { domain: 'a$b' }, 'grpc domain "a$b"'],
    ['a domain quoting', { domain: "a'b" }, `grpc domain "a'b"`],
    ['an unknown key', { routes: ['/'] }, 'grpc option "routes"'],
  ];
  it('refuses no listener of its own without tls (HTTP/1.1 carries no gRPC)', () => {
    const { listen: _listen, ...withoutListen } = grpc;
    expect(() => renderNginx({ ...base, grpc: withoutListen })).toThrow(
      'gRPC needs `tls` (HTTP/2 on the public listeners) or `grpc.listen`',
    );
  });
  for (const [name, change, message] of refused) {
    it(`refuses ${name}`, () => {
      expect(() => renderNginx({ ...base, grpc: { ...grpc, ...change } as NginxOptions['grpc'] & object })).toThrow(
        message,
      );
    });
  }

  it('refuses an HTTP route inside a service path', () => {
    expect(() => renderNginx({ ...base, routes: ['/api/', '/orders.v1.Orders/Get'], grpc })).toThrow(
      'route (a gRPC service\'s path) "/orders.v1.Orders/Get"',
    );
  });
});

describe("the gateway's gRPC answers are core's", () => {
  it('every failure: the category gRPC code, its generic message as grpc-js encodes it, the details with the id', () => {
    const answers = grpcGatewayAnswers({ domain: 'orders.example.com' });
    expect(Object.keys(answers).sort()).toEqual(Object.keys(GATEWAY_FAILURES).sort());
    for (const failure of Object.keys(GATEWAY_FAILURES) as GatewayFailure[]) {
      const category = GATEWAY_FAILURES[failure];
      const answer = answers[failure];
      const id = randomUUID();
      expect(answer.code).toBe(TAXONOMY[category].grpc);
      expect(answer.message).toBe(TAXONOMY[category].message);
      expect(answer.grpcMessage).toMatch(/^[\x20-\x7e]+$/);
      expect(decodeURIComponent(answer.grpcMessage)).toBe(answer.message);
      const expected = encodeStatusDetails(
        faultOf(category, { requestId: id, requestIdTrusted: true }),
        'orders.example.com',
      );
      expect(Buffer.concat(answer.details.flatMap((part, i) => (i === 0 ? [part] : [Buffer.from(id), part])))).toEqual(
        Buffer.from(expected),
      );
    }
  });

  it('the njs function writes those bytes in base64 for the request id, and nothing for an id that is not a UUID', () => {
    const answers = grpcGatewayAnswers();
    const grpcDetails = new Function('Buffer', `${njsGrpcDetails(answers)}\nreturn grpcDetails;`)(Buffer) as (r: {
      variables: Record<string, string>;
    }) => string;
    const id = randomUUID();
    const details = grpcDetails({ variables: { faultline_grpc_failure: 'timeout', faultline_request_id: id } });
    const expected = encodeStatusDetails(faultOf('timeout', { requestId: id, requestIdTrusted: true }), 'faultline');
    expect(Buffer.from(details, 'base64')).toEqual(Buffer.from(expected));
    expect(grpcDetails({ variables: { faultline_grpc_failure: 'timeout', faultline_request_id: 'x\r\ny' } })).toBe('');
    expect(grpcDetails({ variables: { faultline_grpc_failure: 'nope', faultline_request_id: id } })).toBe('');
  });
});

describe('the generated files', () => {
  it('without the option: nothing of gRPC, the error pages as before', () => {
    const files = renderNginx(base);
    expect(Object.keys(files)).not.toContain('faultline-grpc.conf');
    for (const [name, text] of Object.entries(files)) expect(text, name).not.toMatch(/grpc/i);
    expect(files['faultline-errors.conf']).toContain('  error_page 404 @faultline_not_found;');
  });

  it('with it: a location per service, the h2c listeners in a server of their own, details only on the error path', () => {
    const files = renderNginx({
      ...base,
      grpc: { ...grpc, services: ['orders.v1.Orders', 'billing.Invoices'], listen: ['127.0.0.1:50052'] },
    });
    const conf = files['faultline-grpc.conf'] as string;
    expect(conf).toContain('location /orders.v1.Orders/ {');
    expect(conf).toContain('location /billing.Invoices/ {');
    expect(files['faultline-server.conf']).toContain('include /etc/nginx/faultline/faultline-grpc.conf;');
    expect(files['nginx.conf']).toMatch(/server \{\n\s+listen 127\.0\.0\.1:50052 http2;\n[^}]*faultline-grpc\.conf;/);
    // The njs details variable is read only by the locations answering the gateway's own statuses.
    const uses =
      Object.values(files)
        .join('\n')
        .match(/\$faultline_grpc_details\b/g) ?? [];
    const answering =
      (files['faultline-errors.conf'] as string).match(/location (@faultline_grpc_|= \/\.faultline\/grpc_)/g) ?? [];
    expect(uses.length - 1).toBe(answering.length); // one declaration (js_set)
    expect(conf).not.toMatch(/js_(header|body)_filter/);
  });

  it('the CLI maps --grpc-upstream, --grpc-service, --grpc-listen and --grpc-domain, for both gateways', () => {
    const values = {
      upstream: ['127.0.0.1:3000'],
      'grpc-upstream': ['127.0.0.1:50051', '127.0.0.1:50052'],
      'grpc-service': ['orders.v1.Orders'],
      'grpc-listen': ['127.0.0.1:50050'],
      'grpc-domain': ['orders.example.com'],
    };
    const expected = {
      upstreams: ['127.0.0.1:50051', '127.0.0.1:50052'],
      services: ['orders.v1.Orders'],
      listen: ['127.0.0.1:50050'],
      domain: 'orders.example.com',
    };
    expect(nginxOptionsOf(values, '/tmp/out').grpc).toEqual(expected);
    expect(haproxyOptionsOf(values).grpc).toEqual(expected);
    expect(renderHaproxy(haproxyOptionsOf(values))).toContain('bind 127.0.0.1:50050 proto h2');
    expect(nginxOptionsOf({ upstream: ['127.0.0.1:3000'] }, '/tmp/out').grpc).toBeUndefined();
    expect(haproxyOptionsOf({ upstream: ['127.0.0.1:3000'] }).grpc).toBeUndefined();
  });
});
