/**
 * Schema validators (zod, Ajv, Joi, Yup), each twice: on the request the client sent (a
 * validation answer) and on data the server built or read (internal, the schema stays hidden).
 */
import { Ajv } from 'ajv';
import Joi from 'joi';
import * as yup from 'yup';
import { z } from 'zod';
import { type CorpusCase, SECRET, thrownBy } from './types.js';

const CLIENT_BODY = { email: `not-an-email-${SECRET}`, items: [{ qty: 0 }] };
const ORDER_SCHEMA = z.object({ email: z.email(), items: z.array(z.object({ qty: z.number().min(1) })) });
const ROW_SCHEMA = z.object({ rows: z.array(z.object({ id: z.number(), password_hash: z.string() })) });
const ajv = new Ajv({ allErrors: true });
const validateOrder = ajv.compile({
  type: 'object',
  required: ['email', 'name'],
  properties: { email: { type: 'string', pattern: '^[^<]+@[a-z]+$' }, name: { type: 'string' } },
});
const validateUpstream = ajv.compile({
  type: 'object',
  properties: { ledger_secret_column: { type: 'string' } },
});

/** An Ajv-style `ValidationError` (what `$async` schemas throw) from a validate function's errors. */
function ajvError(validate: ((data: unknown) => boolean) & { errors?: unknown }, data: unknown): Error {
  validate(data);
  return Object.assign(new Error(`validation failed ${SECRET}`), {
    ajv: true,
    validation: true,
    errors: validate.errors,
  });
}

/** Every schema-validator case. */
export const VALIDATOR_CASES: readonly CorpusCase[] = [
  {
    name: 'zod on the request body',
    family: 'zod',
    make: () => ORDER_SCHEMA.safeParse(CLIENT_BODY).error,
    category: 'validation',
    forbidden: [SECRET, 'Invalid email'],
    input: CLIENT_BODY,
  },
  {
    name: 'zod on a database row',
    family: 'zod',
    make: () => ROW_SCHEMA.safeParse({ rows: [{ id: 1, password_hash: null }] }).error,
    category: 'internal',
    forbidden: ['password_hash', 'rows'],
    input: CLIENT_BODY,
  },
  {
    name: 'Ajv on the request body',
    family: 'ajv',
    make: () => ajvError(validateOrder, { email: `<script>${SECRET}` }),
    category: 'validation',
    forbidden: [SECRET, '<script>', '^[^<]+@'],
    input: { email: `<script>${SECRET}` },
  },
  {
    name: 'Ajv on an upstream answer',
    family: 'ajv',
    make: () => ajvError(validateUpstream, { ledger_secret_column: 12 }),
    category: 'internal',
    forbidden: ['ledger_secret_column', SECRET],
    input: CLIENT_BODY,
  },
  {
    name: 'Joi on the request body',
    family: 'joi',
    make: () => Joi.object({ email: Joi.string().email() }).validate({ email: `x-${SECRET}` }).error,
    category: 'validation',
    forbidden: [SECRET, 'must be a valid email'],
    input: { email: `x-${SECRET}` },
  },
  {
    name: 'Joi on server config',
    family: 'joi',
    make: () => Joi.object({ dbPassword: Joi.string().min(32) }).validate({ dbPassword: SECRET }).error,
    category: 'internal',
    forbidden: [SECRET, 'dbPassword'],
    input: CLIENT_BODY,
  },
  {
    name: 'Yup on the request body',
    family: 'yup',
    make: () =>
      thrownBy(() => yup.object({ age: yup.number().min(18) }).validateSync({ age: 3 }, { abortEarly: false })),
    category: 'validation',
    forbidden: ['must be greater than or equal'],
    input: { age: 3 },
  },
  {
    name: 'Yup on a stored profile',
    family: 'yup',
    make: () =>
      thrownBy(() => yup.object({ ssn_encrypted: yup.string().required() }).validateSync({}, { abortEarly: false })),
    category: 'internal',
    forbidden: ['ssn_encrypted'],
    input: { unrelated: true },
  },
];
