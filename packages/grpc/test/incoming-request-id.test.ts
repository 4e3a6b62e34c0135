import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { incomingRequestId } from '../src/index.js';

const ID = '0f3c7a1e-3d2b-4c8f-9a6e-2b1d0c9e8f7a';

describe('incomingRequestId', () => {
  it("reads a grpc-js Metadata's x-request-id whatever case it was set with: one value, several, none", () => {
    const one = new Metadata();
    one.set('X-Request-ID', ID);
    expect(incomingRequestId(one)).toBe(ID);
    const two = new Metadata();
    two.add('x-request-id', ID);
    two.add('X-REQUEST-ID', 'second');
    expect(incomingRequestId(two)).toEqual([ID, 'second']);
    expect(incomingRequestId(new Metadata())).toBeUndefined();
    expect(incomingRequestId(undefined)).toBeUndefined();
  });

  it("asks a Metadata subclass's own get, never its storage behind it", () => {
    class Rewriting extends Metadata {
      override get(key: string) {
        return key === 'x-request-id' ? [ID] : super.get(key);
      }
    }
    const metadata = new Rewriting();
    metadata.set('x-request-id', 'stored');
    expect(incomingRequestId(metadata)).toBe(ID);
  });

  it('gives undefined when reading the metadata throws', () => {
    const hostile = new Proxy(new Metadata(), {
      get() {
        throw new Error('no');
      },
    });
    expect(incomingRequestId(hostile)).toBeUndefined();
  });
});
