import { capture, defineCatalog, FaultError } from '@faultline/core';
import { Metadata } from '@grpc/grpc-js';
import { describe, expect, it } from 'vitest';
import { detailsBase64, isPrintableAscii } from '../src/details-base64.js';
import { DETAILS_KEY, encodeStatusDetails, faultStatus, isFaultlineTrailer, REQUEST_ID_KEY } from '../src/index.js';
import { statusAsMade } from '../src/trailers.js';

const errors = defineCatalog({
  TEXT_BUSY: { category: 'unavailable', message: 'Busy.' },
  TEXT_LIMIT: { category: 'validation', message: 'Too many: {count}.', params: { count: 'number' } },
});

/** What the trailers carried before: the full encoding, as grpc-js base64-encodes a Buffer. */
const expected = (fault: ReturnType<typeof capture>, domain: string) =>
  Buffer.from(encodeStatusDetails(fault, domain)).toString('base64');

describe('grpc-status-details-bin as spliced base64 text', () => {
  it('equals the full encoding for every call, each with its own id (the template is reused)', () => {
    const faults = [
      ...Array.from({ length: 5 }, () => capture(FaultError.of('conflict'))),
      capture(new Error('db down')),
      capture(FaultError.of('not_found')),
      capture(errors.TEXT_BUSY({ retryAfter: 3 })),
      capture(errors.TEXT_BUSY({ retryAfter: 9 })),
    ];
    for (const domain of ['faultline', 'orders.example.com'])
      for (const fault of faults) expect(detailsBase64(fault, domain)).toBe(expected(fault, domain));
    const texts = faults.slice(0, 5).map((f) => detailsBase64(f, 'faultline'));
    expect(new Set(texts).size).toBe(5);
  });

  it('falls back to the full encoding for params and field violations', () => {
    const withParams = capture(errors.TEXT_LIMIT({ params: { count: 3 } }));
    const withViolations = capture(
      FaultError.of('validation', { fieldViolations: [{ pointer: '/email', detail: 'Is invalid.' }] }),
    );
    expect(detailsBase64(withParams, 'd')).toBe(expected(withParams, 'd'));
    expect(detailsBase64(withViolations, 'd')).toBe(expected(withViolations, 'd'));
  });

  it('splices only ids of 36 one-byte characters, and equals the full encoding for any other id', () => {
    const base = capture(FaultError.of('conflict'));
    const ids = [
      'abcdefghijklmnopqrstuvwxyz0123456789', // printable, 36, not a UUID: spliced
      `${'é'.repeat(18)}${'a'.repeat(18)}`, // 36 characters, 54 bytes in UTF-8: encoded in full
      'short-id',
      '0123456789abcdef0123456789abcdef01234', // 37 characters
      '\u0001'.repeat(36),
    ];
    for (const id of ids) {
      const fault = { ...base, id } as typeof base;
      // Twice: the second call reuses the template the first one made (or the full encoding again).
      expect(detailsBase64(fault, 'faultline')).toBe(expected(fault, 'faultline'));
      expect(detailsBase64(fault, 'faultline')).toBe(expected(fault, 'faultline'));
    }
  });

  it('tells printable ASCII as grpc-js does for values of keys not ending in -bin', () => {
    const grpcRule = /^[ -~]*$/;
    const samples = ['', ' ', '~', 'a-b', '\u001f', '\u007f', 'é', 'x\ny', '0f3c7a1e-3d2b-4c8f-9a6e-2b1d0c9e8f7a'];
    for (const text of samples) expect(isPrintableAscii(text)).toBe(grpcRule.test(text));
  });
});

describe('fault trailers', () => {
  it('give grpc-js the id and the details text, also after its clone', () => {
    const fault = capture(FaultError.of('conflict'));
    const { metadata } = faultStatus(fault, 'faultline');
    expect(isFaultlineTrailer(metadata)).toBe(true);
    const headers = (metadata as Metadata).clone().toHttp2Headers();
    expect(headers).toEqual({ [REQUEST_ID_KEY]: fault.id, [DETAILS_KEY]: expected(fault, 'faultline') });
  });

  it('read as an ordinary Metadata: the details are a Buffer, and changes are kept', () => {
    const fault = capture(FaultError.of('conflict'));
    const metadata = faultStatus(fault, 'faultline').metadata as Metadata;
    const details = metadata.get(DETAILS_KEY)[0];
    expect(Buffer.isBuffer(details)).toBe(true);
    expect(Buffer.from(details as Buffer)).toEqual(Buffer.from(encodeStatusDetails(fault, 'faultline')));
    metadata.set('x-extra', 'yes');
    const copy = metadata.clone();
    expect(copy).toBeInstanceOf(Metadata);
    expect(copy.toHttp2Headers()).toEqual({
      [REQUEST_ID_KEY]: fault.id,
      [DETAILS_KEY]: expected(fault, 'faultline'),
      'x-extra': 'yes',
    });
    expect(Object.keys(metadata.getMap()).sort()).toEqual([DETAILS_KEY, 'x-extra', REQUEST_ID_KEY].sort());
  });

  it('merged into another Metadata, give it the id and the details (grpc-js reads their storage directly)', () => {
    const fault = capture(FaultError.of('conflict'));
    const target = new Metadata();
    target.merge(faultStatus(fault, 'faultline').metadata as Metadata);
    expect(target.get(REQUEST_ID_KEY)).toEqual([fault.id]);
    expect(Buffer.from(target.get(DETAILS_KEY)[0] as Buffer)).toEqual(
      Buffer.from(encodeStatusDetails(fault, 'faultline')),
    );
  });

  it('keep Metadata options: read, set, and carried by a clone that still sends the two texts', () => {
    const fault = capture(FaultError.of('conflict'));
    const metadata = faultStatus(fault, 'faultline').metadata as Metadata;
    expect(metadata).toBeInstanceOf(Metadata);
    expect(metadata.getOptions()).toEqual({});
    metadata.setOptions({ waitForReady: true });
    const copy = metadata.clone();
    expect(copy.getOptions()).toEqual({ waitForReady: true });
    expect(copy.toHttp2Headers()).toEqual({ [REQUEST_ID_KEY]: fault.id, [DETAILS_KEY]: expected(fault, 'faultline') });
    expect(metadata.get(REQUEST_ID_KEY)).toEqual([fault.id]);
  });

  it('cloned after being read, stay Faultline trailers with their own copy of the details', () => {
    const fault = capture(FaultError.of('not_found'));
    const metadata = faultStatus(fault, 'faultline').metadata as Metadata;
    const original = metadata.get(DETAILS_KEY)[0] as Buffer;
    const copy = metadata.clone();
    expect(isFaultlineTrailer(copy)).toBe(true);
    original.fill(0);
    expect(copy.toHttp2Headers()).toEqual({ [REQUEST_ID_KEY]: fault.id, [DETAILS_KEY]: expected(fault, 'faultline') });
  });
});

describe('statusAsMade', () => {
  const fault = () => capture(FaultError.of('not_found'));

  it('gives an untouched status back as made, with the same trailers', () => {
    const status = faultStatus(fault(), 'faultline');
    const made = statusAsMade(status);
    expect(made).toEqual({
      code: status.code,
      details: status.details,
      metadata: status.metadata,
      message: status.details,
    });
    expect(made?.metadata).toBe(status.metadata);
  });

  it('restores the code and details, and sends new trailers with only the id and details once they were changed', () => {
    const original = fault();
    const status = faultStatus(original, 'faultline');
    const metadata = status.metadata as Metadata;
    metadata.set('x-debug', 'secret');
    metadata.set(REQUEST_ID_KEY, 'evil');
    const made = statusAsMade({ ...status, code: 0, details: 'secret' });
    if (made === undefined) throw new Error("Faultline's status not recognised");
    expect(made).toMatchObject({ code: status.code, details: status.details });
    expect(made.metadata).not.toBe(metadata);
    expect(isFaultlineTrailer(made.metadata)).toBe(true);
    expect(made.metadata.toHttp2Headers()).toEqual({
      [REQUEST_ID_KEY]: original.id,
      [DETAILS_KEY]: expected(original, 'faultline'),
    });
  });

  it("is undefined for anything that is not Faultline's: foreign trailers, Proxies, the bare prototype", () => {
    const genuine = faultStatus(fault(), 'faultline').metadata as Metadata;
    const foreign = new Metadata();
    const answersAll = new Proxy({}, { get: () => true });
    for (const metadata of [
      foreign,
      answersAll,
      new Proxy(genuine, {}),
      Object.create(Object.getPrototypeOf(genuine)),
    ]) {
      expect(statusAsMade({ code: 13, details: 'x', metadata })).toBeUndefined();
    }
    expect(isFaultlineTrailer(new Proxy(genuine, {}))).toBe(false);
    expect(statusAsMade(undefined)).toBeUndefined();
    expect(
      statusAsMade(
        new Proxy(
          {},
          {
            get() {
              throw new Error('x');
            },
          },
        ),
      ),
    ).toBeUndefined();
  });
});
