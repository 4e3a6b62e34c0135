/**
 * The synchronous flush of a file-descriptor sink (fd-sink.ts), used at exit and on close: it
 * never retries a failed write and never runs past its deadline (sonic-boom's `flushSync`
 * retried a failed write forever: a full disk made the process unkillable; RESEARCH.md). What it
 * has no time for is lost as `shutdown`; a write of the pump still in flight is `unconfirmed`.
 */
import { writeSync } from 'node:fs';
import type { FdLines } from './fd-lines.js';
import { errorCode, type Line } from './sink.js';
import { NEWLINE } from './torn-line.js';

/** Sleeps the thread for `ms` (EAGAIN backoff inside the bounded synchronous flush only). */
function pause(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

/**
 * Writes the queue synchronously until `deadlineMs`; the rest is lost as `shutdown`, all of it
 * behind a write still under way to a pipe, which may stop inside a line: a line written then
 * followed half a record (`process.exit()` while the pump wrote to a full stdout pipe).
 */
export function flushFdSync(lines: FdLines, deadlineMs: number): void {
  const { target, torn, counter, held } = lines;
  const deadline = Date.now() + deadlineMs;
  torn.opened(target.fd, target.path);
  const behindCut = lines.inFlight !== undefined && !target.regularFile;
  while (!behindCut && lines.queue.length > 0 && target.fd >= 0 && Date.now() < deadline) {
    const line = lines.queue[0] as Line;
    try {
      if (torn.pending(target.fd)) {
        if (writeSync(target.fd, NEWLINE) === 1) torn.mended();
        continue;
      }
      const written = writeSync(target.fd, line.bytes);
      held.bytes -= written;
      if (written < line.bytes.length) {
        lines.queue[0] = { ...line, bytes: line.bytes.subarray(written) };
        torn.cut(line, lines.queue[0], written);
        continue;
      }
      lines.queue.shift();
      counter.accept(line);
    } catch (error) {
      if (errorCode(error) === 'EAGAIN') {
        pause(5);
        continue;
      }
      lines.queue.shift();
      lines.loseHeld([line], errorCode(error));
    }
  }
  torn.lost(lines.queue, target.fd);
  for (const line of lines.queue.splice(0)) counter.lose(line, 'shutdown');
  const inFlight = lines.inFlight;
  held.bytes = inFlight === undefined ? 0 : inFlight.reduce((n, line) => n + line.bytes.length, 0);
  if (inFlight !== undefined && lines.unconfirmed !== inFlight) {
    // The asynchronous write under way may or may not land before the process ends.
    lines.unconfirmed = inFlight;
    for (const line of inFlight) counter.lose(line, 'unconfirmed');
  }
}
