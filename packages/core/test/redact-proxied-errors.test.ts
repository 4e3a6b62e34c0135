/**
 * An error wrapped in a Proxy keeps its type, message and stack in the record:
 * - from Node 22 an error's `stack` is an accessor that reads a private slot of its receiver, so
 *   read through any Proxy (`new Proxy(error, {})` too) it is `undefined`: the record had no stack;
 *   a trap that throws on `stack` or hides it did the same on every version;
 * - a Proxy whose `getPrototypeOf` trap throws made the whole record `[Unreadable]`.
 * The stack is read from the Proxy's target without running a trap (`util.inspect`).
 */
import { describe, expect, it } from 'vitest';
import { capture, createRedactor } from './support/source.js';

const redactor = createRedactor();
type Record = { [key: string]: unknown };

function thrown(): TypeError {
  return Object.assign(new TypeError('charge refused password=hunter2'), { code: 'E_CHARGE' });
}

const HANDLERS: [string, ProxyHandler<TypeError>][] = [
  ['no traps', {}],
  [
    'a get trap forwarding with the Proxy as receiver',
    { get: (target, key, receiver) => Reflect.get(target, key, receiver) },
  ],
  [
    'a get trap that throws on stack',
    {
      get(target, key) {
        if (key === 'stack') throw new Error('no stack for you');
        return Reflect.get(target, key);
      },
    },
  ],
  ['a get trap that hides stack', { get: (target, key) => (key === 'stack' ? undefined : Reflect.get(target, key)) }],
  [
    'a getPrototypeOf trap that throws',
    {
      getPrototypeOf() {
        throw new Error('no prototype');
      },
    },
  ],
];

describe('an error wrapped in a Proxy', () => {
  it.each(HANDLERS)('with %s keeps its type, message, stack and fields, redacted', (_name, handler) => {
    const out = redactor.redact(new Proxy(thrown(), handler)) as Record;
    expect(out.type).toBe('TypeError');
    expect(out.message).toBe('charge refused password=[REDACTED]');
    const stack = out.stack as string[];
    expect(stack[0]).toBe('TypeError: charge refused password=[REDACTED]');
    expect(stack[1]).toMatch(/^at thrown \(.*redact-proxied-errors\.test\.ts:\d+:\d+\)$/);
    expect(out.code).toBe('E_CHARGE');
    expect(JSON.stringify(out)).not.toContain('hunter2');
  });

  it('the stack stops at its own frames: the target fields and cause inspect writes after are not in it', () => {
    const error = Object.assign(thrown(), { cause: new Error('inner token=abcdefghijklmnop') });
    const out = redactor.redact(new Proxy(error, { get: () => undefined })) as Record;
    const stack = out.stack as string[];
    expect(stack.every((line, i) => i === 0 || line.startsWith('at '))).toBe(true);
    expect(JSON.stringify(stack)).not.toMatch(/inner|E_CHARGE/);
  });

  it('a revoked Proxy, or a Proxy of a plain object, is no error and never throws', () => {
    const { proxy, revoke } = Proxy.revocable(thrown(), {});
    revoke();
    expect(JSON.stringify(redactor.redact(proxy))).toContain('[Unreadable]');
    expect(capture(proxy).status).toBe(500);
    expect(redactor.redact(new Proxy({ message: 'plain', n: 1 }, {}))).toEqual({ message: 'plain', n: 1 });
  });

  it('a thrown Proxy of an error is answered generically', () => {
    const fault = capture(new Proxy(thrown(), {}));
    expect([fault.status, fault.code]).toEqual([500, 'INTERNAL']);
  });
});
