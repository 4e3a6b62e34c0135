/**
 * Checks every option value that is written into gateway configuration: only plain paths,
 * addresses, sizes and whole seconds pass, so no value can end a directive (`;`), open a block,
 * quote, start a comment or name a variable (`$`, `%[`).
 */
import type { BodyFormat } from '@faultline/core';

/** The option values both generators write into configuration syntax. */
export interface GatewayOptionValues {
  readonly upstreams: readonly string[];
  readonly listen?: string | undefined;
  readonly routes?: readonly string[] | undefined;
  readonly maxBodySize?: string | undefined;
  readonly connectTimeout?: number | undefined;
  readonly readTimeout?: number | undefined;
  readonly accessLog?: string | undefined;
  readonly directory?: string | undefined;
  readonly modulesDirectory?: string | undefined;
  readonly tls?: { readonly certificate: string; readonly key?: string | undefined } | undefined;
  readonly format?: BodyFormat | undefined;
}

const ADDRESS = /^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\]):\d{1,5}$/;
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const ROUTE = /^\/[A-Za-z0-9._~/-]*$/;
const SIZE = /^\d{1,9}[kKmMgG]?$/;

function fail(what: string, value: unknown): never {
  throw new Error(`faultline-edge: ${what} ${JSON.stringify(value)} is not valid`);
}

function port(address: string): number {
  return Number(address.slice(address.lastIndexOf(':') + 1));
}

/** Throws a clear error for the first option value that is not safe to write into gateway configuration. */
export function validateGatewayOptions(options: GatewayOptionValues): void {
  if (!Array.isArray(options.upstreams) || options.upstreams.length === 0 || options.upstreams.length > 64) {
    throw new Error('faultline-edge: between 1 and 64 upstreams (host:port) are required');
  }
  for (const upstream of options.upstreams) {
    if (typeof upstream !== 'string' || !ADDRESS.test(upstream) || port(upstream) < 1 || port(upstream) > 65535)
      fail('upstream', upstream);
  }
  if (options.listen !== undefined && (!ADDRESS.test(options.listen) || port(options.listen) > 65535))
    fail('listen address', options.listen);
  for (const route of options.routes ?? []) if (typeof route !== 'string' || !ROUTE.test(route)) fail('route', route);
  if (options.routes !== undefined && options.routes.length === 0) fail('routes', options.routes);
  if (options.maxBodySize !== undefined && !SIZE.test(options.maxBodySize)) fail('body size', options.maxBodySize);
  for (const [what, seconds] of [
    ['connect timeout', options.connectTimeout],
    ['read timeout', options.readTimeout],
  ] as const) {
    if (seconds !== undefined && !(Number.isInteger(seconds) && seconds >= 1 && seconds <= 3600)) fail(what, seconds);
  }
  const paths: [string, string | undefined][] = [
    ['access log path', options.accessLog],
    ['directory', options.directory],
    ['modules directory', options.modulesDirectory],
    ['certificate path', options.tls?.certificate],
    ['key path', options.tls?.key],
  ];
  for (const [what, path] of paths) if (path !== undefined && !ABSOLUTE_PATH.test(path)) fail(what, path);
  if (options.format !== undefined && options.format !== 'problem' && options.format !== 'envelope')
    fail('format', options.format);
}
