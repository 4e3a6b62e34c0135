/**
 * The stream sink (under `rotatingFile()`) over Writables that fail the ways a file stream does:
 * a write that fails (a read-only file system: the Writable destroys itself), and a stream
 * destroyed without an error ('close' alone). Every line must be counted with the failure's own
 * reason, and the stream must be made anew once the retry interval has passed.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { REOPEN_INTERVAL_MS } from '../src/report/fd-target.js';
import { StreamSink } from '../src/report/stream-sink.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A Writable that keeps what it is given, or fails each write with `code` (asynchronously, as fs does). */
function fileLike(kept: string[], code?: string): Writable {
  return new Writable({
    write(chunk: Buffer, _encoding, callback) {
      setTimeout(() => {
        if (code === undefined) {
          kept.push(chunk.toString());
          callback();
        } else callback(Object.assign(new Error(`${code}: /var/log/secret-host/app.log`), { code }));
      }, 1);
    },
  });
}

describe('stream sink: a Writable that fails', () => {
  it('a failing write: every line is lost with its code (never ERR_STREAM_DESTROYED), and a new stream takes lines later', async () => {
    const kept: string[] = [];
    let made = 0;
    const sink = new StreamSink(() => fileLike(kept, made++ === 0 ? 'EROFS' : undefined), 1 << 20);
    for (let i = 0; i < 5; i += 1) sink.write(`{"n":${i}}\n`);
    await sink.drained(2000);
    // Given to a stream the first failure destroyed, the next lines failed as ERR_STREAM_DESTROYED.
    expect(sink.counts.lost).toEqual({ EROFS: 5 });
    expect(sink.openError).toBe('EROFS');
    await wait(REOPEN_INTERVAL_MS + 100);
    sink.write('{"n":5}\n');
    await sink.drained(2000);
    expect(made).toBe(2);
    expect(kept).toEqual(['{"n":5}\n']);
    expect(sink.counts.accepted.full).toBe(1);
    sink.close(0);
  }, 15_000);

  it('a stream destroyed without an error: lines are counted lost, and it is made anew instead of failing forever', async () => {
    const kept: string[] = [];
    const streams: Writable[] = [];
    const sink = new StreamSink(() => {
      const stream = fileLike(kept);
      streams.push(stream);
      return stream;
    }, 1 << 20);
    sink.write('{"n":0}\n');
    await sink.drained(2000);
    streams[0]?.destroy(); // 'close', no 'error'
    await wait(20);
    sink.write('{"n":1}\n');
    await sink.drained(2000);
    expect(Object.values(sink.counts.lost).reduce((a, b) => a + b, 0)).toBe(1);
    await wait(REOPEN_INTERVAL_MS + 100);
    sink.write('{"n":2}\n');
    await sink.drained(2000);
    // Before: the destroyed stream stayed the sink's, and every later line failed on it.
    expect(streams).toHaveLength(2);
    expect(kept).toEqual(['{"n":0}\n', '{"n":2}\n']);
    expect(sink.counts.accepted.full).toBe(2);
    sink.close(0);
  }, 15_000);

  it('a stream destroyed in the middle of a write it never calls back: the line is lost, the next stream writes', async () => {
    const kept: string[] = [];
    const streams: Writable[] = [];
    const sink = new StreamSink(() => {
      const stream = streams.length === 0 ? new Writable({ write() {} }) : fileLike(kept);
      streams.push(stream);
      return stream;
    }, 1 << 20);
    sink.write('{"n":0}\n'); // never called back
    sink.write('{"n":1}\n');
    await wait(20);
    streams[0]?.destroy();
    await wait(20);
    expect(sink.counts.pending).toBe(0);
    expect(Object.values(sink.counts.lost).reduce((a, b) => a + b, 0)).toBe(2);
    await wait(REOPEN_INTERVAL_MS + 100);
    sink.write('{"n":2}\n');
    await sink.drained(2000);
    expect(kept).toEqual(['{"n":2}\n']);
    sink.close(0);
  }, 15_000);
});
