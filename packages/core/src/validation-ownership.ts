/**
 * Who a validation error belongs to. A validation library (zod, Ajv, Joi, Yup, Mongoose) says
 * only that some data failed a schema; the data may be the client's request or the server's own
 * (a database row, an upstream answer). Rule: the verdict is the client's (400 with pointers)
 * only when every pointer resolves in the request's actual input: the value exists there, or, for
 * a missing required field, its parent does. Otherwise it is `internal`: the pointers (which
 * would name internal columns such as `/rows/0/password_hash`) go to the log only.
 */
import { type FieldViolation, GENERIC_FIELD_DETAILS } from './field-violation.js';
import { isObjectLike, safeGet } from './safe-access.js';

/** Segments of a sanitised JSON Pointer (`/a/0/b` -> `['a', '0', 'b']`). */
function segmentsOf(pointer: string): string[] {
  return pointer === '' ? [] : pointer.slice(1).split('/');
}

/** Follows `segments` from `root` with safe reads; `found` is false when a step is missing. */
function walk(root: unknown, segments: readonly string[]): { found: boolean; value: unknown } {
  let current = root;
  for (const segment of segments) {
    if (!isObjectLike(current)) return { found: false, value: undefined };
    let has = false;
    try {
      has = Object.hasOwn(current, segment);
    } catch {
      return { found: false, value: undefined };
    }
    if (!has) return { found: false, value: undefined };
    current = safeGet(current, segment);
  }
  return { found: true, value: current };
}

/**
 * The violation as the client's, or undefined when it does not point into `roots`. A value that
 * is absent under a parent that resolves is a missing field when the library said "required",
 * or, with `missingAsType` (zod reports a missing required field as `invalid_type`), "type": it
 * is answered as "required".
 */
function ownedBy(
  violation: FieldViolation,
  roots: readonly unknown[],
  missingAsType: boolean,
): FieldViolation | undefined {
  const segments = segmentsOf(violation.pointer);
  if (segments.length === 0) {
    // A verdict on the whole document names nothing; it is the client's only when the client sent
    // a scalar or null where structure was expected.
    return roots.some((root) => root !== undefined && !isObjectLike(root)) ? violation : undefined;
  }
  const required = GENERIC_FIELD_DETAILS.required;
  for (const root of roots) {
    const parent = walk(root, segments.slice(0, -1));
    if (!parent.found || !isObjectLike(parent.value)) continue;
    if (walk(parent.value, segments.slice(-1)).found || violation.detail === required) return violation;
    if (missingAsType && violation.detail === GENERIC_FIELD_DETAILS.type)
      return { pointer: violation.pointer, detail: required };
  }
  return undefined;
}

/** Own enumerable keys of an object (bounded), or undefined when it cannot be read. */
function keysOf(value: object): string[] | undefined {
  try {
    return Object.keys(value).slice(0, 256).sort();
  } catch {
    return undefined;
  }
}

/**
 * True when `document` (what the library says it validated) is one of `roots`: the same value,
 * or an object whose non-empty set of top-level keys all stand in the input too (Yup and Joi
 * report the original, uncast value; a WebSocket message may carry more keys than were validated).
 */
function isInputDocument(document: unknown, roots: readonly unknown[]): boolean {
  if (!isObjectLike(document)) return roots.some((root) => Object.is(root, document));
  const keys = keysOf(document);
  return roots.some((root) => {
    if (root === document) return true;
    // An empty object proves nothing by its keys (an empty query is one): only identity counts then.
    if (!isObjectLike(root) || Array.isArray(root) !== Array.isArray(document) || keys?.length === 0) return false;
    const rootKeys = keysOf(root);
    return keys !== undefined && rootKeys !== undefined && keys.every((key) => rootKeys.includes(key));
  });
}

/** What a library told about its verdict, for {@link violationsOwnedByInput}. */
export interface VerdictEvidence {
  /** Missing fields are reported as type failures (zod). */
  readonly missingAsType?: boolean | undefined;
  /** The document the library validated, when it says (Yup, Joi). */
  readonly document?: unknown;
}

/**
 * The violations as the client's when every one resolves in the request input `roots` (body,
 * query, params, a gRPC request message, a WebSocket message): present values, or missing fields
 * under a parent that exists; and, when the library names the document it validated, that
 * document is one of the inputs. Undefined otherwise; no violations, or no input, is never proof.
 */
export function violationsOwnedByInput(
  violations: readonly FieldViolation[],
  roots: readonly unknown[],
  evidence: VerdictEvidence = {},
): FieldViolation[] | undefined {
  if (violations.length === 0 || roots.length === 0) return undefined;
  if ('document' in evidence && evidence.document !== undefined && !isInputDocument(evidence.document, roots)) {
    return undefined;
  }
  const owned: FieldViolation[] = [];
  for (const violation of violations) {
    const mine = ownedBy(violation, roots, evidence.missingAsType === true);
    if (mine === undefined) return undefined;
    owned.push(mine);
  }
  return owned;
}
