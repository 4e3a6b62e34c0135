/**
 * The messages between the response thread and the reporter's worker thread (plain data). The
 * items themselves go on a port of their own, each message a batch (`WireItem[]`, item-wire.ts).
 */
import type { HandedLine } from './line-handover.js';
import type { SinkCounts } from './sink.js';
import type { WriterCounts } from './writer.js';

/** Response thread to worker. */
export type ToWorker =
  /** A batch of items (positional, see item-wire.ts) was posted on the items port. */
  | { readonly t: 'items' }
  /** The response thread's own sink let go of the destination: write the lines it could not send, then start. */
  | { readonly t: 'go'; readonly fingerprints: [number, string][]; readonly lines: HandedLine[] }
  /** Exit: write what is held synchronously within the budget; the answer goes to the replies port. */
  | { readonly t: 'flush-sync'; readonly budgetMs: number }
  /** Write everything (bounded); `sync` then flushes synchronously what is left; `close` closes the sink. */
  | {
      readonly t: 'flush';
      readonly id: number;
      readonly budgetMs: number;
      readonly sync: boolean;
      readonly close: boolean;
    };

/** What the worker counted, cumulative. */
export interface WorkerCounts {
  /** Fault items the worker wrote (written, compacted, dropped or failed); the rest it holds until its sink can take them. */
  readonly processed: number;
  /**
   * Of the processed items, those not settled yet: repeats batched for a compact line, and records
   * whose lines the sink holds. If the worker dies, they are lost with it.
   */
  readonly unsettled: number;
  readonly sink: SinkCounts;
  readonly writer: WriterCounts;
  readonly openError: string | undefined;
  /** Redacted exceptions asked for by the response thread: [sequence, type, message, stack]. */
  readonly exceptions: [number, string, string, string | undefined][];
}

/** Worker to response thread. */
export type FromWorker =
  /** The worker loaded its modules and opened its sink. */
  | { readonly t: 'ready' }
  | { readonly t: 'counts'; readonly counts: WorkerCounts }
  /** A notice for stderr (the response thread says it, once per process under `key`). */
  | { readonly t: 'say'; readonly key: string; readonly line: string }
  | { readonly t: 'flushed'; readonly id: number; readonly counts: WorkerCounts };
