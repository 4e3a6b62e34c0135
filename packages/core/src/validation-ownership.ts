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

/** True when `violation` points into one of `roots` (see the module rule). */
function ownedBy(violation: FieldViolation, roots: readonly unknown[]): boolean {
  const segments = segmentsOf(violation.pointer);
  if (segments.length === 0) {
    // A verdict on the whole document names nothing; it is the client's only when the client sent
    // a scalar or null where structure was expected.
    return roots.some((root) => root !== undefined && !isObjectLike(root));
  }
  const missing = violation.detail === GENERIC_FIELD_DETAILS.required;
  const target = missing ? segments.slice(0, -1) : segments;
  return roots.some((root) => {
    const step = walk(root, target);
    return step.found && (!missing || isObjectLike(step.value));
  });
}

/**
 * True when every violation resolves in the request input `roots` (body, query, params, a gRPC
 * request message, a WebSocket message). No violations, or no input, is never proof.
 */
export function violationsOwnedByInput(violations: readonly FieldViolation[], roots: readonly unknown[]): boolean {
  if (violations.length === 0 || roots.length === 0) return false;
  return violations.every((violation) => ownedBy(violation, roots));
}
