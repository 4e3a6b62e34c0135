/**
 * The run's limits in one place: a deadline that aborts every in-flight probe (one AbortSignal
 * through all I/O), a cap on requests, and the tally of what was answered and what was not.
 */

/** How one exchange ended, on any protocol. */
export type Outcome = 'answered' | 'timeout' | 'closed' | 'unparseable' | 'refused' | 'aborted';

/** Outcomes that are not an answer. */
export const UNANSWERED = ['timeout', 'closed', 'unparseable', 'refused', 'aborted'] as const;
/** An outcome that is not an answer. */
export type Unanswered = (typeof UNANSWERED)[number];

/** The deadline, the request cap and the tally of one run. */
export class Budget {
  readonly #controller = new AbortController();
  readonly #timer: NodeJS.Timeout;
  readonly #deadline: number;
  #sent = 0;
  #answered = 0;
  #capped = false;
  readonly #unanswered: Record<Unanswered, number> = { timeout: 0, closed: 0, unparseable: 0, refused: 0, aborted: 0 };

  /**
   * @param timeoutMs whole-run limit: when it passes, {@link signal} aborts.
   * @param perRequestMs limit of one exchange.
   * @param maxRequests cap on requests; once reached, {@link take} refuses.
   */
  constructor(
    timeoutMs: number,
    readonly perRequestMs: number,
    readonly maxRequests: number,
  ) {
    this.#deadline = Date.now() + timeoutMs;
    this.#timer = setTimeout(() => this.#controller.abort(new Error('deadline')), timeoutMs);
    this.#timer.unref();
  }

  /** Aborts when the deadline passes (or {@link dispose} is called): every exchange listens to it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** True once the deadline has passed. */
  get expired(): boolean {
    return this.#controller.signal.aborted || Date.now() >= this.#deadline;
  }

  /** True when the request cap stopped probes from being sent. */
  get capped(): boolean {
    return this.#capped;
  }

  /** The limit for the next exchange: the per-request limit, or what is left of the run if less. */
  requestTimeout(): number {
    return Math.max(1, Math.min(this.perRequestMs, this.#deadline - Date.now()));
  }

  /** Counts one request about to be sent; false (send nothing) when the run is over or capped. */
  take(): boolean {
    if (this.expired) return false;
    if (this.#sent >= this.maxRequests) {
      this.#capped = true;
      return false;
    }
    this.#sent += 1;
    return true;
  }

  /** Records how a request ended. */
  record(outcome: Outcome): void {
    if (outcome === 'answered') this.#answered += 1;
    else this.#unanswered[outcome] += 1;
  }

  /** Requests sent, answered, and not answered by reason. */
  tally(): { sent: number; answered: number; unanswered: Record<Unanswered, number> } {
    return { sent: this.#sent, answered: this.#answered, unanswered: { ...this.#unanswered } };
  }

  /** Stops the timer and aborts whatever is still in flight. */
  dispose(): void {
    clearTimeout(this.#timer);
    if (!this.#controller.signal.aborted) this.#controller.abort(new Error('run over'));
  }
}

/** Runs `fn` over `items`, `concurrency` at a time; schedules nothing more once `signal` aborts. */
export async function pool<T>(
  items: readonly T[],
  concurrency: number,
  signal: AbortSignal,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (!signal.aborted && next < items.length) {
      const item = items[next] as T;
      next += 1;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/** Resolves after `ms`, or at once when `signal` aborts. */
export function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
