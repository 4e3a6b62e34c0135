/**
 * Starting the reporter's worker thread: its script, the two ports that go with it (items it
 * pulls; answers to a synchronous flush, read while this thread is blocked) and the shared counter
 * it bumps when such an answer is ready, its flags and its memory limits.
 */
import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { RedactionOptions } from '../redact/redactor.js';
import type { SinkSpec } from './sink-spec.js';
import type { WorkerInit } from './worker.js';
import { startWorker } from './worker-flags.js';
import { workerLimits } from './worker-limits.js';

/**
 * The worker's script: the bundle's `worker.js`, beside this code when built (every file of the
 * bundle is at the top of `dist/`, scripts/bundle.mjs), in `dist` when running from source.
 */
export function workerUrl(): URL {
  return import.meta.url.endsWith('.ts')
    ? new URL('../../dist/worker.js', import.meta.url)
    : new URL('./worker.js', import.meta.url);
}

/** What the worker is started with, besides its destination. */
export interface WorkerStartOptions {
  readonly redaction: RedactionOptions | undefined;
  readonly maxBacklog: number;
  readonly maxFingerprints: number;
  /** The reporter's queue size (it bounds the worker's memory). */
  readonly queueSize: number;
}

/** A started worker and this thread's ends of its ports. */
export interface StartedWorker {
  readonly worker: Worker;
  /** Answers to synchronous flushes (read with `receiveMessageOnPort`). */
  readonly replies: MessagePort;
  /** Batches of items, pulled by the worker one at a time (see worker.ts). */
  readonly items: MessagePort;
  /** Slot 0 counts the synchronous flushes the worker answered. */
  readonly signal: Int32Array;
}

/** Starts a worker writing to `spec` (throws when no worker can start: a bundle without its file). */
export function startReporterWorker(spec: SinkSpec, options: WorkerStartOptions): StartedWorker {
  const replies = new MessageChannel();
  const items = new MessageChannel();
  const signal = new SharedArrayBuffer(4);
  const init: WorkerInit = {
    spec,
    redaction: options.redaction,
    maxBacklog: options.maxBacklog,
    maxFingerprints: options.maxFingerprints,
    signal,
    replies: replies.port2,
    items: items.port2,
  };
  // The process's flags, less those the worker must not or cannot have (worker-flags.ts).
  const worker = startWorker(workerUrl(), {
    workerData: init,
    transferList: [replies.port2, items.port2],
    resourceLimits: workerLimits(options.maxBacklog, options.queueSize),
  });
  return { worker, replies: replies.port1, items: items.port1, signal: new Int32Array(signal) };
}
