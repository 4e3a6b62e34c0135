/**
 * OpenAPI for the JSON:API and negotiated formats: the document validates (a well-kept
 * validator), `jsonapi` routes answer `application/vnd.api+json` with the JsonApiErrors schema,
 * `negotiate` routes list all three media types with `Vary`, a strict JSON:API service adds 406;
 * and every JSON:API example is a valid JSON:API 1.1 document (the JSON:API project's schema).
 */
import { defineCatalog } from '@faultline/core';
import { jsonApiSchemaErrors } from '@faultline/testkit';
import { validate } from '@readme/openapi-parser';
import { describe, expect, it } from 'vitest';
import { openApiDocument } from '../src/index.js';

const errors = defineCatalog({
  OAS_JA_ORDER_NOT_FOUND: {
    category: 'not_found',
    message: 'The order does not exist.',
    type: 'https://docs.example.com/errors/order-not-found',
  },
});

type Responses = Record<
  string,
  {
    $ref?: string;
    content?: Record<string, { schema?: unknown; example?: unknown; examples?: Record<string, { value: unknown }> }>;
    headers?: Record<string, unknown>;
  }
>;
interface Doc {
  paths: Record<string, Record<string, { responses: Responses }>>;
  components: { responses: Responses; schemas: Record<string, unknown> };
}

function document(format: 'jsonapi' | 'negotiate', strictJsonApi = false): Doc {
  return openApiDocument({
    title: 'Orders',
    version: '1.0.0',
    routes: [
      { method: 'GET', url: '/orders/:id', codes: ['OAS_JA_ORDER_NOT_FOUND'] },
      { method: 'POST', url: '/orders' },
    ],
    catalogs: [errors],
    format,
    strictJsonApi,
  }) as Doc;
}

describe('OpenAPI for JSON:API and negotiate', () => {
  it.each(['jsonapi', 'negotiate'] as const)('%s: the document validates', async (format) => {
    const result = await validate(structuredClone(document(format, true)) as never);
    expect(result.valid, JSON.stringify((result as { errors?: unknown }).errors)).toBe(true);
  });

  it('jsonapi: error responses are application/vnd.api+json with the JsonApiErrors schema, examples valid JSON:API', () => {
    const doc = document('jsonapi');
    const notFound = doc.components.responses.OAS_JA_ORDER_NOT_FOUND?.content ?? {};
    expect(Object.keys(notFound)).toEqual(['application/vnd.api+json']);
    expect(notFound['application/vnd.api+json']?.schema).toEqual({ $ref: '#/components/schemas/JsonApiErrors' });
    for (const response of Object.values(doc.components.responses)) {
      const example = response.content?.['application/vnd.api+json']?.example;
      expect(jsonApiSchemaErrors(example)).toEqual([]);
    }
    expect(notFound['application/vnd.api+json']?.example).toMatchObject({
      errors: [
        {
          status: '404',
          code: 'OAS_JA_ORDER_NOT_FOUND',
          links: { type: 'https://docs.example.com/errors/order-not-found' },
        },
      ],
    });
    const grouped =
      doc.paths['/orders/{id}']?.get?.responses['404']?.content?.['application/vnd.api+json']?.examples ?? {};
    expect(Object.keys(grouped)).toEqual(['NOT_FOUND', 'OAS_JA_ORDER_NOT_FOUND']);
  });

  it('negotiate: every error response lists the three media types and Vary', () => {
    const doc = document('negotiate');
    const internal = doc.components.responses.INTERNAL;
    expect(Object.keys(internal?.content ?? {})).toEqual([
      'application/problem+json',
      'application/json',
      'application/vnd.api+json',
    ]);
    expect(internal?.headers).toHaveProperty('Vary');
    const grouped = doc.paths['/orders/{id}']?.get?.responses['404']?.content ?? {};
    expect(Object.keys(grouped)).toHaveLength(3);
  });

  it('strict JSON:API services document 406 on every route', () => {
    expect(document('jsonapi', true).paths['/orders/{id}']?.get?.responses['406']).toEqual({
      $ref: '#/components/responses/NOT_ACCEPTABLE',
    });
    expect(document('jsonapi').paths['/orders/{id}']?.get?.responses['406']).toBeUndefined();
  });
});
