/** `chainDescriptor`: a property's descriptor found on a prototype chain without running the value's code. */
import { describe, expect, it } from 'vitest';
import { chainDescriptor } from '../src/safe-access.js';

describe('chainDescriptor', () => {
  it('finds an own data property, an inherited accessor, or nothing', () => {
    expect(chainDescriptor({ statusCode: 404 }, 'statusCode')).toMatchObject({ value: 404 });
    const getter = () => 'x';
    const child = Object.create(Object.defineProperty({}, 'stack', { get: getter }));
    expect(chainDescriptor(child, 'stack')?.get).toBe(getter);
    expect(chainDescriptor({}, 'statusCode')).toBeUndefined();
  });

  it('is null for a Proxy anywhere on the chain, and runs none of its traps', () => {
    let trapped = 0;
    const handler = new Proxy({}, { get: () => () => (trapped += 1) });
    expect(chainDescriptor(new Proxy({}, handler), 'stack')).toBeNull();
    expect(chainDescriptor(Object.create(new Proxy({}, handler)), 'stack')).toBeNull();
    expect(trapped).toBe(0);
  });

  it('is null for a chain deeper than 32', () => {
    let deep: object = {};
    for (let i = 0; i < 40; i += 1) deep = Object.create(deep);
    expect(chainDescriptor(deep, 'statusCode')).toBeNull();
  });
});
