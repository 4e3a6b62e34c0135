/**
 * The worker thread's side of the reporter: it opens its own copy of the destination (from the
 * sink's plain description), writes the items the response thread hands over (redaction, stack
 * frames, fingerprints, serialization, I/O all happen here), and sends back what the sink
 * confirmed. Items wait until the response thread says `go` (its own sink has let go of the
 * destination). An exit flush arrives while the response thread is blocked waiting for it: the
 * answer goes on a separate port and a shared counter is bumped and notified.
 */
import { type MessagePort, parentPort, workerData } from 'node:worker_threads';
import { createRedactor, type RedactionOptions } from '../redact/redactor.js';
import { openSpec } from './destination.js';
import type { FullItem, Item } from './items.js';
import { ReporterOutput } from './output.js';
import type { SinkSpec } from './sink-spec.js';
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
}

const init = workerData as WorkerInit;
const port = parentPort as NonNullable<typeof parentPort>;
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
const waiting: string[] = [];
let timer: NodeJS.Timeout | undefined;
let quiet = 0;
let last = '';

function counts(): WorkerCounts {
  return {
    processed,
    sink: sink.counts,
    writer: { ...writer.counts },
    openError: sink.openError,
    exceptions: exceptions.splice(0),
  };
}

/** Sends the counts every 10 ms while they change, then stops until the next batch. */
function report(): void {
  const now = counts();
  const key = `${now.processed}|${JSON.stringify(now.sink)}|${now.openError}|${now.exceptions.length}`;
  if (key !== last || now.exceptions.length > 0) {
    last = key;
    quiet = 0;
    port.postMessage({ t: 'counts', counts: now });
    return;
  }
  quiet += 1;
  if (quiet > 20 && timer !== undefined) {
    clearInterval(timer);
    timer = undefined;
  }
}

function arm(): void {
  quiet = 0;
  timer ??= setInterval(report, 10);
}

function take(batch: string): void {
  let items: Item[];
  try {
    items = JSON.parse(batch) as Item[];
  } catch {
    return;
  }
  for (const item of items) {
    writer.write(item);
    if (item.k !== 'n') processed += 1;
  }
}

function finish(): void {
  for (const batch of waiting.splice(0)) take(batch);
  writer.flushRepeats();
}

port.postMessage({ t: 'ready' });

port.on('message', async (message: ToWorker) => {
  switch (message.t) {
    case 'items':
      if (started) {
        take(message.batch);
        // Counts go back after every batch: the response thread hands over more only as the
        // worker confirms it took what it had (a 10 ms timer alone made the hand-over stop and go).
        report();
      } else waiting.push(message.batch);
      arm();
      return;
    case 'go':
      writer.adopt(message.fingerprints);
      started = true;
      for (const batch of waiting.splice(0)) take(batch);
      arm();
      return;
    case 'flush-sync':
      started = true;
      finish();
      sink.flushSync(message.budgetMs);
      init.replies.postMessage(counts());
      Atomics.add(signal, 0, 1);
      Atomics.notify(signal, 0);
      return;
    case 'flush': {
      started = true;
      finish();
      const until = Date.now() + message.budgetMs;
      await sink.drained(message.budgetMs * (message.sync ? 0.8 : 1));
      if (message.sync) sink.flushSync(Math.max(0, until - Date.now()));
      if (message.close) sink.close(0);
      port.postMessage({ t: 'flushed', id: message.id, counts: counts() });
      return;
    }
  }
});
