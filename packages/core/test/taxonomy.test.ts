import { describe, expect, it } from 'vitest';
import { CATEGORIES, categoryOfBuiltinCode, GrpcStatus, isCategory, TAXONOMY } from './support/source.js';

const FORBIDDEN_CLOSE_CODES = new Set([1004, 1005, 1006, 1015]);

describe('taxonomy', () => {
  it('maps every category on every protocol', () => {
    expect(Object.keys(TAXONOMY).sort()).toEqual([...CATEGORIES].sort());
    for (const category of CATEGORIES) {
      const spec = TAXONOMY[category];
      expect(spec.http).toBeGreaterThanOrEqual(400);
      expect(spec.http).toBeLessThan(600);
      expect(Object.values(GrpcStatus)).toContain(spec.grpc);
      expect(spec.grpc).not.toBe(GrpcStatus.OK);
      expect(spec.code).toMatch(/^[A-Z][A-Z_]+$/);
      expect(spec.message.length).toBeGreaterThan(5);
    }
  });

  it('uses close codes that ws.close accepts (1000-1014 minus reserved ones, or 3000-4999)', () => {
    for (const category of CATEGORIES) {
      const code = TAXONOMY[category].wsClose;
      const valid =
        (code >= 1000 && code <= 1014 && !FORBIDDEN_CLOSE_CODES.has(code)) || (code >= 3000 && code <= 4999);
      expect(valid, `${category} -> ${code}`).toBe(true);
    }
  });

  it('matches the design table for the protocol codes', () => {
    expect(TAXONOMY.validation).toMatchObject({ http: 400, grpc: GrpcStatus.INVALID_ARGUMENT, wsClose: 4400 });
    expect(TAXONOMY.unauthenticated).toMatchObject({ http: 401, grpc: GrpcStatus.UNAUTHENTICATED, wsClose: 4401 });
    expect(TAXONOMY.forbidden).toMatchObject({ http: 403, grpc: GrpcStatus.PERMISSION_DENIED, wsClose: 4403 });
    expect(TAXONOMY.not_found).toMatchObject({ http: 404, grpc: GrpcStatus.NOT_FOUND, wsClose: 4404 });
    expect(TAXONOMY.method_not_allowed).toMatchObject({ http: 405, grpc: GrpcStatus.UNIMPLEMENTED, wsClose: 4405 });
    expect(TAXONOMY.conflict).toMatchObject({ http: 409, grpc: GrpcStatus.ALREADY_EXISTS, wsClose: 4409 });
    expect(TAXONOMY.precondition_failed).toMatchObject({ http: 412, grpc: GrpcStatus.FAILED_PRECONDITION });
    expect(TAXONOMY.payload_too_large).toMatchObject({ http: 413, grpc: GrpcStatus.RESOURCE_EXHAUSTED, wsClose: 1009 });
    expect(TAXONOMY.unsupported_media_type).toMatchObject({
      http: 415,
      grpc: GrpcStatus.INVALID_ARGUMENT,
      wsClose: 1003,
    });
    expect(TAXONOMY.rate_limited).toMatchObject({ http: 429, grpc: GrpcStatus.RESOURCE_EXHAUSTED, wsClose: 4429 });
    expect(TAXONOMY.cancelled).toMatchObject({ http: 499, grpc: GrpcStatus.CANCELLED, wsClose: 1001 });
    expect(TAXONOMY.internal).toMatchObject({ http: 500, grpc: GrpcStatus.INTERNAL, wsClose: 1011 });
    expect(TAXONOMY.not_implemented).toMatchObject({ http: 501, grpc: GrpcStatus.UNIMPLEMENTED, wsClose: 4501 });
    expect(TAXONOMY.bad_gateway).toMatchObject({ http: 502, grpc: GrpcStatus.UNAVAILABLE, wsClose: 1014 });
    expect(TAXONOMY.unavailable).toMatchObject({ http: 503, grpc: GrpcStatus.UNAVAILABLE, wsClose: 1013 });
    expect(TAXONOMY.timeout).toMatchObject({ http: 504, grpc: GrpcStatus.DEADLINE_EXCEEDED, wsClose: 4504 });
  });

  it('marks exactly the 5xx categories as server faults', () => {
    for (const category of CATEGORIES) {
      expect(TAXONOMY[category].serverFault).toBe(TAXONOMY[category].http >= 500);
    }
  });

  it('has one distinct built-in code per category and finds it back', () => {
    const codes = CATEGORIES.map((c) => TAXONOMY[c].code);
    expect(new Set(codes).size).toBe(codes.length);
    for (const category of CATEGORIES) expect(categoryOfBuiltinCode(TAXONOMY[category].code)).toBe(category);
    expect(categoryOfBuiltinCode('ORDER_NOT_FOUND')).toBeUndefined();
  });

  it('recognises categories and nothing else', () => {
    expect(isCategory('conflict')).toBe(true);
    expect(isCategory('Conflict')).toBe(false);
    expect(isCategory(409)).toBe(false);
    expect(isCategory('__proto__')).toBe(false);
  });

  it('is frozen', () => {
    expect(Object.isFrozen(TAXONOMY)).toBe(true);
  });
});
