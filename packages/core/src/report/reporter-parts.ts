/**
 * The reporter's parts, wired together once: the output (Faultline's sink or a logger), the
 * writer that formats records on this thread, the offload that may move that work to a worker,
 * the turns that drain the queue, and the drop notice that reports what was lost.
 */
import { createRedactor, type Redactor } from '../redact/redactor.js';
import { type DropCounts, DropNotice } from './drop-notice.js';
import { Intake, type Pending } from './intake.js';
import { Offload } from './offload.js';
import { ReporterOutput } from './output.js';
import type { RingQueue } from './ring-queue.js';
import { sinkSpec } from './sink-spec.js';
import { droppedBacklog, lostToBacklog, type MainCounters, reporterStats } from './stats.js';
import { sayOnce } from './stderr-notice.js';
import { Turns } from './turns.js';
import type { ReporterOptions, ReporterStats } from './types.js';
import { RecordWriter } from './writer.js';

/** What a reporter is made of. */
export interface ReporterParts {
  readonly redactor: Redactor;
  readonly output: ReporterOutput;
  readonly writer: RecordWriter;
  readonly offload: Offload;
  readonly turns: Turns;
  readonly drops: DropNotice;
}

/** What the parts share with the reporter that owns them. */
export interface ReporterShared {
  readonly queue: RingQueue<Pending>;
  readonly counters: MainCounters;
  /** The slice, in nanoseconds. */
  readonly sliceNs: number;
  readonly shutdownMs: number;
  /** True once the reporter closes or shuts down (no worker starts then). */
  readonly closed: () => boolean;
}

/** Builds a reporter's parts from its (checked) options. */
export function assembleReporter(options: ReporterOptions, shared: ReporterShared): ReporterParts {
  const { queue, counters } = shared;
  const maxFingerprints = Math.max(1, options.maxFingerprints ?? 1000);
  const maxBacklog = options.maxSinkBacklogBytes ?? 4 * 1024 * 1024;
  const redactor = createRedactor(options.redaction);
  const intake = new Intake(redactor, options.dedupWindowMs ?? 10_000, maxFingerprints, queue.capacity * 2);
  const output = new ReporterOutput(options, maxBacklog, () => {
    counters.sinkErrors += 1;
    if (counters.sinkErrors === 1)
      sayOnce(
        'sink-error',
        'faultline: the logger or stream given to the reporter failed to write; reporter.stats.sinkErrors counts the failures\n',
      );
  });
  const writer = new RecordWriter(redactor, output, {
    maxFingerprints,
    maxBacklog,
    onException: (item, e) => intake.exception(item.otel, e.type, e.message, e.stacktrace),
  });
  const sink = output.sink;
  const offload = new Offload(sink === undefined ? undefined : sinkSpec(sink), options.workerThreshold ?? 2000, {
    redaction: options.redaction,
    maxBacklog,
    maxFingerprints,
    queueSize: queue.capacity,
    shutdownMs: shared.shutdownMs,
  });
  const turns = new Turns({
    queue,
    intake,
    writer,
    output,
    offload,
    counters,
    sliceNs: shared.sliceNs,
    maxBacklog,
    otelLogs: options.otelLogs ?? true,
    closed: shared.closed,
  });
  // One object, filled again each time: the notice reads the counts after every turn.
  const dropCounts: { -readonly [K in keyof DropCounts]: number } = { queueFull: 0, backlog: 0, lostBacklog: 0 };
  const drops = new DropNotice(
    () => {
      dropCounts.queueFull = counters.droppedQueueFull;
      dropCounts.backlog = droppedBacklog(writer.counts, offload.counts);
      dropCounts.lostBacklog = lostToBacklog(output.sink, offload.counts);
      return dropCounts;
    },
    (record, message) => turns.notice({ k: 'n', record, message }),
  );
  return { redactor, output, writer, offload, turns, drops };
}

/** A reporter's counters now, from its parts, its queue and its own counters. */
export function statsOf(parts: ReporterParts, shared: ReporterShared): ReporterStats {
  const { offload, output, writer } = parts;
  const link = offload.started;
  const sink = output.sink;
  const sinkCounts = sink?.counts;
  return reporterStats({
    main: shared.counters,
    writer: writer.counts,
    // Waiting on this thread: in the queue, or (with Faultline's own destination, which counts
    // only what it wrote) batched for a compact line or in the sink's backlog. Through a logger
    // or stream passed in, a repeat counts as compacted once batched.
    queued: shared.queue.size + (sinkCounts === undefined ? 0 : writer.repeatsHeld + (sinkCounts.pending ?? 0)),
    sink: sinkCounts,
    destinationError: offload.released ? link?.counts?.openError : sink?.openError,
    worker:
      link === undefined
        ? undefined
        : {
            counts: offload.counts,
            inFlight: link.held,
            alive: link.alive,
            lostToDeath: offload.lostToDeath,
            unanswered: link.unanswered,
          },
  });
}
