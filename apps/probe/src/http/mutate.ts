/**
 * Wrong-typed values for the fields the probe discovered (path and query parameters, body
 * properties), and the requests a discovered operation gets: wrong types, a malformed body and
 * garbled bearer tokens.
 */
import type { Field } from './openapi.js';
import type { RawRequest } from './raw-request.js';

/** A value of the wrong type for `type`, ready for a URL (percent-encoded). */
export function wrongParam(type: string): string {
  // Numbers and booleans get a word with a quote; strings get brackets and quotes a naive query chokes on.
  return type === 'string' ? '%27%22%5B%5D' : 'not-a-number%27';
}

/** A JSON body whose every field has the wrong type (a generic login/user shape when none is known). */
export function wrongBody(fields: readonly Field[] | undefined): string {
  if (fields === undefined || fields.length === 0)
    return JSON.stringify({
      id: "1'",
      email: ['x'],
      password: { $gt: '' },
      username: null,
      name: 123,
      quantity: 'many',
    });
  const wrong: Record<string, unknown> = {};
  for (const { name, type } of fields) {
    wrong[name] =
      type === 'string' ? { $gt: '' } : type === 'array' ? { '0': "'" } : type === 'object' ? ["'"] : `not-a-${type}'`;
  }
  return JSON.stringify(wrong);
}

/** `template` with each `{param}` replaced by `value(name)`. */
export function fillPath(template: string, value: (name: string) => string): string {
  return template.replace(/\{([^}/]+)\}/g, (_m, name: string) => value(name));
}

/** A bearer value that is not a token at all, and a well-formed token with a forged signature. */
export function garbledTokens(marker: string): { garbage: string; forged: string } {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return {
    garbage: `Bearer ${marker}garbage`,
    forged: `Bearer ${part({ alg: 'HS256', typ: 'JWT' })}.${part({ sub: '1', admin: true })}.${Buffer.from(marker).toString('base64url')}`,
  };
}

/** One request of a probe, with its name. */
export interface NamedRequest {
  readonly name: string;
  readonly request: RawRequest;
  /** The request is malformed: a 2xx answer is a finding. */
  readonly malformed?: boolean;
}

const JSON_TYPE = { 'content-type': 'application/json' };

/**
 * The requests for one discovered operation: wrong types in path, query and body, a malformed
 * body (when the method takes one) and both garbled bearer tokens.
 */
export function operationRequests(
  op: {
    method: string;
    path: string;
    query?: readonly Field[];
    body?: readonly Field[];
    types?: Readonly<Record<string, string>>;
  },
  marker: string,
): NamedRequest[] {
  const path = fillPath(op.path, (name) => wrongParam(op.types?.[name] ?? 'integer'));
  const query = (op.query ?? []).map((f) => `${encodeURIComponent(f.name)}=${wrongParam(f.type)}`).join('&');
  const target = query === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${query}`;
  const plain = fillPath(op.path, () => '1');
  const takesBody = op.body !== undefined;
  const tokens = garbledTokens(marker);
  const requests: NamedRequest[] = [
    {
      name: 'wrong-types',
      request: takesBody
        ? { method: op.method, path: target, headers: JSON_TYPE, body: wrongBody(op.body) }
        : { method: op.method, path: target },
      malformed: takesBody || target !== op.path,
    },
    { name: 'garbled-jwt', request: { method: op.method, path: plain, headers: { authorization: tokens.garbage } } },
    { name: 'forged-jwt', request: { method: op.method, path: plain, headers: { authorization: tokens.forged } } },
  ];
  if (takesBody)
    requests.push({
      name: 'malformed-json',
      request: { method: op.method, path: plain, headers: JSON_TYPE, body: `{"${marker}": ` },
      malformed: true,
    });
  return requests;
}
