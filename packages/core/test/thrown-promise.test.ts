/**
 * A handler that throws (or rejects with) a promise which itself rejects: `capture` marks it
 * handled, so its rejection cannot reach `unhandledRejection` and end the process, in every
 * adapter; the fault is the thrown value, answered as internal.
 */
import { describe, expect, it } from 'vitest';
import { capture } from './support/source.js';

describe('a thrown promise', () => {
  it('is marked handled when captured, and is an internal fault', async () => {
    const unhandled: unknown[] = [];
    const onRejection = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onRejection);
    try {
      const fault = capture(Promise.reject(new Error('inner rejection')));
      expect(fault.category).toBe('internal');
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
    }
  });

  it('leaves a thenable that is not a promise unread (its then never runs)', () => {
    let read = false;
    const thenable = {
      // biome-ignore lint/suspicious/noThenProperty: a thenable that is not a promise is the point of this case
      get then() {
        read = true;
        return () => undefined;
      },
    };
    capture(thenable);
    expect(read).toBe(false);
  });
});
