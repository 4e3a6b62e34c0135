import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  capture,
  defineCatalog,
  FALLBACK_PROBLEM_BODY,
  FaultError,
  isShowableTraceId,
  renderEnvelope,
  renderProblem,
  TAXONOMY,
} from './support/source.js';

const errors = defineCatalog({
  TPL_QUOTA_EXCEEDED: {
    category: 'rate_limited',
    message: 'You used your "daily" quota \\ wait.',
    type: 'https://docs.example.com/errors/quota',
  },
});

describe('pre-serialized templates', () => {
  it('renders RFC 9457 problem details for every category', () => {
    for (const category of CATEGORIES) {
      const fault = capture(FaultError.of(category));
      const body = JSON.parse(renderProblem(fault));
      expect(body).toEqual({
        type: 'about:blank',
        title: TAXONOMY[category].title,
        status: TAXONOMY[category].http,
        detail: TAXONOMY[category].message,
        code: TAXONOMY[category].code,
        request_id: fault.id,
      });
    }
  });

  it('splices a UUID id as it is and escapes any other 36-character id, in both body formats', () => {
    // Characters whose low 7 bits are a hex digit, `-` or `"` (a lone surrogate U+D830, U+012D,
    // U+0122), a quote and a backslash: the body stays well-formed JSON that reads back the id.
    const ids = [
      '0f8fad5b-d9cb-469f-a165-70867728950e',
      '0F8FAD5B-D9CB-469F-A165-70867728950E',
      '\ud8300f8fad5-d9cb-469f-a165-70867728950e',
      '0f8fad5b\u012dd9cb-469f-a165-70867728950e',
      '0f8fad5b-d9cb-469f-a165-7086772895\u0122e',
      '0f8fad5b-d9cb-469f-a165-7086772895"\\',
    ];
    for (const requestId of ids) {
      expect(requestId).toHaveLength(36);
      const fault = capture(FaultError.of('not_found'), { requestId, requestIdTrusted: true });
      expect(fault.id).toBe(requestId);
      for (const body of [renderProblem(fault), renderEnvelope(fault)]) {
        // No lone surrogate: the UTF-8 bytes of the body read back as the same text.
        expect(Buffer.from(body).toString()).toBe(body);
        const parsed = JSON.parse(body);
        expect(parsed.request_id ?? parsed.error.request_id).toBe(requestId);
      }
    }
  });

  it('escapes catalog text correctly and carries the docs URI as type', () => {
    const fault = capture(errors.TPL_QUOTA_EXCEEDED());
    const body = JSON.parse(renderProblem(fault));
    expect(body.detail).toBe('You used your "daily" quota \\ wait.');
    expect(body.type).toBe('https://docs.example.com/errors/quota');
    expect(body.status).toBe(429);
  });

  it('renders the envelope format with the same fields', () => {
    const fault = capture(FaultError.of('conflict'));
    expect(JSON.parse(renderEnvelope(fault))).toEqual({
      error: { status: 409, code: 'CONFLICT', message: TAXONOMY.conflict.message, request_id: fault.id },
    });
  });

  it('gives every body of a code the same length whatever the id', () => {
    const lengths = new Set<number>();
    for (let i = 0; i < 50; i += 1) lengths.add(renderProblem(capture(new Error(`secret ${'x'.repeat(i)}`))).length);
    expect(lengths.size).toBe(1);
  });

  it('adds a trace id only when it is a valid, non-zero W3C trace id', () => {
    const fault = capture(FaultError.of('internal'));
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    expect(JSON.parse(renderProblem(fault, { traceId })).trace_id).toBe(traceId);
    expect(JSON.parse(renderEnvelope(fault, { traceId })).error.trace_id).toBe(traceId);
    expect(renderProblem(fault, { traceId: '0'.repeat(32) })).not.toContain('trace_id');
    expect(renderProblem(fault, { traceId: '"},"x":"y' })).not.toContain('trace_id');
    expect(isShowableTraceId('0AF7651916CD43DD8448EB211C80319C')).toBe(false);
  });

  it('appends field violations as errors[]', () => {
    const fault = capture(
      FaultError.of('validation', { fieldViolations: [{ pointer: '/qty', detail: 'Is too small.' }] }),
    );
    expect(JSON.parse(renderProblem(fault)).errors).toEqual([{ pointer: '/qty', detail: 'Is too small.' }]);
  });

  it('has a static fallback body that is valid problem JSON', () => {
    expect(JSON.parse(FALLBACK_PROBLEM_BODY)).toMatchObject({ status: 500, code: 'INTERNAL' });
  });
});
