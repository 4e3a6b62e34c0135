/**
 * The body formats in OpenAPI: for each, its media type, the schema that describes it and an
 * example per code. A route of a service with `format: 'negotiate'` can answer in any of the three,
 * so its error responses list all three media types (the client picks with `Accept`).
 */
import type { AnswerFormat, BodyFormat } from '@faultline/core/adapter';
import type { DocumentedCode } from './codes.js';

const EXAMPLE_ID = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';

/** The media type each body format is sent with (its parameters left out). */
export const MEDIA_TYPES: Readonly<Record<BodyFormat, string>> = {
  problem: 'application/problem+json',
  envelope: 'application/json',
  jsonapi: 'application/vnd.api+json',
};

/** The `components.schemas` entry of each body format. */
const SCHEMA_NAMES: Readonly<Record<BodyFormat, string>> = {
  problem: 'Problem',
  envelope: 'Envelope',
  jsonapi: 'JsonApiErrors',
};

/** The body formats a service with `format` can answer in. */
export function formatsOf(format: AnswerFormat): readonly BodyFormat[] {
  return format === 'negotiate' ? ['problem', 'envelope', 'jsonapi'] : [format];
}

/** The schema reference of a body format. */
export function schemaRef(format: BodyFormat): { $ref: string } {
  return { $ref: `#/components/schemas/${SCHEMA_NAMES[format]}` };
}

/** The answer to `code` in `format`, as an example. */
export function example(code: DocumentedCode, format: BodyFormat): object {
  switch (format) {
    case 'problem':
      return {
        type: code.type,
        title: code.title,
        status: code.http,
        detail: code.message,
        code: code.code,
        request_id: EXAMPLE_ID,
      };
    case 'envelope':
      return { error: { status: code.http, code: code.code, message: code.message, request_id: EXAMPLE_ID } };
    case 'jsonapi':
      return {
        errors: [
          {
            id: EXAMPLE_ID,
            status: String(code.http),
            code: code.code,
            title: code.title,
            detail: code.message,
            ...(code.type === 'about:blank' ? {} : { links: { type: code.type } }),
          },
        ],
      };
  }
}

/** `content` of a response for `codes` in every format of `format` (one example, or examples by code). */
export function contentFor(codes: readonly DocumentedCode[], format: AnswerFormat): Record<string, object> {
  return Object.fromEntries(
    formatsOf(format).map((body) => [
      MEDIA_TYPES[body],
      codes.length === 1
        ? { schema: schemaRef(body), example: example(codes[0] as DocumentedCode, body) }
        : {
            schema: schemaRef(body),
            examples: Object.fromEntries(codes.map((c) => [c.code, { summary: c.message, value: example(c, body) }])),
          },
    ]),
  );
}

/** The JSON Schema of a JSON:API error document as Faultline writes it (JSON:API 1.1). */
export const JSON_API_ERRORS_SCHEMA: object = {
  type: 'object',
  description:
    'A JSON:API 1.1 error document (application/vnd.api+json): the fault first, then one error object per field violation, all with the request id as `id`.',
  required: ['errors'],
  additionalProperties: false,
  properties: {
    errors: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['id', 'status', 'code', 'title', 'detail'],
        additionalProperties: false,
        properties: {
          id: {
            type: 'string',
            format: 'uuid',
            description: 'The request id (correlation id), shared by every error object.',
          },
          status: { type: 'string', pattern: '^[45][0-9]{2}$', description: 'The HTTP status, as a string.' },
          code: { type: 'string', pattern: '^[A-Z][A-Z0-9_]*$', description: 'Stable code.' },
          title: { type: 'string' },
          detail: { type: 'string', description: 'Generic message of the code, or the field violation.' },
          source: {
            type: 'object',
            description: 'What failed: a JSON Pointer into the request document, a query parameter or a header.',
            properties: {
              pointer: { type: 'string' },
              parameter: { type: 'string' },
              header: { type: 'string' },
            },
          },
          links: {
            type: 'object',
            properties: { type: { type: 'string', format: 'uri', description: 'Documentation of the code.' } },
          },
          meta: {
            type: 'object',
            description: "The code's declared public parameters (also in `detail`).",
            additionalProperties: { type: ['string', 'number'] },
          },
        },
      },
    },
    meta: {
      type: 'object',
      properties: { trace_id: { type: 'string', pattern: '^[0-9a-f]{32}$' } },
    },
  },
};
