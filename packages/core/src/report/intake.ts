/**
 * What the response thread does with each queued fault, the least it must: decide whether it
 * repeats an earlier one (without reading stacks), and read what it must off the fault into a
 * plain item (the raw stack string included). OTel exception log records are emitted here, on
 * the response thread, because the SDK's LoggerProvider, processors and exporters live on it: a
 * repeat's record at once, a first occurrence's once its redacted exception is known (from the
 * writer on either thread, by sequence number, a bounded number waiting).
 */
import type { Fault } from '../fault.js';
import type { Redactor } from '../redact/redactor.js';
import type { SnapNode } from '../redact/snapshot.js';
import { fullItem, type Item, RepeatScratch, repeatItem } from './items.js';
import { exceptionOnly } from './records.js';
import { RepeatWindow } from './repeat-window.js';
import { emitExceptionLog } from './telemetry.js';
import type { ReportContext } from './types.js';
import { OldestFirst } from './windows.js';
import type { RecordWriter } from './writer.js';

/** A fault waiting in the queue. */
export interface Pending {
  readonly fault: Fault;
  readonly ctx: ReportContext | undefined;
  /** The snapshot of `ctx.attributes` when the fault was reported (a turn runs later). */
  readonly attributes: SnapNode | undefined;
  readonly time: number;
}

/** Turns queued faults into items. */
export class Intake {
  readonly #redactor: Redactor;
  readonly #window: RepeatWindow;
  /** Faults whose OTel exception record waits for the writer's redaction, by sequence. */
  readonly #otelWaiting: OldestFirst<number, Pending>;
  #otelSeq = 0;
  readonly #scratch = new RepeatScratch();

  constructor(redactor: Redactor, windowMs: number, maxFingerprints: number, maxWaiting: number) {
    this.#redactor = redactor;
    this.#window = new RepeatWindow(windowMs, maxFingerprints);
    this.#otelWaiting = new OldestFirst(maxWaiting);
  }

  /**
   * The item for one queued fault. `undefined` when `levelEnabled` says the record would be
   * dropped (its OTel record is still emitted). `otel`: an OTel logs SDK is registered.
   */
  item(pending: Pending, otel: boolean, levelEnabled?: (level: 'error' | 'warn') => boolean): Item | undefined {
    const { fault, ctx, attributes, time } = pending;
    if (levelEnabled !== undefined && !levelEnabled(fault.serverFault ? 'error' : 'warn')) {
      // The logger would drop this level: skip fingerprinting and the full redaction.
      if (otel) emitExceptionLog(fault, exceptionOnly(fault, this.#redactor), ctx?.otelContext);
      return undefined;
    }
    const verdict = this.#window.observe(fault, time);
    if (verdict.firstId !== undefined) {
      if (otel)
        emitExceptionLog(
          fault,
          {
            type: this.#redactor.redactString(fault.internal.errorType),
            message: `repeat of ${verdict.firstId}`,
            stacktrace: undefined,
          },
          ctx?.otelContext,
        );
      return repeatItem(fault, ctx, attributes, verdict.handle, verdict.firstId);
    }
    let seq = -1;
    if (otel) {
      seq = ++this.#otelSeq;
      this.#otelWaiting.set(seq, pending);
    }
    return fullItem(fault, ctx, attributes, verdict.handle, verdict.key, this.#redactor, seq);
  }

  /**
   * Writes `fault` through `writer` now when it repeats a first occurrence whose full record this
   * writer wrote (its fingerprint known): the repeat's item is batched at once, with no item queued
   * and no turn. False, with nothing written or remembered, for any other fault. For callers
   * that know nothing waits in the queue (order is kept) and that no OTel log record is due.
   */
  repeatNow(
    fault: Fault,
    ctx: ReportContext | undefined,
    attributes: SnapNode | undefined,
    time: number,
    writer: RecordWriter,
  ): boolean {
    const first = this.#window.peek(fault, time);
    if (first === undefined || writer.fingerprints.get(first.handle) === undefined) return false;
    const scratch = this.#scratch;
    if (scratch.busy) {
      // Written from inside a write of the reused item: an item of its own.
      writer.write(repeatItem(fault, ctx, attributes, first.handle, first.id));
      return true;
    }
    scratch.busy = true;
    try {
      writer.write(scratch.fill(fault, ctx, attributes, first.handle, first.id));
    } finally {
      scratch.busy = false;
      scratch.clear();
    }
    return true;
  }

  /** The writer redacted the exception of item `seq`: emit its OTel record. */
  exception(seq: number, type: string, message: string, stacktrace: string | undefined): void {
    const pending = this.#otelWaiting.get(seq);
    if (pending === undefined) return;
    this.#otelWaiting.delete(seq);
    emitExceptionLog(pending.fault, { type, message, stacktrace }, pending.ctx?.otelContext);
  }
}
