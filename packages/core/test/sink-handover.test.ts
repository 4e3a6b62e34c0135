/**
 * The file/FIFO sinks at the hand-over to the worker: the lines they still hold (a FIFO whose
 * reader stopped reading; a rotating file whose stream is still opening) are given to the
 * worker's copy, which writes them first, in order, instead of being counted lost as `shutdown`
 * while the process is not shutting down. A real FIFO (`mkfifo`) whose reader is this process
 * (it opens the FIFO, reads nothing, then reads it all), and real files.
 */
import { closeSync, constants, createWriteStream, mkdtempSync, openSync, readFileSync, readSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { FdSink } from '../src/report/fd-sink.js';
import { StreamSink } from '../src/report/stream-sink.js';
import { makeFifo } from './support/child.js';

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const lineOf = (i: number) => `{"n":${String(i).padStart(6, '0')},"pad":"${'x'.repeat(80)}"}\n`;

/** Reads `fd` (non-blocking) until `bytes` arrived or `ms` passed. */
async function readAll(fd: number, bytes: number, ms: number): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  const until = Date.now() + ms;
  const buffer = Buffer.alloc(65_536);
  while (total < bytes && Date.now() < until) {
    try {
      const n = readSync(fd, buffer, 0, buffer.length, null);
      chunks.push(Buffer.from(buffer.subarray(0, n)));
      total += n;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await wait(5);
    }
  }
  return Buffer.concat(chunks).toString();
}

describe.skipIf(process.platform === 'win32')('fd sink: the hand-over of what it holds', () => {
  it('a FIFO whose reader stalls: held lines go to the next copy, none is lost as shutdown', async () => {
    const fifo = makeFifo('fd-handover');
    const reader = openSync(fifo, constants.O_RDONLY | constants.O_NONBLOCK); // opened, not read yet
    try {
      const first = FdSink.open(fifo, 1 << 24);
      const count = 3000; // about 300 KB: far more than the pipe's 64 KB buffer
      const lines = Array.from({ length: count }, (_, i) => lineOf(i));
      for (const line of lines) first.write(line);
      await wait(200); // the pipe filled; the rest waits, retried on EAGAIN
      const held = first.counts.pending ?? 0;
      expect(held).toBeGreaterThan(0);
      // The hand-over lets a write under way settle first (the descriptor never blocks).
      const until = Date.now() + 2000;
      while (first.writing && Date.now() < until) await wait(1);
      const handed = first.handOver();
      first.close(0);
      expect(first.counts.lost).toEqual({});
      expect(first.counts.pending).toBe(0);
      expect(handed.length).toBeGreaterThan(0);
      const next = FdSink.open(fifo, 1 << 24);
      next.adopt(handed);
      const text = await readAll(reader, lines.join('').length, 10_000);
      await next.drained(2000);
      // Every line arrived once, whole and in order (a line cut by a short write goes on from its cut).
      expect(text).toBe(lines.join(''));
      expect(first.counts.accepted.full + next.counts.accepted.full).toBe(count);
      expect(next.counts.lost).toEqual({});
      next.close(0);
    } finally {
      closeSync(reader);
    }
  }, 20_000);
});

describe('stream sink: the hand-over of what it holds', () => {
  it('lines waiting for the stream to open go to the next copy, none is lost as shutdown', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'faultline-stream-handover-')), 'out.log');
    // This copy's stream is still opening when the worker takes the destination.
    let open: (stream: Writable) => void = () => {};
    const first = new StreamSink(() => new Promise<Writable>((resolve) => (open = resolve)), 1 << 24);
    const lines = Array.from({ length: 50 }, (_, i) => lineOf(i));
    for (const line of lines) first.write(line);
    const handed = first.handOver();
    first.close(0);
    open(createWriteStream(path, { flags: 'a' })); // opening late: it is ended at once, nothing written
    expect(first.counts.lost).toEqual({});
    expect(first.counts.pending).toBe(0);
    expect(handed.length).toBe(50);
    const next = new StreamSink(() => createWriteStream(path, { flags: 'a' }), 1 << 24);
    next.adopt(handed);
    await next.drained(5000);
    expect(next.counts.accepted.full).toBe(50);
    expect(next.counts.lost).toEqual({});
    expect(readFileSync(path, 'utf8')).toBe(lines.join(''));
    next.close(0);
  });
});
