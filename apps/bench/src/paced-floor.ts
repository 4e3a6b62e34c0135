/**
 * The floor of `bench:reporter-paced` (issue 27): the least any reporter that records off the main
 * thread must still do on it for each distinct fault, as the issue describes the design: read the
 * raw stack string (V8 formats it on that first read, on the thread that made the error) and hand
 * the fault's fields over to a worker in one batch per slice. The worker only counts what it got.
 * No redaction, no repeat keys, no file: whatever a reporter adds sits above this line.
 */
import { Worker } from 'node:worker_threads';
import type { Fault } from '@faultline/core';

/** A fault's fields as they cross to the worker. */
interface Handed {
  readonly id: string;
  readonly code: string;
  readonly message: string;
  readonly stack: string | undefined;
  readonly time: number;
}

const COUNTING_WORKER = `
const { parentPort } = require('node:worker_threads');
let faults = 0;
let chars = 0;
parentPort.on('message', (batch) => {
  if (batch === 'count') return parentPort.postMessage({ faults, chars });
  for (const item of batch) { faults += 1; chars += item.stack === undefined ? 0 : item.stack.length; }
});`;

/** A worker that counts handed faults, and the batch of the current slice. */
export class FloorHandover {
  readonly #worker = new Worker(COUNTING_WORKER, { eval: true });
  #batch: Handed[] = [];

  /** Reads what the worker needs off `fault` and its `error` (the stack's text on first read). */
  add(fault: Fault, error: Error): void {
    this.#batch.push({ id: fault.id, code: fault.code, message: error.message, stack: error.stack, time: Date.now() });
  }

  /** Hands the slice's batch over (structured clone, on this thread). */
  flush(): void {
    if (this.#batch.length === 0) return;
    this.#worker.postMessage(this.#batch);
    this.#batch = [];
  }

  /** The faults the worker received (every batch handed over before), then stops it. */
  async close(): Promise<number> {
    this.flush();
    const counted = new Promise<{ faults: number }>((resolve) => this.#worker.once('message', resolve));
    this.#worker.postMessage('count');
    const { faults } = await counted;
    await this.#worker.terminate();
    return faults;
  }
}
