/** Safe defaults in core: the id policy, checked options, missing fields, judged bodies, own params. */
import { Ajv } from 'ajv';
import Joi from 'joi';
import mongoose from 'mongoose';
import { describe, expect, it } from 'vitest';
import * as yup from 'yup';
import { z } from 'zod';
import { requestIdPolicy } from '../src/adapter.js';
import {
  capture,
  createReporter,
  defineCatalog,
  OptionsError,
  resolveCorrelationId,
  rotatingFile,
  syslogTls,
} from './support/source.js';

const V1 = '6ba7b810-9dad-11d1-80b4-00c04fd430c8';
const V4 = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
const V7 = '01890a5d-ac96-774b-bcce-b302099a8057';

describe('request ids', () => {
  it('keeps only a UUID v4 by default, and other versions when the policy admits them', () => {
    expect(resolveCorrelationId(V4).id).toBe(V4);
    for (const id of [V1, V7]) {
      const resolved = resolveCorrelationId(id);
      expect(resolved.id).not.toBe(id);
      expect(resolved.rejected).toBe(id);
    }
    const v7 = requestIdPolicy({ acceptIdVersions: [4, 7] });
    expect(resolveCorrelationId(V7, v7).id).toBe(V7);
    expect(resolveCorrelationId(V1, v7).id).not.toBe(V1);
  });

  it('keeps an id only from a trusted proxy when trusted proxies are given', () => {
    const policy = requestIdPolicy({ trustedProxies: ['10.0.0.0/8', '::1'] });
    expect(resolveCorrelationId(V4, policy, '10.1.2.3').id).toBe(V4);
    expect(resolveCorrelationId(V4, policy, '::1').id).toBe(V4);
    expect(resolveCorrelationId(V4, policy, '::ffff:192.168.0.1').id).not.toBe(V4);
    expect(resolveCorrelationId(V4, policy, '192.168.0.1').rejected).toBe(V4);
    expect(resolveCorrelationId(V4, policy, undefined).id).not.toBe(V4);
  });

  it.each([
    [{ acceptIdVersions: [9] }, /acceptIdVersions.*9/],
    [{ acceptIdVersions: [] }, /acceptIdVersions/],
    [{ acceptIdVersions: '4' }, /acceptIdVersions.*"4"/],
    [{ trustedProxies: ['10.0.0.0/33'] }, /trustedProxies.*10\.0\.0\.0\/33/],
    [{ trustedProxies: ['gateway.internal'] }, /trustedProxies.*gateway\.internal/],
    [{ trustedProxies: '10.0.0.1' }, /trustedProxies.*"10\.0\.0\.1"/],
  ])('refuses %j with an error naming the option and the value', (options, message) => {
    expect(() => requestIdPolicy(options as never)).toThrow(OptionsError);
    expect(() => requestIdPolicy(options as never)).toThrow(message);
  });
});

describe('a missing required field is the client’s when its parent is in the request', () => {
  const body = { qty: 5 };
  const cases: [string, () => unknown][] = [
    ['zod', () => z.object({ sku: z.string(), qty: z.number() }).safeParse(body).error],
    [
      'Yup',
      () => {
        try {
          yup.object({ sku: yup.string().required(), qty: yup.number() }).validateSync(body, { abortEarly: false });
        } catch (error) {
          return error;
        }
      },
    ],
    ['Joi', () => Joi.object({ sku: Joi.string().required(), qty: Joi.number() }).validate(body).error],
    [
      'Ajv',
      () => {
        const validate = new Ajv().compile({
          type: 'object',
          required: ['sku'],
          properties: { sku: { type: 'string' } },
        });
        validate(body);
        return Object.assign(new Error('validation failed'), { ajv: true, validation: true, errors: validate.errors });
      },
    ],
    [
      'Mongoose',
      () =>
        new (mongoose.model('SafeDefaultsOrder', new mongoose.Schema({ sku: { type: String, required: true } })))(
          body,
        ).validateSync(),
    ],
  ];
  it.each(cases)('%s', (_name, make) => {
    const fault = capture(make(), { input: [body] });
    expect(fault.category).toBe('validation');
    expect(fault.fieldViolations).toEqual([{ pointer: '/sku', detail: 'Is required.' }]);
  });

  it('a zod type failure on an absent field of server data stays internal', () => {
    const row = z.object({ rows: z.array(z.object({ password_hash: z.string() })) }).safeParse({ rows: [{}] }).error;
    expect(capture(row, { input: [body] }).category).toBe('internal');
  });
});

describe('a SyntaxError judged by the framework that parsed the body', () => {
  it('is the client’s malformed body with a 4xx status, internal without one', () => {
    const judged = Object.assign(new SyntaxError('Unexpected token } in JSON at position 9'), { statusCode: 400 });
    expect(capture(judged).category).toBe('validation');
    const bodyParser = Object.assign(new SyntaxError('Unexpected end of JSON input'), { status: 400 });
    expect(capture(bodyParser).category).toBe('validation');
    expect(capture(new SyntaxError('Unexpected token < in JSON at position 0')).category).toBe('internal');
    const upstream = Object.assign(new SyntaxError('Unexpected token < in JSON'), { status: 502 });
    expect(capture(upstream).category).toBe('internal');
  });
});

describe('public params', () => {
  const errors = defineCatalog({
    SAFE_DEFAULTS_LIMIT: { category: 'validation', message: 'At most {limit}.', params: { limit: 'integer' } },
  });
  it('are published from own data properties only', () => {
    expect(errors.SAFE_DEFAULTS_LIMIT({ params: Object.create({ limit: 9 }) }).publicParams).toEqual({});
    const getter = Object.defineProperty({}, 'limit', { get: () => 9, enumerable: true });
    expect(errors.SAFE_DEFAULTS_LIMIT({ params: getter }).publicParams).toEqual({});
    expect(errors.SAFE_DEFAULTS_LIMIT({ params: { limit: 9 } }).publicParams).toEqual({ limit: 9 });
  });
});

describe('the reporter and the drains check their options when created', () => {
  it.each([
    [
      () => createReporter({ overflow: 'drop-all' } as never),
      /createReporter: option "overflow" is "drop-all"; expected one of "drop-newest", "drop-oldest"/,
    ],
    [() => createReporter({ queueSize: 0 }), /option "queueSize" is 0; expected an integer from 1/],
    [() => createReporter({ destination: {} as never }), /option "destination" is a value of type object/],
    [
      // A destination that throws when read: an OptionsError, not its own error (and its text).
      () =>
        createReporter({
          destination: new Proxy(
            {},
            {
              get() {
                throw new Error('trap postgres://app:hunter2@10.0.4.12/shop');
              },
            },
          ) as never,
        }),
      /^(?!.*hunter2).*option "destination" is a value of type object/,
    ],
    [
      () =>
        createReporter({
          destination: {
            get write(): never {
              throw new Error('getter hunter2');
            },
          } as never,
        }),
      /^(?!.*hunter2).*option "destination" is a value of type object/,
    ],
    [() => createReporter({ flushOnExit: 'yes' as never }), /option "flushOnExit" is "yes"; expected true or false/],
    [() => createReporter({ destnation: 1 } as never), /option "destnation" is not an option/],
    [() => rotatingFile({ path: '/tmp/x.log', maxFiles: 0 }), /rotatingFile: option "maxFiles" is 0/],
    [() => rotatingFile({} as never), /rotatingFile: option "path" is required/],
    [
      () => syslogTls({ host: 'logs.internal', port: 70000, ca: 'x', cert: 'x', key: 'x' }),
      /syslogTls: option "port" is 70000; expected an integer from 1 to 65535/,
    ],
    [() => syslogTls({ host: 'logs.internal', port: 6514, ca: 'x', cert: 'x' } as never), /option "key" is required/],
  ])('%#', (make, message) => {
    expect(make).toThrow(OptionsError);
    expect(make).toThrow(message);
  });
});
