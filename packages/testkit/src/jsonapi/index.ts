/**
 * The JSON:API 1.1 response schema from the JSON:API project (CC0; see LICENSE beside it), compiled
 * with Ajv's JSON Schema 2020-12 validator and `ajv-formats`, for tests that check an answer is a
 * valid JSON:API document.
 */
import { existsSync, readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: its function is the default export (or its `default` member).
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (
  ajv: Ajv2020,
) => Ajv2020;

// Beside this file in src/; from dist/jsonapi/ (tsc does not copy it), back in src/.
const beside = new URL('./schema-1.1.json', import.meta.url);
const schemaFile = existsSync(beside) ? beside : new URL('../../src/jsonapi/schema-1.1.json', import.meta.url);

/** The vendored schema, parsed. */
export const JSON_API_SCHEMA: Readonly<Record<string, unknown>> = JSON.parse(
  readFileSync(schemaFile, 'utf8'),
) as Record<string, unknown>;

let validate: (((document: unknown) => boolean) & { errors?: unknown }) | undefined;

/**
 * The schema's complaints about `document` (an empty list when it is a valid JSON:API 1.1
 * response document).
 */
export function jsonApiSchemaErrors(document: unknown): string[] {
  if (validate === undefined) {
    // The schema mixes draft-07 words (`definitions`, `dependencies`) into 2020-12: not strict.
    // Its `$schema` spells the 2020-12 URI with http:, which Ajv does not know: Ajv2020 is that draft.
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    const { $schema: _draft, ...schema } = JSON_API_SCHEMA;
    validate = ajv.compile(schema);
  }
  if (validate(document)) return [];
  const errors = (validate.errors ?? []) as { instancePath?: string; message?: string }[];
  return errors.map((e) => `${e.instancePath ?? ''} ${e.message ?? ''}`.trim());
}
