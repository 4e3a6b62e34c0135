/**
 * The worker thread's side of the reporter: it opens its own copy of the destination (from the
 * sink's plain description), writes the items the response thread hands over (redaction, stack
 * frames, fingerprints, serialization, I/O all happen here), and sends back what the sink
 * confirmed. Items wait until the response thread says `go` (its own sink has let go of the
 * destination). The worker writes only while its sink's backlog is low, and counts an item as
 * processed only once written: a slow sink makes items wait here, and the response thread, which
 * hands over at most a queue's worth beyond what was processed, keeps the rest in its bounded
 * queue (where an overflow is counted as dropped) instead of the sink losing lines to its
 * backlog bound. An exit flush arrives while the response thread is blocked waiting for it: the
 * answer goes on a separate port and a shared counter is bumped and notified.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createRedactor, type RedactionOptions } from '../redact/redactor.js';
import { openSpec } from './destination.js';
import { fromWire } from './item-wire.js';
import type { FullItem } from './items.js';
import { adopt, handedRecords } from './line-handover.js';
import { ReporterOutput } from './output.js';
import type { SinkSpec } from './sink-spec.js';
import { forwardNotices } from './stderr-notice.js';
import { HeldItems } from './worker-items.js';
import type { ToWorker, WorkerCounts } from './worker-protocol.js';
import { RecordWriter } from './writer.js';

/** What the response thread passes at start. */
export interface WorkerInit {
  readonly spec: SinkSpec;
  readonly redaction: RedactionOptions | undefined;
  readonly maxBacklog: number;
  readonly maxFingerprints: number;
  /** Int32 slot 0 counts finished synchronous flushes. */
  readonly signal: SharedArrayBuffer;
  readonly replies: MessagePort;
  /** Where the batches of items wait until pulled. */
  readonly items: MessagePort;
}

const init = workerData as WorkerInit;
const port = parentPort as NonNullable<typeof parentPort>;
// What this thread would say on stderr (a syslog receiver it cannot reach) the response thread says.
forwardNotices((key, line) => port.postMessage({ t: 'say', key, line }));
const signal = new Int32Array(init.signal);
const sink = openSpec(init.spec, init.maxBacklog);
const exceptions: [number, string, string, string | undefined][] = [];
const writer = new RecordWriter(
  createRedactor(init.redaction),
  new ReporterOutput({ destination: sink }, init.maxBacklog, () => {
    writer.counts.sinkErrors += 1;
  }),
  {
    maxFingerprints: init.maxFingerprints,
    maxBacklog: init.maxBacklog,
    onException: (item: FullItem, e) => exceptions.push([item.otel, e.type, e.message, e.stacktrace]),
  },
);
let processed = 0;
let started = false;
const held = new HeldItems(init.items);
let pumping = false;
let backoff = 0;
let timer: NodeJS.Timeout | undefined;
let quiet = 0;
let last = '';
/** Fault items still held when an exit flush ran out of time: never written, counted lost as `shutdown`. */
let abandoned = 0;

/**
 * The sink's backlog the worker writes up to before it waits: a quarter of the bound (checked
 * before each line, so a line more still fits under the bound). A sink that is only slower for a
 * moment makes records wait here (and then in the response thread's queue) instead of being lost.
 */
const lowWater = init.maxBacklog / 4;
/** Items written between yields: the sink's write of what they made starts on the next turn. */
const SLICE = 256;

function counts(): WorkerCounts {
  const own = sink.counts;
  return {
    processed,
    unsettled: writer.repeatsHeld + (own.pending ?? 0),
    sink: abandoned === 0 ? own : { ...own, lost: { ...own.lost, shutdown: (own.lost.shutdown ?? 0) + abandoned } },
    writer: { ...writer.counts },
    openError: sink.openError,
    exceptions: exceptions.splice(0),
  };
}

/** Sends the counts every 10 ms while they change or items are unsettled, then stops until the next batch. */
function report(): void {
  const now = counts();
  const key = `${now.processed}|${now.unsettled}|${JSON.stringify(now.sink)}|${now.openError}|${now.exceptions.length}`;
  if (key !== last || now.exceptions.length > 0) {
    last = key;
    quiet = 0;
    port.postMessage({ t: 'counts', counts: now });
    return;
  }
  quiet += 1;
  // Held repeats and lines still being written settle later (a compact line within a second):
  // keep reporting until they have, so the response thread's counts do not stay behind.
  if (quiet > 20 && timer !== undefined && now.unsettled === 0) {
    clearInterval(timer);
    timer = undefined;
  }
}

function arm(): void {
  quiet = 0;
  timer ??= setInterval(report, 10);
}

/** Writes the oldest held item; false when none is held. */
function writeOne(): boolean {
  const wire = held.take();
  if (wire === undefined) return false;
  try {
    writer.write(fromWire(wire));
  } catch {
    writer.counts.sinkErrors += 1;
  }
  if (wire[0] !== 'n') processed += 1;
  return true;
}

/** True while items are held. */
const holding = (): boolean => held.holding;

/**
 * Writes held items while the sink's backlog is under {@link lowWater}, a slice per turn; when it
 * is over, waits for the sink (1 ms, backing off to 10 ms while it makes no room).
 */
function pump(): void {
  pumping = false;
  if (!started) return;
  let n = 0;
  while (holding() && sink.backlogBytes < lowWater && n < SLICE) {
    writeOne();
    n += 1;
  }
  if (n > 0) {
    backoff = 0;
    report();
  }
  if (!holding()) return;
  pumping = true;
  if (n === SLICE) setImmediate(pump);
  else {
    backoff = Math.min(10, backoff + 1);
    setTimeout(pump, backoff);
  }
}

function schedule(): void {
  if (pumping || !started) return;
  pumping = true;
  setImmediate(pump);
}

/**
 * Writes the held items now (what the sink cannot hold it counts lost) and the batched repeats.
 * At exit, `until` bounds it: the rest is given up unformatted (counted lost as `shutdown`), so the
 * answer reaches the response thread while it still waits for it. Formatting tens of thousands of
 * held items past the deadline made the answer late: the exit stats kept them `inFlight`, neither
 * written nor lost.
 */
function finish(until = Number.POSITIVE_INFINITY): void {
  for (let n = 1; holding(); n += 1) {
    if ((n & 63) === 0 && Date.now() >= until) break;
    writeOne();
  }
  const given = held.abandon();
  abandoned += given;
  processed += given;
  writer.flushRepeats();
}

/** Waits (polling 1 ms) until nothing is held or `until` passes; the pump keeps writing meanwhile. */
async function whileHolding(until: number): Promise<void> {
  schedule();
  while (holding() && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 1));
}

port.postMessage({ t: 'ready' });

port.on('message', async (message: ToWorker) => {
  switch (message.t) {
    case 'items':
      schedule();
      arm();
      return;
    case 'go':
      writer.adopt(message.fingerprints);
      // The response thread's unsent lines go first; the worker's sink counts them from now on.
      if (message.lines.length > 0 && adopt(sink, message.lines)) processed += handedRecords(message.lines);
      started = true;
      schedule();
      arm();
      return;
    case 'flush-sync': {
      // The response thread is blocked until the answer: write in slices, each flushed synchronously.
      started = true;
      const until = Date.now() + message.budgetMs;
      // A fifth of the budget is kept for what is left, so the answer is not late.
      const writeUntil = Date.now() + message.budgetMs * 0.8;
      while (holding() && Date.now() < writeUntil) {
        while (holding() && sink.backlogBytes < lowWater) writeOne();
        sink.flushSync(Math.max(0, writeUntil - Date.now()));
        // A sink that cannot write synchronously (a stream) still holds its lines: stop waiting.
        if (sink.backlogBytes >= lowWater) break;
      }
      finish(writeUntil);
      sink.flushSync(Math.max(0, until - Date.now()));
      init.replies.postMessage(counts());
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
      return;
    }
    case 'flush': {
      started = true;
      const until = Date.now() + message.budgetMs;
      const asyncUntil = Date.now() + message.budgetMs * (message.sync ? 0.8 : 1);
      await whileHolding(asyncUntil);
      finish(message.sync ? asyncUntil : Number.POSITIVE_INFINITY);
      await sink.drained(Math.max(0, asyncUntil - Date.now()));
      if (message.sync) sink.flushSync(Math.max(0, until - Date.now()));
      if (message.close) sink.close(0);
      port.postMessage({ t: 'flushed', id: message.id, counts: counts() });
      return;
    }
  }
});
