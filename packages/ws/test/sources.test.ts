/**
 * `fail(socket, thrown, source)` takes any source: an application that names it after what the
 * client sent (`ws.${message.type}`) hands the adapter as many sources as a client cares to make
 * up. The adapter may keep a capture context per source it sees, but not one for every source
 * forever: the maps it fills with sources stay bounded.
 */
import { randomBytes } from 'node:crypto';
import { FaultError } from '@faultline/core';
import { afterEach, describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { createWsAdapter } from '../src/index.js';

/** A socket already closed: `fail` records the fault and sends nothing on it. */
const closedSocket = { OPEN: 1, readyState: 3 } as unknown as WebSocket;
const originalSet = Map.prototype.set;
afterEach(() => {
  Map.prototype.set = originalSet;
});

describe('fail() with sources a client makes up', () => {
  it('does not keep a context for every distinct source', () => {
    const prefix = `ws.${randomBytes(8).toString('hex')}.`;
    // Every Map a made-up source is stored in, whoever fills it.
    const holders = new Set<Map<unknown, unknown>>();
    Map.prototype.set = function (this: Map<unknown, unknown>, key: unknown, value: unknown) {
      if (typeof key === 'string' && key.startsWith(prefix)) holders.add(this);
      return originalSet.call(this, key, value);
    };
    const adapter = createWsAdapter({ reporter: false });
    const thrown = FaultError.of('validation');
    for (let i = 0; i < 10_000; i += 1) {
      expect(adapter.fail(closedSocket, thrown, `${prefix}${i}`).code).toBe('VALIDATION_FAILED');
    }
    Map.prototype.set = originalSet;
    expect(Math.max(0, ...[...holders].map((map) => map.size))).toBeLessThanOrEqual(64);
  });
});
