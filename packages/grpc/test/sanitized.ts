/**
 * One check of what a client received, shared by the red-team suites: the status is Faultline's
 * (the category's code and generic details), its trailers hold exactly one `x-request-id`, a
 * UUID, and a `grpc-status-details-bin` whose RequestInfo and ErrorInfo carry that same id and
 * the same code, nothing else but the headers grpc-js adds itself, and no forbidden fragment
 * (the case's own, and stack frames, paths, driver words) anywhere the client can read.
 */
import { type Category, GrpcStatus, isUuid, TAXONOMY } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import { ALWAYS_FORBIDDEN } from '@faultline/testkit';
import type { ServiceError } from '@grpc/grpc-js';
import { expect } from 'vitest';
import { DETAILS_KEY, REQUEST_ID_KEY } from '../src/index.js';

/** Trailer keys a Faultline status may carry: its own two, and what grpc-js adds to any response. */
const ALLOWED_KEYS = new Set([REQUEST_ID_KEY, DETAILS_KEY, 'content-type', 'date']);

/** Everything the client can read of `error`, as one text (the rich status as latin1 and decoded). */
export function visibleText(error: ServiceError): string {
  const blob = error.metadata.get(DETAILS_KEY)[0];
  const decoded = Buffer.isBuffer(blob) ? decodeStatusDetails(blob) : undefined;
  return [
    String(error.code),
    error.details,
    error.message,
    JSON.stringify(error.metadata.toJSON()),
    Buffer.isBuffer(blob) ? blob.toString('latin1') : '',
    JSON.stringify(decoded),
  ].join('\n');
}

/**
 * Asserts that `error` is a Faultline status of `category` (its code and generic details) whose
 * text shows none of `forbidden`; returns its id.
 */
export function expectSanitized(
  error: ServiceError | undefined,
  category: Category,
  forbidden: readonly string[],
): string {
  expect(error, 'the call must fail').toBeDefined();
  if (error === undefined) return '';
  const spec = TAXONOMY[category];
  // A conflict may be answered ABORTED as well as with its own code.
  expect(category === 'conflict' ? [spec.grpc, GrpcStatus.ABORTED] : [spec.grpc]).toContain(error.code);
  expect(error.details).toBe(spec.message);
  const code = error.code;
  const ids = error.metadata.get(REQUEST_ID_KEY);
  expect(ids).toHaveLength(1);
  const id = String(ids[0]);
  expect(isUuid(id)).toBe(true);
  const blobs = error.metadata.get(DETAILS_KEY);
  expect(blobs).toHaveLength(1);
  const decoded = decodeStatusDetails(blobs[0] as Buffer);
  expect(decoded).toMatchObject({ code, message: error.details, requestId: id });
  expect(Object.keys(error.metadata.getMap()).filter((key) => !ALLOWED_KEYS.has(key))).toEqual([]);
  const visible = visibleText(error);
  expect([...forbidden, ...ALWAYS_FORBIDDEN].filter((fragment) => visible.includes(fragment))).toEqual([]);
  return id;
}
