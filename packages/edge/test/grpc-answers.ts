/** Assertions shared by the gRPC gateway tests: the gateway's own status, as `@faultline/grpc` sends it. */
import { decodeGrpcFault } from '@faultline/client/grpc';
import { TAXONOMY } from '@faultline/core';
import { decodeStatusDetails } from '@faultline/core/grpc';
import { expect } from 'vitest';
import { LEAKS, UUID_V4 } from './answers.js';
import type { CallResult } from './grpc-backend.js';

/** The metadata keys grpc-js shows of the gateway's trailers-only answer (HTTP headers it does not drop). */
export const TRAILERS_ONLY_KEYS = ['content-type', 'content-length', 'date', 'grpc-status-details-bin', 'x-request-id'];

/** The first value of a metadata entry. */
export function first(map: Record<string, unknown>, key: string): unknown {
  const value = map[key];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * A status the gateway made itself for taxonomy `category`: its gRPC code, the generic message, a
 * UUID v4 id in `x-request-id` equal to the details' RequestInfo and ErrorInfo (reason = the
 * category's code, `domain`), decoded by `@faultline/client/grpc`; no other trailer, nothing that
 * names the product. Returns the id.
 */
export function expectGatewayStatus(result: CallResult, category: keyof typeof TAXONOMY, domain = 'faultline'): string {
  const spec = TAXONOMY[category];
  expect(result.code).toBe(spec.grpc);
  expect(result.details).toBe(spec.message);
  const id = first(result.trailers, 'x-request-id') as string;
  expect(id).toMatch(UUID_V4);
  const blob = first(result.trailers, 'grpc-status-details-bin');
  expect(blob).toBeInstanceOf(Buffer);
  const details = decodeStatusDetails(blob as Buffer);
  expect(details).toMatchObject({ code: spec.grpc, message: spec.message, reason: spec.code, domain, requestId: id });
  // The id in both places core writes it (ErrorInfo metadata and RequestInfo).
  expect((blob as Buffer).toString('latin1').split(id)).toHaveLength(3);
  const fault = decodeGrpcFault(result.error as NonNullable<CallResult['error']>);
  expect(fault).toMatchObject({ conforming: true, category, code: spec.code, requestId: id });
  // A trailers-only answer: everything arrives as the status's metadata; only Faultline's keys and the date.
  for (const key of Object.keys(result.trailers)) expect(TRAILERS_ONLY_KEYS).toContain(key);
  expect(JSON.stringify({ ...result.trailers, 'grpc-status-details-bin': undefined }) + result.details).not.toMatch(
    LEAKS,
  );
  return id;
}
