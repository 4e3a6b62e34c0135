/**
 * Hostile bodies handed over as fetch gives them (a WHATWG `Response` whose body is a real
 * `ReadableStream`): a body in a quarter of a million one-byte chunks, a body whose stream
 * fails half-way, a body already read. Each decodes bounded in time and memory, by status when
 * nothing Faultline could read arrived, and nothing rejects or throws.
 */
import { describe, expect, it } from 'vitest';
import { decodeFault } from '../src/index.js';

const CLAIM = '{"code":"SEAT_TAKEN","detail":"Taken."}';
const BY_STATUS = { format: 'unknown', conforming: false, status: 409, category: 'conflict', code: 'CONFLICT' };

/**
 * A body of `count` one-byte chunks (spaces, which JSON allows before a value) then `claim`;
 * `onChunk` is called every 1000 chunks, while the body is being read.
 */
function oneByteChunks(count: number, claim: string, onChunk: () => void): ReadableStream<Uint8Array> {
  const space = new Uint8Array([0x20]);
  let sent = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (sent % 1000 === 0) onChunk();
        if (sent++ < count) controller.enqueue(space);
        else {
          controller.enqueue(new TextEncoder().encode(claim));
          controller.close();
        }
      },
    },
    { highWaterMark: 0 },
  );
}

describe('a body in tiny chunks', () => {
  it('a quarter of a million one-byte chunks: memory stays near the bytes read, not 600 bytes a chunk', async () => {
    const heap = process.memoryUsage().heapUsed;
    let peak = 0;
    const body = oneByteChunks(250_000, CLAIM, () => {
      peak = Math.max(peak, process.memoryUsage().heapUsed - heap);
    });
    // 250 000 bytes is under the stream bound (256 KiB) but over the body bound: decoded by status.
    expect(await decodeFault(new Response(body, { status: 409 }))).toMatchObject(BY_STATUS);
    // Racing each read against the deadline's one promise held about 150 MB here.
    expect(peak).toBeLessThan(64 * 1024 * 1024);
  });

  it('one-byte chunks of a body under the bound still decode', async () => {
    const body = oneByteChunks(20_000, CLAIM, () => undefined);
    expect(await decodeFault(new Response(body, { status: 409 }))).toMatchObject({
      conforming: true,
      code: 'SEAT_TAKEN',
      message: 'Taken.',
    });
  });
});

describe('a body that cannot be read to its end', () => {
  it('a stream that fails half-way, or a body already read, decodes by status', async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode('{"code":"SEAT_TAKEN",'));
      },
      pull(controller) {
        controller.error(new Error('connection reset'));
      },
    });
    expect(await decodeFault(new Response(failing, { status: 409 }))).toMatchObject(BY_STATUS);
    const used = new Response(CLAIM, { status: 409 });
    await used.text();
    expect(await decodeFault(used)).toMatchObject(BY_STATUS);
  });
});
