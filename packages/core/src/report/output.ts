/**
 * The reporter's output side: Faultline's own counting sink, a pino destination stream passed
 * in, or a logger passed in. Lines for a sink or a stream are formatted here, in pino's format
 * (see line-format.ts), so no logger is loaded; a logger passed in formats its own. Emitting
 * never throws into the pipeline, flushing is bounded, and a foreign stream that failed is never
 * flushed synchronously (sonic-boom retries a failed write forever in `flushSync`).
 */
import { backlogBytes, openSink } from './destination.js';
import { formatLine, type StackJson } from './line-format.js';
import { isSink, type LineKind, type Sink } from './sink.js';
import type { ReporterLogger, ReporterOptions } from './types.js';

/** The part of a destination stream written to directly (pino's `DestinationStream`, sonic-boom). */
interface LineStream {
  write(line: string): unknown;
  flushSync?: () => void;
  flush?: (callback?: (error?: Error) => void) => void;
}

/**
 * The destination stream under a pino logger: pino keeps it under a private symbol described
 * `pino.stream` (not a registered symbol, so it is found by its description; any other logger
 * has none).
 */
function streamOf(logger: ReporterLogger): unknown {
  try {
    // A child logger inherits the stream from its parent: look along the prototype chain.
    for (let object: object | null = logger, depth = 0; object !== null && depth < 8; depth += 1) {
      const symbol = Object.getOwnPropertySymbols(object).find((s) => s.description === 'pino.stream');
      if (symbol !== undefined) return (logger as unknown as Record<symbol, unknown>)[symbol];
      object = Object.getPrototypeOf(object) as object | null;
    }
  } catch {
    // a Proxy or an exotic logger: no stream known
  }
  return undefined;
}

/** Where records go, chosen from the reporter's options. */
export class ReporterOutput {
  readonly #logger: ReporterLogger | undefined;
  readonly #stream: LineStream | undefined;
  /** The stream under a pino logger passed in (for its backlog and its errors). */
  readonly #loggerStream: unknown;
  /** Faultline's own sink (counts what the kernel accepted), when the destination is one of ours. */
  readonly sink: Sink | undefined;
  readonly #onError: () => void;

  /** `onError` is called for each failed write or format (the reporter's `sinkErrors`). */
  constructor(
    options: Pick<ReporterOptions, 'logger' | 'destination' | 'fallbackDestination'>,
    maxBacklog: number,
    onError: () => void,
  ) {
    this.#onError = onError;
    const destination = options.destination;
    if (options.logger !== undefined) {
      this.#logger = options.logger;
      this.#loggerStream = streamOf(options.logger);
      this.#guardStream(this.#loggerStream);
    } else if (typeof destination === 'object' && !isSink(destination)) {
      this.#stream = destination as unknown as LineStream;
      this.#guardStream(this.#stream);
    } else {
      this.sink = isSink(destination) ? destination : openSink(destination, options.fallbackDestination, maxBacklog);
    }
  }

  /** A failing foreign stream (EPIPE, destroyed) emits 'error': count it instead of crashing. */
  #guardStream(stream: unknown): void {
    if (typeof (stream as { on?: unknown } | undefined)?.on !== 'function') return;
    try {
      (stream as unknown as NodeJS.EventEmitter).on('error', () => this.#onError());
    } catch {
      // not an EventEmitter after all
    }
  }

  /** Bytes the destination has buffered but not yet written (0 for a logger passed in: unknown). */
  backlog(): number {
    return backlogBytes(this.sink ?? this.#stream ?? this.#loggerStream);
  }

  /** False when the logger would drop `level` (so the record need not be built). */
  levelEnabled(level: 'error' | 'warn'): boolean {
    const logger = this.#logger;
    if (logger === undefined) return true;
    try {
      return typeof logger.isLevelEnabled === 'function' ? logger.isLevelEnabled(level) : true;
    } catch {
      return true;
    }
  }

  /**
   * Writes one line; `kind` and `records` tell Faultline's sink what it counts; `tail` is more
   * members already serialized (parsed back into the record only for a logger passed in); `stack`
   * a stack array in the record whose frame lines are already serialized. Never throws: false when
   * the line was not handed over (the stream or logger threw; counted in `sinkErrors`) or
   * Faultline's sink refused it (counted lost by the sink).
   */
  emit(
    level: 'error' | 'warn',
    record: Record<string, unknown>,
    message: string,
    kind: LineKind,
    records: number,
    tail?: string,
    stack?: StackJson,
  ): boolean {
    try {
      if (this.sink !== undefined) {
        const line = formatLine(level, record, message, tail, stack);
        this.sink.tagNext(kind, records);
        return this.sink.write(line) !== false;
      }
      if (this.#stream !== undefined) {
        this.#stream.write(formatLine(level, record, message, tail, stack));
      } else if (this.#logger !== undefined) {
        const full = tail === undefined ? record : { ...record, ...(JSON.parse(`{${tail}}`) as object) };
        this.#logger[level](full, message);
      }
      return true;
    } catch {
      this.#onError();
      return false;
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
      const stream = this.#stream;
      if (foreignHealthy && typeof stream?.flushSync === 'function') stream.flushSync();
    } catch {
      this.#onError();
    }
  }

  /** Waits (bounded by `timeoutMs`) until the sink, the stream or the logger has written everything. */
  async flush(timeoutMs: number): Promise<void> {
    if (this.sink !== undefined) await this.sink.drained(timeoutMs);
    else await this.#flushForeign(timeoutMs);
  }

  /** `flush(cb)` of a foreign logger or stream, given up after `timeoutMs` (a dead sink may never call back). */
  #flushForeign(timeoutMs: number): Promise<void> {
    const target = this.#logger ?? this.#stream;
    return new Promise<void>((resolve) => {
      // Ref'd: a stream that never calls back must not let the process end with this promise
      // pending (an awaited `close()` in a shutdown handler would never finish); it is bounded.
      const timer = setTimeout(resolve, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        resolve();
      };
      try {
        if (typeof target?.flush === 'function') target.flush(done);
        else done();
      } catch {
        this.#onError();
        done();
      }
    });
  }
}
