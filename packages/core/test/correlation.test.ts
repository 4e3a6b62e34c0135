import { describe, expect, it } from 'vitest';
import { escapeForLog, isUuid, newCorrelationId, resolveCorrelationId } from './support/source.js';

describe('correlation ids', () => {
  it('makes UUID v4 ids that differ', () => {
    const a = newCorrelationId();
    const b = newCorrelationId();
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(a).not.toBe(b);
  });

  it.each([
    ['3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60', true],
    ['3F1C2A9E-8B7D-4C6E-9F0A-1B2C3D4E5F60', true],
    ['01890a5d-ac96-774b-bcce-b302099a8057', true],
    ['3f1c2a9e8b7d4c6e9f0a1b2c3d4e5f60', false],
    ['3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f6', false],
    ['3f1c2a9e-8b7d-0c6e-9f0a-1b2c3d4e5f60', false],
    ['3f1c2a9e-8b7d-4c6e-cf0a-1b2c3d4e5f60', false],
    ['3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60\n', false],
    [' 3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60', false],
    ['', false],
  ])('isUuid(%j) = %s', (value, expected) => {
    expect(isUuid(value)).toBe(expected);
  });

  it('trusts only a single UUID from an incoming value', () => {
    const id = '3f1c2a9e-8b7d-4c6e-9f0a-1b2c3d4e5f60';
    expect(resolveCorrelationId(id)).toEqual({ id, rejected: undefined });
    const missing = resolveCorrelationId(undefined);
    expect(isUuid(missing.id)).toBe(true);
    expect(missing.rejected).toBeUndefined();
    const repeated = resolveCorrelationId([id, id]);
    expect(repeated.id).not.toBe(id);
    expect(repeated.rejected).toBe('[array of 2]');
    const hostile = resolveCorrelationId('abc\r\nX-Injected: 1\u001b[31m');
    expect(isUuid(hostile.id)).toBe(true);
    expect(hostile.rejected).toBe('abc\\x0d\\x0aX-Injected: 1\\x1b[31m');
  });

  it('escapes log-breaking characters and truncates', () => {
    expect(escapeForLog('a\u2028b\u2029c"\\')).toBe('a\\u2028b\\u2029c\\x22\\x5c');
    expect(escapeForLog('x'.repeat(100), 10)).toBe('xxxxxxxxxx...(100 chars)');
    expect(escapeForLog({ toString: () => 'secret' })).toBe('[object]');
    expect(escapeForLog(Symbol('s'))).toBe('[symbol]');
  });
});

describe('correlation ids: canonical case', () => {
  it('keeps an upper-case UUID, normalised to lower case', () => {
    const upper = '3F2504E0-4F89-41D3-9A0C-0305E82C3301';
    expect(resolveCorrelationId(upper)).toEqual({ id: upper.toLowerCase(), rejected: undefined });
  });
});
