/**
 * The response thread's handle on the reporter's worker thread: starts it (unref'd, so an idle
 * process still exits), hands over batches of items, keeps the latest counts the worker
 * confirmed, and flushes it within a bound, asynchronously on a signal or synchronously at exit
 * (blocking on a shared counter the worker bumps, then reading its answer off a separate port).
 * Starting it (its script, ports, flags and limits) is worker-start.ts's.
 */
import { type MessagePort, receiveMessageOnPort, type Worker } from 'node:worker_threads';
import { toWire } from './item-wire.js';
import type { Item } from './items.js';
import { type HandedLine, handedRecords } from './line-handover.js';
import type { SinkSpec } from './sink-spec.js';
import { sayLoss, sayOnce } from './stderr-notice.js';
import { BOOT_HOLD } from './worker-limits.js';
import type { FromWorker, ToWorker, WorkerCounts } from './worker-protocol.js';
import { startReporterWorker, type WorkerStartOptions } from './worker-start.js';

/** Called with each redacted exception the worker sends back. */
export type ExceptionReply = (seq: number, type: string, message: string, stack: string | undefined) => void;

/** A started worker. */
export class WorkerLink {
  readonly #worker: Worker;
  readonly #replies: MessagePort;
  /** Batches of items, pulled by the worker one at a time (see worker.ts). */
  readonly #items: MessagePort;
  readonly #signal: Int32Array;
  readonly #onException: ExceptionReply;
  readonly #onReady: () => void;
  #ready = false;
  #sent = 0;
  /** Messages posted, and the count when the last synchronous flush was asked. */
  #posted = 0;
  #syncedAt = -1;
  #counts: WorkerCounts | undefined;
  #failed = false;
  #closing = false;
  #flushes = 0;
  /** Fault items held when a synchronous flush went unanswered; see {@link unanswered}. */
  #unanswered = 0;
  readonly #waiters = new Map<number, () => void>();

  constructor(
    spec: SinkSpec,
    options: WorkerStartOptions,
    onException: ExceptionReply,
    onReady: () => void,
    onDeath: () => void = () => {},
  ) {
    this.#onException = onException;
    this.#onReady = onReady;
    const started = startReporterWorker(spec, options);
    this.#worker = started.worker;
    this.#replies = started.replies;
    this.#items = started.items;
    this.#signal = started.signal;
    this.#worker.on('message', (message: FromWorker) => this.#receive(message));
    this.#worker.on('error', () => {
      this.#failed = true;
    });
    this.#worker.on('exit', () => {
      // Ended by `flush(…, close)`: what it held was settled first, so nothing is lost.
      if (!this.#closing) {
        this.#failed = true;
        onDeath();
      }
      for (const resolve of this.#waiters.values()) resolve();
      this.#waiters.clear();
    });
    // After the listeners: an idle process must still end on its own.
    this.#worker.unref();
    this.#replies.unref();
    this.#items.unref();
  }

  #receive(message: FromWorker): void {
    if (message.t === 'ready') {
      this.#ready = true;
      this.#onReady();
      return;
    }
    if (message.t === 'say') {
      sayOnce(message.key, message.line);
      return;
    }
    this.#take(message.counts);
    if (message.t === 'flushed') {
      this.#waiters.get(message.id)?.();
      this.#waiters.delete(message.id);
    }
  }

  #take(counts: WorkerCounts): void {
    this.#counts = counts;
    this.#unanswered = 0;
    // The worker's losses are said here, once per reason for the process (it says nothing itself).
    for (const reason in counts.sink.lost) sayLoss(reason);
    for (const [seq, type, message, stack] of counts.exceptions) this.#onException(seq, type, message, stack);
  }

  /** The worker's latest counts, `undefined` before its first answer. */
  get counts(): WorkerCounts | undefined {
    return this.#counts;
  }

  /** Fault items handed over and not yet taken by the worker. */
  get inFlight(): number {
    return this.#sent - (this.#counts?.processed ?? 0);
  }

  /**
   * Fault items the worker still held when the last synchronous flush (an exit) got no answer
   * within its bound (not yet taken, or taken and not settled): the process is ending, so they
   * will not be written. Counted lost (`shutdown`) until the worker answers again.
   */
  get unanswered(): number {
    return this.#unanswered;
  }

  /**
   * Fault items handed over and not yet settled: not yet taken by the worker, or taken and not
   * written or lost (repeats batched for a compact line, lines its sink is writing), as its last
   * counts tell.
   */
  get held(): number {
    return Math.max(0, this.inFlight) + (this.#counts?.unsettled ?? 0);
  }

  /** True once the worker wrote (or settled) its first fault item: it is past its boot. */
  get writing(): boolean {
    return (this.#counts?.processed ?? 0) > 0;
  }

  /** Fault items the worker may hold beyond what it processed: {@link BOOT_HOLD} queues while it boots, then one. */
  holdLimit(queueSize: number): number {
    return this.writing ? queueSize : queueSize * BOOT_HOLD;
  }

  /** True once the worker loaded and opened its sink (what it is handed before waits there). */
  get ready(): boolean {
    return this.#ready && !this.#failed;
  }

  /** False once the worker died unexpectedly (its in-flight items are then lost). */
  get alive(): boolean {
    return !this.#failed;
  }

  /**
   * Hands `items` over (`faults` of them are fault records): on the items port, where they wait
   * until the worker pulls them, then a word on its own port, which it finds them by.
   */
  send(items: readonly Item[], faults: number): void {
    if (items.length === 0) return;
    this.#sent += faults;
    this.#post({ t: 'items' }, items.map(toWire));
  }

  /**
   * The response thread's sink let go of the destination; `fingerprints` it computed go along,
   * and `lines` it could not send (counted handed over until the worker's counts take them).
   */
  go(fingerprints: [number, string][], lines: HandedLine[] = []): void {
    this.#sent += handedRecords(lines);
    this.#post({ t: 'go', fingerprints, lines });
  }

  #post(message: ToWorker, items?: unknown[]): void {
    this.#posted += 1;
    try {
      if (items !== undefined) this.#items.postMessage(items);
      this.#worker.postMessage(message);
    } catch {
      this.#failed = true;
    }
  }

  /** Writes everything held, waiting at most `budgetMs`; `sync` flushes what is left synchronously, `close` ends the worker. */
  flush(budgetMs: number, sync: boolean, close: boolean): Promise<void> {
    if (this.#failed) return Promise.resolve();
    const id = ++this.#flushes;
    return new Promise<void>((resolve) => {
      // Ref'd: the worker is unref'd, so this bounded wait is what keeps an awaiting process alive.
      const timer = setTimeout(done, budgetMs + 100);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.#waiters.set(id, done);
      this.#post({ t: 'flush', id, budgetMs, sync, close });
    }).then(() => {
      this.#waiters.delete(id);
      if (close) {
        this.#closing = true;
        void this.#worker.terminate();
      }
    });
  }

  /**
   * Exit: the worker writes synchronously within `budgetMs`; this thread blocks until it answers
   * (bounded). Nothing is asked when nothing was handed over since the last one: `beforeExit`
   * fires again after every answer, and must not keep the process alive.
   */
  flushSync(budgetMs: number): void {
    if (this.#failed || this.#syncedAt === this.#posted) return;
    this.#syncedAt = this.#posted + 1;
    const before = Atomics.load(this.#signal, 0);
    this.#post({ t: 'flush-sync', budgetMs });
    const until = Date.now() + budgetMs + 100;
    while (Atomics.load(this.#signal, 0) === before && Date.now() < until) {
      Atomics.wait(this.#signal, 0, before, Math.max(1, until - Date.now()));
    }
    const answered = Atomics.load(this.#signal, 0) !== before;
    let reply = receiveMessageOnPort(this.#replies);
    while (reply !== undefined) {
      this.#take(reply.message as WorkerCounts);
      reply = receiveMessageOnPort(this.#replies);
    }
    if (!answered) this.#unanswered = this.held;
  }
}
