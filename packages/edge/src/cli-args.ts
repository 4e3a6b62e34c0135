/**
 * The command line of `faultline-edge`: which options each gateway takes (an option the chosen
 * gateway does not support is a usage error, never ignored), options given once or repeatable
 * (a repeated single option is an error, never a silent replacement), and the conversion of the
 * text given to renderer options. Every error names the value given.
 */
import { resolve } from 'node:path';
import type { AnswerFormat, BodyFormat } from '@faultline/core/adapter';
import { shown } from './fail.js';
import type { GatewayGrpcOptions } from './grpc/options.js';
import type { HaproxyOptions } from './haproxy/render.js';
import type { NginxOptions } from './nginx/render.js';
import type { UuidVersion } from './request-id.js';
import { bytesOf } from './validate.js';

/** The gateways the CLI writes configuration for. */
export type Gateway = 'nginx' | 'haproxy';

const BOTH: readonly Gateway[] = ['nginx', 'haproxy'];

/** Every option: whether it may be repeated, and the gateways that take it. */
export const CLI_OPTIONS = {
  upstream: { repeatable: true, gateways: BOTH },
  out: { repeatable: false, gateways: BOTH },
  listen: { repeatable: true, gateways: BOTH },
  'internal-listen': { repeatable: true, gateways: BOTH },
  'redirect-listen': { repeatable: true, gateways: BOTH },
  cert: { repeatable: false, gateways: BOTH },
  key: { repeatable: false, gateways: ['nginx'] },
  route: { repeatable: true, gateways: BOTH },
  'max-body': { repeatable: false, gateways: BOTH },
  'connect-timeout': { repeatable: false, gateways: BOTH },
  'read-timeout': { repeatable: false, gateways: BOTH },
  'access-log': { repeatable: false, gateways: ['nginx'] },
  directory: { repeatable: false, gateways: ['nginx'] },
  'header-buffers': { repeatable: false, gateways: ['nginx'] },
  'grpc-upstream': { repeatable: true, gateways: ['nginx', 'haproxy'] },
  'grpc-service': { repeatable: true, gateways: ['nginx', 'haproxy'] },
  'grpc-listen': { repeatable: true, gateways: ['nginx', 'haproxy'] },
  'grpc-domain': { repeatable: false, gateways: ['nginx', 'haproxy'] },
  'tunnel-timeout': { repeatable: false, gateways: ['nginx', 'haproxy'] },
  'header-timeout': { repeatable: false, gateways: ['nginx', 'haproxy'] },
  'buffer-size': { repeatable: false, gateways: ['haproxy'] },
  'max-header-count': { repeatable: false, gateways: ['haproxy'] },
  'max-url': { repeatable: false, gateways: ['haproxy'] },
  'max-headers': { repeatable: false, gateways: ['haproxy'] },
  'retry-closed': { repeatable: false, gateways: ['haproxy'], flag: true },
  format: { repeatable: false, gateways: BOTH },
  'default-format': { repeatable: false, gateways: BOTH },
  'accept-id-versions': { repeatable: false, gateways: BOTH },
  'trusted-gateway': { repeatable: true, gateways: BOTH },
  'pass-foreign-4xx': { repeatable: false, gateways: BOTH, flag: true },
} as const satisfies Record<string, { repeatable: boolean; gateways: readonly Gateway[]; flag?: true }>;

/** An option name. */
export type CliOption = keyof typeof CLI_OPTIONS;

/** The values given, every option as the list of its occurrences (a flag's are `true`). */
export type CliValues = Partial<Record<CliOption, string[]>>;

/** A usage error: the CLI prints it and exits 2. */
export class UsageError extends Error {}

function usage(message: string): never {
  throw new UsageError(`faultline-edge: ${message}`);
}

/** Throws a usage error for an option `gateway` does not take or a single option given more than once. */
export function checkGiven(gateway: Gateway, values: CliValues): void {
  for (const [name, given] of Object.entries(values) as [CliOption, string[]][]) {
    const option = CLI_OPTIONS[name];
    if (!(option.gateways as readonly Gateway[]).includes(gateway))
      usage(`--${name} ${shown(given[0])} is not supported by ${gateway} (only by ${option.gateways.join(', ')})`);
    if (!option.repeatable && given.length > 1)
      usage(`--${name} was given ${given.length} times (${given.map(shown).join(', ')}); give it once`);
  }
}

function one(values: CliValues, name: CliOption): string | undefined {
  return values[name]?.[0];
}

/** A whole number from `--name`, or a usage error naming the text given. */
function whole(values: CliValues, name: CliOption): number | undefined {
  const text = one(values, name);
  if (text === undefined) return undefined;
  if (!/^\d{1,9}$/.test(text)) usage(`--${name} ${shown(text)} is not valid (a whole number)`);
  return Number(text);
}

/** Bytes from `--name` (a number, or a number of k/m/g), or a usage error naming the text given. */
function bytes(values: CliValues, name: CliOption): number | undefined {
  const text = one(values, name);
  if (text === undefined) return undefined;
  const n = bytesOf(text);
  if (Number.isNaN(n)) usage(`--${name} ${shown(text)} is not valid (bytes, or a number of k, m or g)`);
  return n;
}

function versions(values: CliValues): readonly UuidVersion[] | undefined {
  const text = one(values, 'accept-id-versions');
  if (text === undefined) return undefined;
  if (!/^[1-8](,[1-8]){0,7}$/.test(text))
    usage(`--accept-id-versions ${shown(text)} is not valid (RFC 9562 versions from 1 to 8, e.g. 4,7)`);
  return text.split(',').map(Number) as UuidVersion[];
}

/** The options both gateways share. */
function shared(values: CliValues) {
  const format = one(values, 'format');
  const defaultFormat = one(values, 'default-format');
  return {
    upstreams: values.upstream ?? [],
    ...(values.listen === undefined ? {} : { listen: values.listen }),
    ...(values['internal-listen'] === undefined ? {} : { internalListen: values['internal-listen'] }),
    ...(values['redirect-listen'] === undefined ? {} : { redirectListen: values['redirect-listen'] }),
    ...(values.route === undefined ? {} : { routes: values.route }),
    ...(values['connect-timeout'] === undefined ? {} : { connectTimeout: whole(values, 'connect-timeout') as number }),
    ...(values['read-timeout'] === undefined ? {} : { readTimeout: whole(values, 'read-timeout') as number }),
    ...(values['header-timeout'] === undefined ? {} : { headerTimeout: whole(values, 'header-timeout') as number }),
    ...(values['tunnel-timeout'] === undefined ? {} : { tunnelTimeout: whole(values, 'tunnel-timeout') as number }),
    ...(format === undefined ? {} : { format: format as AnswerFormat }),
    ...(defaultFormat === undefined ? {} : { defaultFormat: defaultFormat as BodyFormat }),
    ...(values['accept-id-versions'] === undefined ? {} : { idVersions: versions(values) as UuidVersion[] }),
    ...(values['pass-foreign-4xx'] === undefined ? {} : { passForeign4xx: true }),
    ...(values['trusted-gateway'] === undefined ? {} : { trustedGateways: values['trusted-gateway'] }),
  };
}

/** The gRPC option from the `--grpc-*` options (none given: none). */
function grpcOf(values: CliValues): GatewayGrpcOptions | undefined {
  const domain = one(values, 'grpc-domain');
  if (
    values['grpc-upstream'] === undefined &&
    values['grpc-service'] === undefined &&
    values['grpc-listen'] === undefined &&
    domain === undefined
  )
    return undefined;
  // Said with the flags' names (the option check names the API's: `grpc.listen`, `tls`).
  for (const flag of ['grpc-upstream', 'grpc-service'] as const)
    if (values[flag] === undefined) usage(`--${flag} is required with the other --grpc-* options`);
  if (values['grpc-listen'] === undefined && values.cert === undefined)
    usage('gRPC needs --cert (HTTP/2 on the public listeners) or --grpc-listen (cleartext HTTP/2 of its own)');
  return {
    upstreams: values['grpc-upstream'] ?? [],
    services: values['grpc-service'] ?? [],
    ...(values['grpc-listen'] === undefined ? {} : { listen: values['grpc-listen'] }),
    ...(domain === undefined ? {} : { domain }),
  };
}

/** The nginx renderer's options from the command line (`out`: the output directory, the default `directory`). */
export function nginxOptionsOf(values: CliValues, out: string): NginxOptions {
  const cert = one(values, 'cert');
  const key = one(values, 'key');
  if ((cert === undefined) !== (key === undefined))
    usage(
      `--cert and --key go together (got ${cert === undefined ? `only --key ${shown(key)}` : `only --cert ${shown(cert)}`})`,
    );
  const buffers = one(values, 'header-buffers');
  const match = buffers === undefined ? null : /^(\d{1,3})x(\d{1,9}[kKmM]?)$/.exec(buffers);
  if (buffers !== undefined && match === null)
    usage(`--header-buffers ${shown(buffers)} is not valid (<count>x<size>, e.g. 4x8k)`);
  const access = one(values, 'access-log');
  const maxBody = one(values, 'max-body');
  const grpc = grpcOf(values);
  return {
    ...shared(values),
    directory: resolve(one(values, 'directory') ?? out),
    ...(cert === undefined ? {} : { tls: { certificate: resolve(cert), key: resolve(key as string) } }),
    ...(maxBody === undefined ? {} : { maxBodySize: maxBody }),
    ...(access === undefined ? {} : { accessLog: resolve(access) }),
    ...(match === null ? {} : { headerBuffers: { count: Number(match[1]), size: String(match[2]) } }),
    ...(grpc === undefined ? {} : { grpc }),
  };
}

/** The HAProxy renderer's options from the command line. */
export function haproxyOptionsOf(values: CliValues): HaproxyOptions {
  const cert = one(values, 'cert');
  const grpc = grpcOf(values);
  const limits: [keyof HaproxyOptions, number | undefined][] = [
    ['maxBodyBytes', bytes(values, 'max-body')],
    ['bufferSize', bytes(values, 'buffer-size')],
    ['maxHeaderCount', whole(values, 'max-header-count')],
    ['maxUrlBytes', bytes(values, 'max-url')],
    ['maxHeaderBytes', bytes(values, 'max-headers')],
  ];
  return {
    ...shared(values),
    ...(cert === undefined ? {} : { tls: { certificate: resolve(cert) } }),
    ...Object.fromEntries(limits.filter(([, value]) => value !== undefined)),
    ...(grpc === undefined ? {} : { grpc }),
    ...(values['retry-closed'] === undefined ? {} : { retryClosed: true }),
  };
}

/** Throws a usage error unless `gateway` is one the CLI knows. */
export function gatewayOf(positionals: readonly string[]): Gateway {
  if (positionals.length === 0) usage('which gateway? nginx or haproxy');
  const [gateway, ...rest] = positionals;
  if (rest.length > 0) usage(`unexpected argument ${shown(rest[0])}`);
  if (gateway !== 'nginx' && gateway !== 'haproxy') usage(`unknown gateway ${shown(gateway)} (nginx or haproxy)`);
  return gateway;
}
