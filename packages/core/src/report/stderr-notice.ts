/**
 * The reporter's few words on stderr: a destination that cannot be opened, fault records that
 * started to be lost (by reason), a syslog receiver that cannot be reached, a worker that died, a
 * logger passed in that throws. Each is said once per process, from the response thread only (a
 * worker forwards its notices there, and its losses reach it with its counts too), so a failure
 * the two threads both meet is said once. Written with `writeSync` on fd 2, never through
 * `process.stderr`: a stderr pipe whose reader went away made the stream emit EPIPE as an 'error'
 * event nobody handled, and the notice itself ended the process. A stderr that cannot take the
 * line (gone, full) loses it.
 */
import { writeSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';

/** Reasons of loss that are no failure of the destination: the process is ending, or the sink was closed. */
const QUIET_REASONS: ReadonlySet<string> = new Set(['shutdown', 'unconfirmed', 'closed']);

const said = new Set<string>();

/** On a worker thread, where its notices go (to the response thread); `undefined` elsewhere. */
let forward: ((key: string, line: string) => void) | undefined;

/**
 * On a worker thread: hands each notice it would say (once per key) to `to`, which passes it to
 * the response thread to say. Its syslog sink meeting a receiver gone was said nowhere.
 */
export function forwardNotices(to: (key: string, line: string) => void): void {
  forward = to;
}

/** Writes `line` (with its newline) on fd 2, synchronously; never throws. */
export function sayOnStderr(line: string): void {
  try {
    writeSync(2, line);
  } catch {
    // stderr is gone or full: the counters still tell
  }
}

/**
 * Says `line` once per process under `key` (on the response thread; a worker forwards it there,
 * see {@link forwardNotices}). Returns true when it was said now.
 */
export function sayOnce(key: string, line: string): boolean {
  if (said.has(key)) return false;
  if (!isMainThread) {
    if (forward === undefined) return false;
    said.add(key);
    try {
      forward(key, line);
    } catch {
      // the port is closed: the thread is ending
    }
    return false;
  }
  said.add(key);
  sayOnStderr(line);
  return true;
}

/**
 * Says once per reason that fault records are being lost (`ENOSPC`, `EPIPE`, `backlog`…); losses
 * at exit (`shutdown`, `unconfirmed`) and after a close are not a failure and stay quiet.
 */
export function sayLoss(reason: string): void {
  if (QUIET_REASONS.has(reason) || said.has(`lost:${reason}`)) return;
  sayOnce(
    `lost:${reason}`,
    `faultline: the log destination is losing fault records (${reason}); reporter.stats.lost counts them\n`,
  );
}

/** Says once per reason that the syslog receiver cannot be reached (lines wait in the sink's bounded queue). */
export function sayUnreachable(reason: string): void {
  sayOnce(
    `syslog:${reason}`,
    `faultline: cannot reach the syslog receiver (${reason}); records wait, within their bound\n`,
  );
}

/**
 * Says that the destination cannot be opened for `reason` (each time a reporter meets it), so the
 * losses it then causes are not said again.
 */
export function sayCannotOpen(reason: string, fallback: boolean): void {
  said.add(`lost:${reason}`);
  sayOnStderr(
    `faultline: cannot open the log destination (${reason})${fallback ? '; writing to the fallback destination' : '; fault records are counted as lost until it opens'}\n`,
  );
}
