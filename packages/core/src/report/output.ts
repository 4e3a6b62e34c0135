/**
 * The reporter's output side: the pino logger it writes through, and what that logger writes to
 * (Faultline's own counting sink, or a foreign logger or stream). Emitting never throws into the
 * pipeline, flushing is bounded, and a foreign stream that failed is never flushed synchronously
 * (sonic-boom retries a failed write forever in `flushSync`).
 */
import { pino } from 'pino';
import { backlogBytes, openSink } from './destination.js';
import { isSink, type LineKind, type Sink } from './sink.js';
import type { ReporterLogger, ReporterOptions } from './types.js';

/** Where records go, chosen from the reporter's options. */
export class ReporterOutput {
  readonly #logger: ReporterLogger;
  readonly #stream: unknown;
  /** Faultline's own sink (counts what the kernel accepted), when the destination is one of ours. */
  readonly sink: Sink | undefined;
  readonly #onError: () => void;

  /** `onError` is called for each failed write or format (the reporter's `sinkErrors`). */
  constructor(options: ReporterOptions, maxBacklog: number, onError: () => void) {
    this.#onError = onError;
    const destination = options.destination;
    if (options.logger !== undefined) {
      this.#logger = options.logger;
    } else if (typeof destination === 'object' && !isSink(destination)) {
      this.#logger = pino({ level: 'info' }, destination);
    } else {
      this.sink = isSink(destination) ? destination : openSink(destination, options.fallbackDestination, maxBacklog);
      this.#logger = pino({ level: 'info' }, this.sink);
    }
    this.#stream = (this.#logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym];
    this.#guardStream();
  }

  /** A failing foreign stream (EPIPE, destroyed) emits 'error': count it instead of crashing. */
  #guardStream(): void {
    const stream = this.#stream;
    if (this.sink !== undefined || typeof (stream as { on?: unknown })?.on !== 'function') return;
    try {
      (stream as NodeJS.EventEmitter).on('error', () => this.#onError());
    } catch {
      // not an EventEmitter after all
    }
  }

  /** Bytes the stream has buffered but not yet written. */
  backlog(): number {
    return backlogBytes(this.#stream);
  }

  /** False when the logger would drop `level` (so the record need not be built). */
  levelEnabled(level: 'error' | 'warn'): boolean {
    try {
      return typeof this.#logger.isLevelEnabled === 'function' ? this.#logger.isLevelEnabled(level) : true;
    } catch {
      return true;
    }
  }

  /** Writes one line; `kind` and `records` tell Faultline's sink what it counts. Never throws. */
  emit(
    level: 'error' | 'warn',
    record: Record<string, unknown>,
    message: string,
    kind: LineKind,
    records: number,
  ): void {
    try {
      this.sink?.tagNext(kind, records);
      this.#logger[level](record, message);
    } catch {
      this.#onError();
    }
  }

  /**
   * Writes what the sink holds within `budgetMs` (what it cannot take is counted lost); a foreign
   * stream is flushed only while `foreignHealthy`.
   */
  flushSync(budgetMs: number, foreignHealthy: boolean): void {
    try {
      if (this.sink !== undefined) {
        this.sink.flushSync(Math.max(0, budgetMs));
        return;
      }
      const stream = this.#stream as { flushSync?: () => void };
      if (foreignHealthy && typeof stream?.flushSync === 'function') stream.flushSync();
    } catch {
      this.#onError();
    }
  }

  /** Waits (bounded by `timeoutMs`) until the sink, or the foreign logger, has written everything. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.sink !== undefined) await this.sink.drained(timeoutMs);
    else await this.#flushForeign(timeoutMs);
  }

  /** `logger.flush(cb)` of a foreign logger, given up after `timeoutMs` (a dead sink may never call back). */
  #flushForeign(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, timeoutMs);
      timer.unref();
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        if (typeof this.#logger.flush === 'function') this.#logger.flush(done);
        else done();
      } catch {
        this.#onError();
        done();
      }
    });
  }
}
