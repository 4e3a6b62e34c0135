/**
 * When and how recording moves to the worker thread. A quiet service never starts it (a thread
 * costs memory): the response thread counts full records in 100 ms windows and starts the worker
 * once they exceed a tenth of `workerThreshold` (full records per second), or when the queue is
 * half full. From that moment every record is handed to the worker, which holds what arrives
 * while it boots; nothing more is written on this thread. Once the worker is up, this thread's
 * own sink finishes what it holds (asynchronously, bounded), lets go of the destination, and the
 * worker starts writing, with the fingerprints this thread computed; lines the sink could not
 * write (a syslog receiver down, a FIFO whose reader stalls) go to the worker, which writes them
 * first.
 * A worker that dies after the hand-over (a crash, its heap limit) is replaced, at most
 * {@link MAX_RESTARTS} times: what it held is counted `lost.worker`, what it confirmed stays counted,
 * and the new worker opens the destination again. Past that bound records go to this thread's
 * own sink, closed at the hand-over: a file path opens again (at most every 5 s), a descriptor it
 * did not open (stdout) does not, and those records are counted lost (`EBADF`).
 */
import type { RedactionOptions } from '../redact/redactor.js';
import { handedOver, WRITE_SETTLE_MS, writeSettled } from './handover-wait.js';
import { handOver } from './line-handover.js';
import type { Sink } from './sink.js';
import type { SinkSpec } from './sink-spec.js';
import { sumWorkerCounts } from './stats.js';
import { sayOnce } from './stderr-notice.js';
import { type ExceptionReply, WorkerLink } from './worker-link.js';
import type { WorkerCounts } from './worker-protocol.js';

/** The rate window, in ms. */
const WINDOW_MS = 100;

/** Workers started in place of one that died, at most, per reporter. */
export const MAX_RESTARTS = 3;

/** What the worker is started with. */
export interface OffloadOptions {
  readonly redaction: RedactionOptions | undefined;
  readonly maxBacklog: number;
  readonly maxFingerprints: number;
  /** The reporter's queue size: the most items handed to the worker beyond what it processed. */
  readonly queueSize: number;
  readonly shutdownMs: number;
}

/** False when the redaction options cannot cross threads (a custom pattern holding a function). */
function crossesThreads(redaction: RedactionOptions | undefined): boolean {
  try {
    structuredClone(redaction);
    return true;
  } catch {
    return false;
  }
}

/** The worker's lifecycle, seen from the response thread. */
export class Offload {
  readonly #spec: SinkSpec | undefined;
  readonly #perWindow: number;
  readonly #options: OffloadOptions;
  #windowStart = 0;
  #windowCount = 0;
  #link: WorkerLink | undefined;
  #released = false;
  #restarts = 0;
  /** What dead workers confirmed, and the fault items they held when they died. */
  #retired: WorkerCounts | undefined;
  #lostToDeath = 0;
  #fingerprints: () => [number, string][] = () => [];
  #onException: ExceptionReply = () => {};

  /**
   * `spec` is `undefined` when the destination cannot move (a logger or stream passed in); so is
   * a redaction holding a function (it cannot be sent to the worker).
   */
  constructor(spec: SinkSpec | undefined, threshold: number, options: OffloadOptions) {
    this.#spec = threshold === Number.POSITIVE_INFINITY || !crossesThreads(options.redaction) ? undefined : spec;
    this.#perWindow = (threshold * WINDOW_MS) / 1000;
    this.#options = options;
  }

  /** True when the destination may move to a worker that has not started yet. */
  get possible(): boolean {
    return this.#spec !== undefined && this.#link === undefined;
  }

  /** The worker records go to now: started (booting or running) and alive. */
  get link(): WorkerLink | undefined {
    return this.#link?.alive ? this.#link : undefined;
  }

  /** The worker, once started, alive or not. */
  get started(): WorkerLink | undefined {
    return this.#link;
  }

  /** What every worker confirmed, the dead ones' included; `undefined` before the first answer. */
  get counts(): WorkerCounts | undefined {
    return sumWorkerCounts(this.#retired, this.#link?.counts);
  }

  /** Fault items handed to workers that died before writing them. */
  get lostToDeath(): number {
    const link = this.#link;
    return this.#lostToDeath + (link !== undefined && !link.alive ? link.held : 0);
  }

  /** True once this thread's sink let go of the destination to the worker. */
  get released(): boolean {
    return this.#released;
  }

  /** Counts `fulls` full records just taken; true when the rate (or the queue) says the worker should start. */
  due(fulls: number, queueFill: number): boolean {
    if (!this.possible) return false;
    const now = Date.now();
    if (now - this.#windowStart >= WINDOW_MS) {
      this.#windowStart = now;
      this.#windowCount = 0;
    }
    this.#windowCount += fulls;
    return this.#windowCount > this.#perWindow || queueFill >= 0.5;
  }

  /**
   * Starts the worker. `sink` is this thread's sink (it finishes, then lets go), `fingerprints`
   * what this thread computed (read at the handover). False when no worker can start.
   */
  start(sink: Sink, fingerprints: () => [number, string][], onException: ExceptionReply): boolean {
    const spec = this.#spec;
    if (spec === undefined || this.#link !== undefined) return false;
    const { shutdownMs, ...init } = this.#options;
    this.#fingerprints = fingerprints;
    this.#onException = onException;
    try {
      this.#link = new WorkerLink(
        spec,
        init,
        onException,
        () => {
          // Booting takes 30-500 ms; meanwhile the worker held what it was handed. Now hand over.
          void handedOver(sink, shutdownMs, () => this.#released).then(() => this.release(sink, fingerprints()));
        },
        () => this.#died(),
      );
      return true;
    } catch {
      return false; // no worker (a bundle without the worker file): stay on this thread
    }
  }

  /**
   * The worker died unexpectedly: its confirmed counts are kept, what it held is counted lost,
   * and (once it had the destination, within the bound) a new worker takes its place.
   */
  #died(): void {
    const dead = this.#link;
    const spec = this.#spec;
    if (dead === undefined || spec === undefined || !this.#released || this.#restarts >= MAX_RESTARTS) return;
    this.#restarts += 1;
    const { shutdownMs: _, ...init } = this.#options;
    let link: WorkerLink;
    try {
      link = new WorkerLink(
        spec,
        init,
        this.#onException,
        () => {},
        () => this.#died(),
      );
    } catch {
      return; // no worker can start: `link` stays the dead one, and records are written on this thread
    }
    this.#retired = sumWorkerCounts(this.#retired, dead.counts);
    // What it held, as its last counts tell; some may have landed after them: counted lost all the same.
    this.#lostToDeath += dead.held;
    sayOnce(
      'worker',
      "faultline: the reporter's worker thread ended unexpectedly; what it held is counted in reporter.stats.lost.worker, and a new one writes on\n",
    );
    this.#link = link;
    // This thread's sink let go long ago: the new worker writes as soon as it is up.
    link.go(this.#fingerprints());
  }

  /**
   * This thread's sink lets go of the destination and the worker starts writing: at once when
   * `waitMs` is 0, else once the sink has written what it holds, waiting at most `waitMs`; lines
   * it has not started to write go to the worker (see {@link release}). A no-op without a worker
   * or once done.
   */
  async letGo(sink: Sink | undefined, fingerprints: () => [number, string][], waitMs: number): Promise<void> {
    if (sink === undefined || this.#released || this.link === undefined) return;
    // A sink that cannot write now has nothing to finish: what it holds goes along at once.
    if (waitMs > 0 && sink.openError === undefined) {
      // Within `waitMs` in all: a write under way settles first (see writeSettled).
      const until = Date.now() + waitMs;
      await sink.drained(waitMs);
      await writeSettled(sink, Math.min(until - Date.now(), WRITE_SETTLE_MS), () => this.#released);
    }
    this.release(sink, fingerprints());
  }

  /**
   * Lets go now (see {@link letGo}); not to a worker that died (this thread writes on, with its
   * sink). The lines the sink has not started to write (a syslog receiver down, a FIFO whose
   * reader stalls) go to the worker, which writes them first: closed with them, the sink lost
   * them as `shutdown` mid-life.
   */
  release(sink: Sink, fingerprints: [number, string][]): void {
    if (this.#released || this.#link === undefined || !this.#link.alive) return;
    this.#released = true;
    const lines = handOver(sink);
    sink.close(0);
    this.#link.go(fingerprints, lines);
  }
}
