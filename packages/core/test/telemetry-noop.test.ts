import { describe, expect, it } from 'vitest';
import { activeTraceId, annotateSpan, capture, recordFault, renderProblem } from './support/source.js';

describe('OpenTelemetry without an SDK', () => {
  it('is a no-op: no span, no trace id, nothing thrown', () => {
    const fault = capture(new Error('x'));
    expect(activeTraceId()).toBeUndefined();
    expect(annotateSpan(fault, 'http')).toBeUndefined();
    expect(recordFault(fault, { protocol: 'http' })).toBeUndefined();
    expect(renderProblem(fault, { traceId: undefined })).not.toContain('trace_id');
  });
});
