/**
 * Request validation libraries: zod, Ajv, Joi and Yup. Their messages may quote submitted values,
 * patterns or schema paths, so only the location (sanitised JSON Pointer) and the kind of rule
 * survive, rendered with generic text.
 */
import {
  type FieldRule,
  type FieldViolation,
  GENERIC_FIELD_DETAILS,
  MAX_FIELD_VIOLATIONS,
  pointerFromSegments,
  sanitizePointer,
} from '../field-violation.js';
import { isObjectLike, type ObjectLike, safeGet, safeGetArray, safeGetObject, safeGetString } from '../safe-access.js';
import type { Classifier } from './types.js';

const RULE_BY_KEYWORD: Readonly<Record<string, FieldRule>> = {
  // Ajv / JSON Schema keywords
  required: 'required',
  dependentRequired: 'required',
  type: 'type',
  format: 'format',
  enum: 'enum',
  const: 'enum',
  minimum: 'minimum',
  exclusiveMinimum: 'minimum',
  maximum: 'maximum',
  exclusiveMaximum: 'maximum',
  minLength: 'minLength',
  maxLength: 'maxLength',
  minItems: 'minItems',
  maxItems: 'maxItems',
  minProperties: 'minItems',
  maxProperties: 'maxItems',
  pattern: 'pattern',
  additionalProperties: 'additional',
  unevaluatedProperties: 'additional',
  uniqueItems: 'unique',
  // zod issue codes (v3 and v4)
  invalid_type: 'type',
  invalid_literal: 'enum',
  invalid_enum_value: 'enum',
  invalid_value: 'enum',
  invalid_string: 'format',
  invalid_format: 'format',
  invalid_date: 'format',
  too_small: 'minimum',
  too_big: 'maximum',
  unrecognized_keys: 'additional',
  // Joi / Yup types
  'any.required': 'required',
  'string.base': 'type',
  'number.base': 'type',
  'boolean.base': 'type',
  'object.base': 'type',
  'array.base': 'type',
  'string.min': 'minLength',
  'string.max': 'maxLength',
  'string.email': 'format',
  'string.pattern.base': 'pattern',
  'number.min': 'minimum',
  'number.max': 'maximum',
  'any.only': 'enum',
  'object.unknown': 'additional',
  typeError: 'type',
  min: 'minimum',
  max: 'maximum',
  email: 'format',
  matches: 'pattern',
  oneOf: 'enum',
  // Yup 1.x: `required()` / `defined()` fail as `optionality`; older Yup says `required`.
  optionality: 'required',
};

const SAFE_POINTER = /^(?:\/[A-Za-z0-9_-]{1,64})*$/;

/** Generic detail for a validator's keyword or issue code. */
export function genericDetail(keyword: unknown): string {
  const rule = typeof keyword === 'string' ? RULE_BY_KEYWORD[keyword] : undefined;
  return GENERIC_FIELD_DETAILS[rule ?? 'invalid'];
}

/**
 * Field violations from Ajv error objects (`instancePath`, `keyword`, `params`), as found on Ajv's
 * `ValidationError` and Fastify's `FST_ERR_VALIDATION`. `required` points at the missing property
 * named by the schema; keys that were submitted but not allowed are never named.
 */
export function fieldViolationsFromAjv(errors: readonly unknown[]): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const item of errors.slice(0, MAX_FIELD_VIOLATIONS)) {
    if (!isObjectLike(item)) continue;
    const keyword = safeGetString(item, 'keyword', 64);
    const path = safeGetString(item, 'instancePath', 512) ?? safeGetString(item, 'dataPath', 512) ?? '';
    let pointer = sanitizePointer(path);
    const params = safeGetObject(item, 'params');
    if (keyword === 'required' && params !== undefined && SAFE_POINTER.test(path)) {
      // The missing property is named by the schema, not by the request; append it only under a fully safe parent.
      pointer += pointerFromSegments([safeGetString(params, 'missingProperty', 128)]);
    }
    out.push({ pointer, detail: genericDetail(keyword) });
  }
  return out;
}

function violationsFromPathIssues(issues: readonly unknown[], codeKey: string): FieldViolation[] {
  const out: FieldViolation[] = [];
  for (const issue of issues.slice(0, MAX_FIELD_VIOLATIONS)) {
    if (!isObjectLike(issue)) continue;
    const path = safeGetArray(issue, 'path', 16);
    const pathString = safeGetString(issue, 'path', 256);
    const pointer = path !== undefined ? pointerFromSegments(path) : sanitizePointer(pathString);
    out.push({ pointer, detail: genericDetail(safeGet(issue, codeKey)) });
  }
  return out;
}

/** zod `ZodError` (v3 and v4): `issues[]` with `path` arrays and issue codes. */
export const zodClassifier: Classifier = {
  name: 'zod',
  classify(error: ObjectLike) {
    const name = safeGetString(error, 'name', 64);
    if (name !== 'ZodError' && name !== '$ZodError') return undefined;
    const issues = safeGetArray(error, 'issues', MAX_FIELD_VIOLATIONS) ?? [];
    return {
      category: 'validation',
      reason: 'zod',
      inputBound: true,
      missingAsType: true,
      fieldViolations: violationsFromPathIssues(issues, 'code'),
    };
  },
};

/** Ajv `ValidationError` (`ajv: true`, `validation: true`, `errors[]`). */
export const ajvClassifier: Classifier = {
  name: 'ajv',
  classify(error: ObjectLike) {
    if (safeGet(error, 'ajv') !== true || safeGet(error, 'validation') !== true) return undefined;
    const errors = safeGetArray(error, 'errors', MAX_FIELD_VIOLATIONS) ?? [];
    return { category: 'validation', reason: 'ajv', inputBound: true, fieldViolations: fieldViolationsFromAjv(errors) };
  },
};

/** Joi (`isJoi: true`, `details[]`) and Yup (`ValidationError` with `inner[]`/`path`). */
export const joiYupClassifier: Classifier = {
  name: 'joi-yup',
  classify(error: ObjectLike) {
    if (safeGet(error, 'isJoi') === true) {
      const details = safeGetArray(error, 'details', MAX_FIELD_VIOLATIONS) ?? [];
      return {
        category: 'validation',
        reason: 'joi',
        inputBound: true,
        document: safeGet(error, '_original'),
        fieldViolations: violationsFromPathIssues(details, 'type'),
      };
    }
    if (safeGetString(error, 'name', 64) !== 'ValidationError') return undefined;
    const inner = safeGetArray(error, 'inner', MAX_FIELD_VIOLATIONS);
    const errors = safeGetArray(error, 'errors', 1);
    if (inner === undefined || errors === undefined) return undefined;
    const issues = inner.length > 0 ? inner : [error];
    return {
      category: 'validation',
      reason: 'yup',
      inputBound: true,
      document: safeGet(error, 'value'),
      fieldViolations: violationsFromPathIssues(issues, 'type'),
    };
  },
};

const BODY_PARSER_TYPES: Readonly<Record<string, 'validation' | 'payload_too_large' | 'unsupported_media_type'>> = {
  'entity.parse.failed': 'validation',
  'entity.verify.failed': 'validation',
  'request.aborted': 'validation',
  'request.size.invalid': 'validation',
  'entity.too.large': 'payload_too_large',
  'parameters.too.many': 'payload_too_large',
  'encoding.unsupported': 'unsupported_media_type',
  'charset.unsupported': 'unsupported_media_type',
};

/** True for a 4xx status number (the request's own fault). */
function isClientStatus(value: unknown): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= 400 && value <= 499;
}

/**
 * Body parsing: body-parser's typed errors are the client's malformed body. A bare `SyntaxError`
 * from `JSON.parse` is left internal on purpose: it is as often an upstream's broken answer as a
 * client's body, and a 400 would blame the client for the server's failure. A SyntaxError that
 * carries a 4xx `status`/`statusCode` was judged by the framework that parsed the request: 400.
 */
export const bodyParseClassifier: Classifier = {
  name: 'body',
  classify(error: ObjectLike) {
    const type = safeGetString(error, 'type', 64);
    const mapped = type === undefined ? undefined : BODY_PARSER_TYPES[type];
    if (mapped !== undefined) return { category: mapped, reason: `body:${type}` };
    if (safeGetString(error, 'name', 32) !== 'SyntaxError') return undefined;
    // A framework (body-parser, Fastify, koa-body) already judged this body: its 4xx status marks
    // the request's own malformed body. Only a bare SyntaxError stays the server's.
    if (isClientStatus(safeGet(error, 'status')) || isClientStatus(safeGet(error, 'statusCode'))) {
      return { category: 'validation', reason: 'body:syntax' };
    }
    if (/JSON/.test(safeGetString(error, 'message', 256) ?? '')) return { category: 'internal', reason: 'json:syntax' };
    return undefined;
  },
};
