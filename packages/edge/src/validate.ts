/**
 * Checks every option value that is written into gateway configuration: only plain paths,
 * addresses, sizes and whole seconds pass, so no value can end a directive (`;`), open a block,
 * quote, start a comment or name a variable (`$`, `%[`). Every refusal names the value given.
 */
import type { AnswerFormat, BodyFormat } from '@faultline/core/adapter';
import { fail } from './fail.js';
import { isAddress, type ListenerOptions, type Listeners, listenersOf } from './listeners.js';
import { isIdVersions, type UuidVersion } from './request-id.js';

/** The option values both generators write into configuration syntax. */
export interface GatewayOptionValues extends ListenerOptions {
  readonly upstreams: readonly string[];
  readonly routes?: readonly string[] | undefined;
  readonly maxBodySize?: string | undefined;
  readonly connectTimeout?: number | undefined;
  readonly readTimeout?: number | undefined;
  readonly tunnelTimeout?: number | undefined;
  readonly headerTimeout?: number | undefined;
  readonly accessLog?: string | undefined;
  readonly directory?: string | undefined;
  readonly modulesDirectory?: string | undefined;
  readonly tls?: { readonly certificate: string; readonly key?: string | undefined } | undefined;
  readonly format?: AnswerFormat | undefined;
  readonly defaultFormat?: BodyFormat | undefined;
  readonly idVersions?: readonly UuidVersion[] | undefined;
  readonly rateLimitRetryAfter?: number | undefined;
  readonly unavailableRetryAfter?: number | undefined;
  readonly passForeign4xx?: boolean | undefined;
}

const ANSWER_FORMATS: readonly string[] = ['problem', 'envelope', 'jsonapi', 'negotiate'];
const ABSOLUTE_PATH = /^\/[A-Za-z0-9._/-]*$/;
const ROUTE = /^\/[A-Za-z0-9._~/-]*$/;
/** An nginx-style size: bytes, or a number of k/m/g. */
export const SIZE = /^\d{1,9}[kKmMgG]?$/;

/** Bytes of an nginx-style size (`64k`, `1m`, `1048576`), or NaN. */
export function bytesOf(size: string): number {
  const match = /^(\d{1,9})([kKmMgG]?)$/.exec(size);
  if (match === null) return Number.NaN;
  const unit = (match[2] ?? '').toLowerCase();
  return Number(match[1]) * (unit === 'k' ? 1024 : unit === 'm' ? 1024 ** 2 : unit === 'g' ? 1024 ** 3 : 1);
}

/** Throws when `value` is not a whole number in `min`-`max` (the error names it and the range). */
export function checkInteger(what: string, value: unknown, min: number, max: number): void {
  if (!(typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max))
    fail(what, value, `a whole number from ${min} to ${max}`);
}

/**
 * Throws a clear error for the first option value that is not safe to write into gateway
 * configuration, and returns the listeners.
 */
export function validateGatewayOptions(options: GatewayOptionValues): Listeners {
  if (!Array.isArray(options.upstreams) || options.upstreams.length === 0 || options.upstreams.length > 64) {
    throw new Error(
      `faultline-edge: between 1 and 64 upstreams (host:port) are required, got ${Array.isArray(options.upstreams) ? options.upstreams.length : String(options.upstreams)}`,
    );
  }
  for (const upstream of options.upstreams) if (!isAddress(upstream)) fail('upstream', upstream, 'host:port');
  const listeners = listenersOf(options, options.tls !== undefined);
  for (const route of options.routes ?? []) if (typeof route !== 'string' || !ROUTE.test(route)) fail('route', route);
  // nginx refuses a configuration with the same location twice ("duplicate location").
  const routes = options.routes ?? [];
  const twice = routes.find((route, i) => routes.indexOf(route) !== i);
  if (twice !== undefined) fail('route (given twice)', twice);
  if (options.routes !== undefined && options.routes.length === 0) fail('routes', options.routes);
  if (options.maxBodySize !== undefined && !SIZE.test(options.maxBodySize))
    fail('body size', options.maxBodySize, 'bytes, or a number of k, m or g');
  if (options.connectTimeout !== undefined) checkInteger('connect timeout', options.connectTimeout, 1, 3600);
  if (options.readTimeout !== undefined) checkInteger('read timeout', options.readTimeout, 1, 3600);
  if (options.tunnelTimeout !== undefined) checkInteger('tunnel timeout', options.tunnelTimeout, 1, 86400);
  if (options.headerTimeout !== undefined) checkInteger('header timeout', options.headerTimeout, 1, 3600);
  const paths: [string, string | undefined][] = [
    ['access log path', options.accessLog],
    ['directory', options.directory],
    ['modules directory', options.modulesDirectory],
    ['certificate path', options.tls?.certificate],
    ['key path', options.tls?.key],
  ];
  for (const [what, path] of paths)
    if (path !== undefined && (typeof path !== 'string' || !ABSOLUTE_PATH.test(path))) fail(what, path);
  if (options.format !== undefined && !ANSWER_FORMATS.includes(options.format))
    fail('format', options.format, 'problem, envelope, jsonapi or negotiate');
  if (options.defaultFormat !== undefined) {
    if (options.format !== 'negotiate')
      fail('default format', options.defaultFormat, 'used with format negotiate only');
    if (!ANSWER_FORMATS.slice(0, 3).includes(options.defaultFormat))
      fail('default format', options.defaultFormat, 'problem, envelope or jsonapi');
  }
  // Written into the pages' Retry-After header (nginx add_header, HAProxy hdr "…").
  if (options.rateLimitRetryAfter !== undefined)
    checkInteger('rate limit Retry-After', options.rateLimitRetryAfter, 1, 86_400);
  if (options.unavailableRetryAfter !== undefined)
    checkInteger('unavailable Retry-After', options.unavailableRetryAfter, 1, 86_400);
  if (options.passForeign4xx !== undefined && typeof options.passForeign4xx !== 'boolean')
    fail('pass foreign 4xx', options.passForeign4xx, 'true or false');
  if (options.idVersions !== undefined && !isIdVersions(options.idVersions))
    fail('request id versions', options.idVersions, 'distinct RFC 9562 versions from 1 to 8');
  return listeners;
}
