/**
 * The reporter's counters, put together from where they are kept: the response thread's queue
 * and writer, its own sink (before the handover), and what the worker confirmed (after it).
 * `written` and `compacted` are what a sink accepted; records handed to the worker and not yet
 * settled are `inFlight`, and become `lost.worker` if the worker dies (a new one takes its place).
 */
import type { Sink, SinkCounts } from './sink.js';
import type { ReporterStats } from './types.js';
import type { WorkerCounts } from './worker-protocol.js';
import type { WriterCounts } from './writer.js';

/** What the response thread counted itself. */
export interface MainCounters {
  reported: number;
  droppedQueueFull: number;
  suppressed: number;
  sinkErrors: number;
  /**
   * Records given up unformatted at the end on this thread (close, a signal's shutdown, the exit
   * flush) once `shutdownTimeoutMs` was spent: counted lost as `shutdown`.
   */
  lostShutdown: number;
}

/** A response thread's counters, all at zero. */
export function mainCounters(): MainCounters {
  return { reported: 0, droppedQueueFull: 0, suppressed: 0, sinkErrors: 0, lostShutdown: 0 };
}

/** Everything the stats are made of, read at one moment. */
export interface StatsParts {
  readonly main: MainCounters;
  readonly writer: WriterCounts;
  readonly queued: number;
  /** The response thread's own sink, if the destination is Faultline's. */
  readonly sink: SinkCounts | undefined;
  /** Why the destination cannot be opened, from whichever thread writes now. */
  readonly destinationError: string | undefined;
  /**
   * The workers, once one started: what they all confirmed, what the live one holds, and the
   * fault items dead ones held (`lostToDeath`).
   */
  readonly worker:
    | {
        readonly counts: WorkerCounts | undefined;
        readonly inFlight: number;
        readonly alive: boolean;
        readonly lostToDeath: number;
        /** Fault items an unanswered exit flush left with the worker (counted lost as `shutdown`). */
        readonly unanswered: number;
      }
    | undefined;
}

/** Sums two sinks' counts (the response thread's sink before the handover, the worker's after). */
export function addCounts(a: SinkCounts, b: SinkCounts | undefined): SinkCounts {
  if (b === undefined) return a;
  const lost: Record<string, number> = { ...a.lost };
  for (const [reason, n] of Object.entries(b.lost)) lost[reason] = (lost[reason] ?? 0) + n;
  return {
    accepted: {
      full: a.accepted.full + b.accepted.full,
      compact: a.accepted.compact + b.accepted.compact,
      notice: a.accepted.notice + b.accepted.notice,
    },
    lost,
    backlogBytes: a.backlogBytes + b.backlogBytes,
    pending: (a.pending ?? 0) + (b.pending ?? 0),
  };
}

/** `a` and `b` summed (a dead worker's last counts and its replacement's). */
export function sumWorkerCounts(a: WorkerCounts | undefined, b: WorkerCounts | undefined): WorkerCounts | undefined {
  if (a === undefined || b === undefined) return a ?? b;
  return {
    processed: a.processed + b.processed,
    unsettled: b.unsettled,
    sink: addCounts(a.sink, b.sink),
    writer: {
      written: a.writer.written + b.writer.written,
      compacted: a.writer.compacted + b.writer.compacted,
      droppedBacklog: a.writer.droppedBacklog + b.writer.droppedBacklog,
      sinkErrors: a.writer.sinkErrors + b.writer.sinkErrors,
    },
    openError: b.openError,
    exceptions: [],
  };
}

/** Records dropped because a sink's backlog was over its bound, on either thread. */
export function droppedBacklog(writer: WriterCounts, worker: WorkerCounts | undefined): number {
  return writer.droppedBacklog + (worker?.writer.droppedBacklog ?? 0);
}

/**
 * Records Faultline's own destination refused because its backlog was at its bound
 * (`lost.backlog`), on either thread: the drop notice reports them with the drops.
 */
export function lostToBacklog(sink: Sink | undefined, worker: WorkerCounts | undefined): number {
  // Read at every turn's end (the drop notice): no snapshot of the sink's counters for it.
  const here = sink === undefined ? 0 : (sink.lostTo?.('backlog') ?? sink.counts.lost.backlog ?? 0);
  return here + (worker?.sink.lost.backlog ?? 0);
}

/** The public counters. */
export function reporterStats(parts: StatsParts): ReporterStats {
  const { main, writer, worker } = parts;
  const confirmed = worker?.counts;
  const unanswered = worker === undefined || !worker.alive ? 0 : worker.unanswered;
  const inFlight = worker === undefined || !worker.alive ? 0 : Math.max(0, worker.inFlight - unanswered);
  const base = {
    reported: main.reported,
    droppedQueueFull: main.droppedQueueFull,
    droppedBacklog: droppedBacklog(writer, confirmed),
    suppressed: main.suppressed,
    sinkErrors: main.sinkErrors + writer.sinkErrors + (confirmed?.writer.sinkErrors ?? 0),
    queued: parts.queued,
    inFlight,
    offThread: worker !== undefined,
  };
  if (parts.sink === undefined)
    return {
      ...base,
      written: writer.written,
      compacted: writer.compacted,
      // Through a logger or stream passed in, only what the reporter itself gave up at the end.
      lost: main.lostShutdown > 0 ? { shutdown: main.lostShutdown } : {},
      delivery: 'handed-off',
      destinationError: undefined,
    };
  const counts = addCounts(parts.sink, confirmed?.sink);
  const lost = { ...counts.lost };
  if (worker !== undefined && worker.lostToDeath > 0) lost.worker = (lost.worker ?? 0) + worker.lostToDeath;
  const shutdown = unanswered + main.lostShutdown;
  if (shutdown > 0) lost.shutdown = (lost.shutdown ?? 0) + shutdown;
  return {
    ...base,
    written: counts.accepted.full,
    compacted: counts.accepted.compact,
    lost,
    delivery: 'confirmed',
    destinationError: parts.destinationError,
  };
}
