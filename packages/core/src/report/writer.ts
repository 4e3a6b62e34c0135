/**
 * The writing half of the pipeline, the same on the response thread and on the worker: turns
 * items into lines (fingerprint, redaction, stack frames, serialization) and hands them to the
 * output, batching repeats into compact lines. Never throws; a record that cannot be formatted is
 * counted as a sink error, one the sink's backlog cannot take as dropped.
 */
import { hash } from 'node:crypto';
import type { Redactor } from '../redact/redactor.js';
import { ErrorRedaction, rememberingStrings } from './error-redaction.js';
import type { FullItem, Item, NoticeItem } from './items.js';
import type { StackJson } from './line-format.js';
import { exceptionOf, fullRecord } from './records.js';
import { RepeatBatcher } from './repeats.js';
import type { LineKind } from './sink.js';
import type { ExceptionRecord } from './telemetry.js';
import { OldestFirst } from './windows.js';

/** What the writer counts itself (the sink counts the rest). */
export interface WriterCounts {
  written: number;
  compacted: number;
  droppedBacklog: number;
  sinkErrors: number;
}

/** Receives the redacted exception of a full item that asked for it (`item.otel >= 0`). */
export type ExceptionSink = (item: FullItem, exception: ExceptionRecord) => void;

/** Where the writer's lines go (the reporter's output). */
export interface LineOutput {
  /**
   * Writes one line; `kind` and `records` are what the sink counts; `tail`, when given, is more
   * members already serialized as JSON, written after the record's; `stack`, a stack array in the
   * record whose frame lines are already serialized. Never throws: false when the line could not
   * be handed over (counted as a sink error by the output).
   */
  emit(
    level: 'error' | 'warn',
    record: Record<string, unknown>,
    message: string,
    kind: LineKind,
    records: number,
    tail?: string,
    stack?: StackJson,
  ): boolean;
  /** Bytes buffered and not yet written. */
  backlog(): number;
}

/** Writes items through one output. */
export class RecordWriter {
  readonly counts: WriterCounts = { written: 0, compacted: 0, droppedBacklog: 0, sinkErrors: 0 };
  readonly #redactor: Redactor;
  readonly #output: LineOutput;
  readonly #errors: ErrorRedaction;
  readonly #maxBacklog: number;
  readonly #repeats: RepeatBatcher;
  readonly #onException: ExceptionSink | undefined;
  /** Fingerprints by window handle, the newest `max` kept. */
  readonly fingerprints: OldestFirst<number, string>;
  readonly #maxFingerprints: number;
  /** The top frames hashed last, and their text as hashed. */
  #lastFrames: readonly string[] | undefined;
  #lastJoined = '';

  constructor(
    redactor: Redactor,
    output: LineOutput,
    options: { maxFingerprints: number; maxBacklog: number; onException?: ExceptionSink | undefined },
  ) {
    this.#redactor = rememberingStrings(redactor);
    this.#output = output;
    this.#maxBacklog = options.maxBacklog;
    this.#maxFingerprints = Math.max(1, options.maxFingerprints);
    this.#onException = options.onException;
    this.#errors = new ErrorRedaction(redactor);
    this.fingerprints = new OldestFirst(this.#maxFingerprints);
    this.#repeats = new RepeatBatcher(
      this.#redactor,
      (level, line, tail, message, records) => this.#output.emit(level, line, message, 'compact', records, tail),
      this.#maxFingerprints,
    );
  }

  /** Adopts fingerprints another writer computed (a handover between threads). */
  adopt(fingerprints: Iterable<[number, string]>): void {
    for (const [handle, fp] of fingerprints) this.#remember(handle, fp);
  }

  #remember(handle: number, fp: string): void {
    this.fingerprints.set(handle, fp);
  }

  /** Writes one item. */
  write(item: Item): void {
    if (item.k === 'n') {
      this.notice(item);
      return;
    }
    if (this.#output.backlog() > this.#maxBacklog) {
      this.counts.droppedBacklog += 1;
      return;
    }
    try {
      if (item.k === 'r') {
        this.#repeats.add(item, this.fingerprints.get(item.h) ?? 'unknown');
        this.counts.compacted += 1;
        return;
      }
      const { error, top, stackJson } = this.#errors.redact(item.thrown);
      const fp = this.#fingerprint(item, top);
      const record = fullRecord(item, fp, this.#redactor, error);
      const level = item.server ? 'error' : 'warn';
      // A stream or logger that threw did not take the record: it is a sink error, not written.
      if (this.#output.emit(level, record, `fault ${item.code}`, 'full', 1, undefined, stackJson))
        this.counts.written += 1;
      if (item.otel >= 0) this.#onException?.(item, exceptionOf(error, record.error_type as string));
    } catch {
      // Formatting must never take the pipeline down; the record is counted as a sink error.
      this.counts.sinkErrors += 1;
    }
  }

  /** Writes a notice line; false when the destination did not take it (its backlog full, say). */
  notice(item: NoticeItem): boolean {
    return this.#output.emit('warn', item.record, item.message, 'notice', 1);
  }

  #fingerprint(item: FullItem, frames: readonly string[]): string {
    let fp: string;
    try {
      // The frames of one call site are one remembered array (error-redaction.ts): joined once.
      if (frames !== this.#lastFrames) {
        this.#lastFrames = frames;
        this.#lastJoined = frames.join('\u0000');
      }
      // One-shot hash (Node 20.12+): no Hash object per record.
      fp = hash('sha1', `${item.key}\u0000${this.#lastJoined}`, 'hex').slice(0, 16);
    } catch {
      fp = 'unknown';
    }
    this.#remember(item.h, fp);
    return fp;
  }

  /** Repeats batched for a compact line that is not written yet. */
  get repeatsHeld(): number {
    return this.#repeats.held;
  }

  /** Writes the pending compact lines now. */
  flushRepeats(): void {
    this.#repeats.flush();
  }
}
