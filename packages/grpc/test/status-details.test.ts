import { capture, defineCatalog, FaultError } from '@faultline/core';
import { describe, expect, it } from 'vitest';
import { encodeStatusDetails, fieldPathOf, MAX_DETAILS_BYTES } from '../src/index.js';
import { decodeStatusDetails } from '../src/rich-status.js';

describe('google.rpc.Status details', () => {
  it('splices each id into the pre-encoded template (same bytes as a full encoding)', () => {
    const a = capture(FaultError.of('conflict'));
    const b = capture(FaultError.of('conflict'));
    const da = decodeStatusDetails(encodeStatusDetails(a, 'd'));
    const db = decodeStatusDetails(encodeStatusDetails(b, 'd'));
    expect(da).toMatchObject({ code: 6, message: a.message, reason: 'CONFLICT', domain: 'd', requestId: a.id });
    expect(db?.requestId).toBe(b.id);
    expect(encodeStatusDetails(a, 'd').byteLength).toBe(encodeStatusDetails(b, 'd').byteLength);
  });

  it('keeps templates apart per domain, retry-after and code', () => {
    const errors = defineCatalog({ DETAILS_BUSY: { category: 'unavailable', message: 'Busy.' } });
    const one = decodeStatusDetails(encodeStatusDetails(capture(errors.DETAILS_BUSY({ retryAfter: 3 })), 'x'));
    const two = decodeStatusDetails(encodeStatusDetails(capture(errors.DETAILS_BUSY({ retryAfter: 9 })), 'y'));
    expect(one).toMatchObject({ retryDelaySeconds: 3, domain: 'x', reason: 'DETAILS_BUSY' });
    expect(two).toMatchObject({ retryDelaySeconds: 9, domain: 'y' });
  });

  it('drops field violations before exceeding the size cap', () => {
    const many = Array.from({ length: 20 }, (_, i) => ({
      pointer: `/items/${i}/${'a'.repeat(60)}`,
      detail: 'Is invalid.',
    }));
    const fault = capture(FaultError.of('validation', { fieldViolations: many }));
    const bytes = encodeStatusDetails(fault, 'd');
    expect(bytes.byteLength).toBeLessThanOrEqual(MAX_DETAILS_BYTES);
    expect(decodeStatusDetails(bytes)?.reason).toBe('VALIDATION_FAILED');
  });

  it('turns JSON Pointers into AIP-193 field paths', () => {
    expect(fieldPathOf('/items/0/qty')).toBe('items[0].qty');
    expect(fieldPathOf('')).toBe('');
    expect(fieldPathOf('/email')).toBe('email');
  });

  it('rejects garbage', () => {
    expect(decodeStatusDetails(new Uint8Array([0xff, 0xff, 0xff]))).toBeUndefined();
  });
});
