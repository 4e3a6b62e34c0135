/**
 * Node's own errors (testkit's `NATIVE_VALUES`: fs, dns, net, child_process, zlib, OpenSSL,
 * JSON.parse, structuredClone, URL and header checks, node:sqlite, fetch, abort signals,
 * AggregateErrors of them) through `capture` and the default redactor, on whichever Node runs the
 * suite: the expected category, nothing of the path, host, address, SQL, argv or library text in
 * anything public, and a redacted record that keeps the code and syscall an operator needs.
 */
import { leaksIn, NATIVE_FORBIDDEN, NATIVE_VALUES, prepareNativeValues, REDACTABLE_SECRET } from '@faultline/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { capture, createRedactor, publicView, renderEnvelope, renderProblem } from './support/source.js';

beforeAll(() => prepareNativeValues());

describe("Node's own errors through capture", () => {
  it.each(Object.entries(NATIVE_VALUES))('%s', (_name, native) => {
    const thrown = native.make();
    const fault = capture(thrown, {});
    expect(fault.category).toBe(native.category);
    const visible = [renderProblem(fault), renderEnvelope(fault), JSON.stringify(publicView(fault))].join('\n');
    expect(leaksIn(visible, { forbidden: NATIVE_FORBIDDEN })).toEqual([]);
    const record = JSON.stringify(createRedactor().redact(thrown));
    expect(native.keep.filter((kept) => !record.includes(kept))).toEqual([]);
    expect(record).not.toContain(REDACTABLE_SECRET);
  });

  it('an abort caused by AbortSignal.timeout is a timeout; any other abort stays a cancellation', () => {
    const aborted = (cause?: unknown) =>
      Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR', cause });
    expect(capture(aborted(new DOMException('The operation timed out', 'TimeoutError')), {}).category).toBe('timeout');
    expect(capture(aborted(new DOMException('This operation was aborted', 'AbortError')), {}).category).toBe(
      'cancelled',
    );
    expect(capture(aborted(), {}).category).toBe('cancelled');
    expect(capture(Object.assign(new Error('aborted'), { code: 'ABORT_ERR' }), {}).category).toBe('cancelled');
  });
});
