/**
 * `asyncHandler` when the `next` it is given throws: code wrapping Express's `next` (a tracer's
 * layer wrapper) that cannot read the value gets it again inside a carrier; any other throw is
 * left as it was, and `next` is not called a second time for a failure it already took.
 */

import { unwrapThrown } from '@faultline/core/adapter';
import { describe, expect, it } from 'vitest';
import { asyncHandler } from '../src/index.js';
import type { ExpressRequest, ExpressResponse, NextFunction } from '../src/types.js';

const hostile = new Proxy(
  {},
  {
    get() {
      throw new Error('trap');
    },
    getPrototypeOf() {
      throw new Error('trap');
    },
  },
);

/** A `next` that reads its value like instrumentation-express does, then records it. */
function readingNext(calls: unknown[]): NextFunction {
  return ((value: unknown) => {
    if (value instanceof Error) void value.message;
    else void String(value);
    calls.push(value);
  }) as NextFunction;
}

/** A `next` that takes the value, then throws (a wrapper failing after Express's `next` ran). */
function throwingAfterNext(calls: unknown[]): NextFunction {
  return ((value: unknown) => {
    calls.push(value);
    throw new Error('wrapper failed after next');
  }) as NextFunction;
}

const req = {} as ExpressRequest;
const res = {} as ExpressResponse;

describe('asyncHandler with a next that throws', () => {
  it('a rejection the wrapper cannot read goes again, inside a carrier that opens to the value', async () => {
    const calls: unknown[] = [];
    asyncHandler(async () => {
      throw hostile;
    })(req, res, readingNext(calls));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(calls).toHaveLength(1);
    expect(calls[0]).toBeInstanceOf(Error);
    expect(unwrapThrown(calls[0])).toBe(hostile);
  });

  it('a sync throw the wrapper cannot read, the same', () => {
    const calls: unknown[] = [];
    asyncHandler(() => {
      throw hostile;
    })(req, res, readingNext(calls));
    expect(calls).toHaveLength(1);
    expect(unwrapThrown(calls[0])).toBe(hostile);
  });

  it('a readable value whose next throws anyway: next is called once, and the throw is left as it was', () => {
    const calls: unknown[] = [];
    const error = new Error('readable');
    expect(() =>
      asyncHandler(() => {
        throw error;
      })(req, res, throwingAfterNext(calls)),
    ).toThrow('wrapper failed after next');
    expect(calls).toEqual([error]);
  });
});
