/** The reporter's public types: options, per-request context, counters. */
import type { Context } from '@opentelemetry/api';
import type { DestinationStream } from 'pino';
import type { RedactionOptions } from '../redact/redactor.js';
import type { Sink } from './sink.js';
import type { Protocol } from './telemetry.js';

/** What the adapter knows about the request a fault was answered on. */
export interface ReportContext {
  /** Protocol of the request. */
  readonly protocol?: Protocol;
  /** HTTP method or gRPC method path. */
  readonly method?: string;
  /** The route pattern (never the raw URL with its query). */
  readonly route?: string;
  /** The trace id, when a valid span context existed. */
  readonly traceId?: string;
  /** The OTel context active when the fault was captured (links the exception log record). */
  readonly otelContext?: Context;
  /** More internal fields for the record (redacted before writing). */
  readonly attributes?: Readonly<Record<string, unknown>>;
}

/** The part of a pino logger the reporter uses (pino itself, Fastify's `app.log`, or a child). */
export interface ReporterLogger {
  /** Writes a record at error level (server faults). */
  error(record: object, message: string): void;
  /** Writes a record at warn level (client faults, notices). */
  warn(record: object, message: string): void;
  /** Flushes buffered lines, calling back when done (pino's `logger.flush`). */
  flush?: ((callback?: (error?: Error) => void) => void) | undefined;
  /** Whether a level is written at all (records of a filtered level are not formatted). */
  isLevelEnabled?: ((level: string) => boolean) | undefined;
}

/** Which record to give up when the queue is full. */
export type OverflowPolicy = 'drop-newest' | 'drop-oldest';

/** Options of {@link createReporter}. */
export interface ReporterOptions {
  /** A pino logger to write through (e.g. Fastify's `app.log`). */
  readonly logger?: ReporterLogger;
  /**
   * Where to write when no logger is given: a file path, a file descriptor (default stdout, 1),
   * a Faultline sink (`rotatingFile(...)`, `syslogTls(...)`), or any pino destination stream (its
   * counts are then of records handed over).
   */
  readonly destination?: Sink | DestinationStream | string | number;
  /** Records held while waiting to be written (default 4096). */
  readonly queueSize?: number;
  /** What to drop when the queue is full (default `drop-newest`). */
  readonly overflow?: OverflowPolicy;
  /** Most records formatted per event-loop turn (default 512). */
  readonly batchSize?: number;
  /**
   * Milliseconds per event-loop turn for records written on this thread, so I/O and requests
   * interleave (default 4), up to 4x as the queue fills. Turns that only hand records to the
   * worker take a quarter of it, up to twice it as the queue fills.
   */
  readonly sliceMs?: number;
  /** Window in ms during which one fingerprint is logged in full once, then compactly (default 10 s; 0 disables). */
  readonly dedupWindowMs?: number;
  /** Fingerprints remembered at once (default 1000; the oldest is forgotten first). */
  readonly maxFingerprints?: number;
  /** Bytes a sink may have buffered before records are dropped instead of written (default 4 MiB). */
  readonly maxSinkBacklogBytes?: number;
  /** Redaction options for records and telemetry. */
  readonly redaction?: RedactionOptions;
  /** Emit exception log records through the OTel logs API (default true; a no-op without an SDK). */
  readonly otelLogs?: boolean;
  /** Flush queued records on SIGTERM, SIGINT, beforeExit and exit (default true). */
  readonly flushOnExit?: boolean;
  /** Most milliseconds the synchronous flush at exit may take, however dead the sink (default 1000). */
  readonly shutdownTimeoutMs?: number;
  /** Where to write when `destination` (a path) cannot be opened (a path or file descriptor, e.g. 2). */
  readonly fallbackDestination?: string | number;
  /**
   * Full records per second above which redaction, formatting and writing move to a worker
   * thread (default 2000, counted over 100 ms windows; the worker also starts when the queue is
   * half full). From then on this thread only reads each fault and hands it over. A thread costs
   * memory (about 10 MB RSS idle, 10-20 MB in a storm, measured), so a quiet service keeps it all
   * on the main thread, where a full record costs about 25 µs. 0 starts the worker with the first
   * records; `Infinity` never starts it. Only Faultline's own destinations (a path, a descriptor,
   * `rotatingFile()`, `syslogTls()`) move; a `logger` or stream passed in stays on the main
   * thread, and so does redaction with a custom pattern that holds a function.
   */
  readonly workerThreshold?: number;
}

/** Counters of the pipeline, for metrics and tests. */
export interface ReporterStats {
  /** Faults handed to `report`. */
  readonly reported: number;
  /**
   * Full records written. With Faultline's own sink (a path, a descriptor or stdout) a record
   * counts once the kernel accepted its bytes; through a logger or stream you pass in, once it
   * was handed over (`delivery: 'handed-off'`).
   */
  readonly written: number;
  /** Repeats written as compact lines (storm dedup; one line per fingerprint per second lists their ids), counted like `written`. */
  readonly compacted: number;
  /**
   * Records that will never arrive, by reason (`ENOSPC`, `EPIPE`, `EACCES`, `backlog`, `shutdown`…);
   * own sink only, except `shutdown` (records the end had no time to format), counted for any sink.
   */
  readonly lost: Readonly<Record<string, number>>;
  /** `confirmed` when counts come from Faultline's own sink, `handed-off` for a logger or stream passed in. */
  readonly delivery: 'confirmed' | 'handed-off';
  /** Why the destination could not be opened, while it cannot. */
  readonly destinationError: string | undefined;
  /** Records dropped because the queue was full. */
  readonly droppedQueueFull: number;
  /** Records dropped because the sink's backlog was over its bound. */
  readonly droppedBacklog: number;
  /** Records not formatted because the logger's level filters them out. */
  readonly suppressed: number;
  /** Writes that failed (throwing logger, stream error events). */
  readonly sinkErrors: number;
  /**
   * Records waiting on this thread now: in the queue, repeats batched for their compact line, and
   * records whose lines Faultline's own destination has not written yet.
   */
  readonly queued: number;
  /** Records handed to the worker thread and not yet written, dropped or lost. */
  readonly inFlight: number;
  /** True once recording runs on the worker thread. */
  readonly offThread: boolean;
}
