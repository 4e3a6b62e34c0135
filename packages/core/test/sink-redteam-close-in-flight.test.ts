/**
 * A file sink closed while its asynchronous write still waits for a libuv thread (all of them
 * busy: a slow disk, DNS, crypto; here, opens of FIFOs nobody writes to). Closing the descriptor
 * then freed its number: the next file or socket the process opened got it, and the waiting write
 * put the log line there (another file, a client's connection), while the sink lost it as EBADF
 * or counted it written. The descriptor must stay open until the write settled.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, open, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FdSink } from '../src/report/fd-sink.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Occupies every libuv thread with an open of a FIFO that has no writer; returns what frees them. */
function blockThreadPool(dir: string): () => void {
  const threads = Number(process.env.UV_THREADPOOL_SIZE ?? 4) || 4;
  const fifos: string[] = [];
  for (let i = 0; i < threads; i += 1) {
    const fifo = join(dir, `block-${i}`);
    execFileSync('mkfifo', [fifo]);
    fifos.push(fifo);
    open(fifo, 'r', (error, fd) => {
      if (error === null) closeSync(fd);
    });
  }
  return () => {
    for (const fifo of fifos) {
      try {
        closeSync(openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK));
      } catch {
        // its reader is not in open() yet: tried once more below
      }
    }
  };
}

describe.skipIf(process.platform === 'win32')('a file sink closed with a write under way', () => {
  it('keeps its descriptor until the write settled: the line lands in its own file, never in the next one opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'faultline-inflight-'));
    const unblock = blockThreadPool(dir);
    await wait(50); // the threads are in open()
    const sink = FdSink.open(join(dir, 'faults.log'), 1 << 20);
    sink.write('{"msg":"fault record"}\n');
    await new Promise((resolve) => setImmediate(resolve)); // the write is queued behind the busy threads
    expect((sink as unknown as { writing: boolean }).writing).toBe(true);
    sink.close(0);
    // The next descriptor the process opens: before, it got the number the sink had just closed.
    const other = join(dir, 'other.txt');
    const otherFd = openSync(other, 'a');
    try {
      unblock();
      const until = Date.now() + 3000;
      // Counted `unconfirmed` by the close, the line is settled by its write.
      while ((sink as unknown as { writing: boolean }).writing && Date.now() < until) {
        unblock();
        await wait(10);
      }
      expect(readFileSync(other, 'utf8')).toBe('');
      expect(readFileSync(join(dir, 'faults.log'), 'utf8')).toBe('{"msg":"fault record"}\n');
      expect(sink.counts.accepted.full).toBe(1);
      expect(sink.counts.lost).toEqual({});
    } finally {
      closeSync(otherFd);
    }
  });
});
