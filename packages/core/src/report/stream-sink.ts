/**
 * A sink over a Node `Writable` that reports each write's completion through its callback (a
 * rotating file from rotating-file-stream: its callback fires once the file handle took the
 * bytes). A line counts as written when its callback succeeds; a failed callback loses it with
 * the error's code. A Writable that failed is dead (Node destroys it), so the sink makes a new one
 * through its factory, at most every {@link REOPEN_INTERVAL_MS}; meanwhile lines are lost with the
 * failure's code. The factory may be asynchronous (the stream's library is loaded on first use):
 * while it opens, lines wait within the backlog bound. A Writable cannot be flushed
 * synchronously: at exit, lines it still holds are counted `unconfirmed` (settled if their
 * callback comes after all), lines still waiting for it to open are lost as `shutdown`; at the
 * hand-over to the worker they go to its copy instead. A stream whose file was removed or
 * replaced under it (`stale`, checked at most every `pathCheck.everyMs`) is ended and made anew.
 */
import type { Writable } from 'node:stream';
import { pathCheck, REOPEN_INTERVAL_MS } from './fd-target.js';
import { CountingSink, errorCode, type Line } from './sink.js';

/** Makes the Writable, synchronously or not. */
export type WritableFactory = () => Writable | Promise<Writable>;

/** True when `stream` writes to a file its path no longer names (removed, renamed, replaced). */
export type StaleCheck = (stream: Writable) => boolean;

/** A `Sink` writing to a `Writable` made by `factory`. */
export class StreamSink extends CountingSink {
  readonly #factory: WritableFactory;
  /** Lines handed to the stream whose callback has not come yet. */
  readonly #pending = new Set<Line>();
  readonly #unconfirmed = new Set<Line>();
  /** Lines waiting for the stream to open. */
  #waiting: Line[] = [];
  #stream: Writable | undefined;
  #opening = false;
  #failure: string | undefined;
  #failedAt = 0;
  readonly #stale: StaleCheck | undefined;
  #checkedAt = Date.now();

  /** `stale`, when given, tells a stream whose file is gone from its path (it is then made anew). */
  constructor(factory: WritableFactory, maxBacklogBytes: number, stale?: StaleCheck) {
    super(maxBacklogBytes);
    this.#factory = factory;
    this.#stale = stale;
    this.#create();
  }

  /**
   * Ends a stream whose file is no longer at its path and makes a new one (the lines it took
   * still settle through it; later ones wait for the new stream). Written on, it counted every
   * record written into a file nobody could read any more.
   */
  #renewIfStale(): void {
    const stream = this.#stream;
    if (stream === undefined || this.#stale === undefined || Date.now() - this.#checkedAt < pathCheck.everyMs) return;
    this.#checkedAt = Date.now();
    let stale = false;
    try {
      stale = this.#stale(stream);
    } catch {
      // cannot tell: keep writing
    }
    if (!stale) return;
    this.#stream = undefined;
    try {
      stream.end();
    } catch {
      // already ended
    }
    this.#create();
  }

  #create(): void {
    this.#opening = true;
    let made: Writable | Promise<Writable>;
    try {
      made = this.#factory();
    } catch (error) {
      this.#opened(undefined, error);
      return;
    }
    if (made instanceof Promise)
      made.then(
        (stream) => this.#opened(stream, undefined),
        (error) => this.#opened(undefined, error),
      );
    else this.#opened(made, undefined);
  }

  #opened(stream: Writable | undefined, error: unknown): void {
    this.#opening = false;
    if (this.#failure === 'closed') {
      stream?.end();
      return;
    }
    if (stream === undefined) {
      this.#fail(error, undefined);
      for (const line of this.#waiting.splice(0)) this.#settle(line, error as Error);
      return;
    }
    stream.on('error', (failure: unknown) => this.#fail(failure, stream));
    this.#failure = undefined;
    this.#stream = stream;
    for (const line of this.#waiting.splice(0)) this.#send(stream, line);
  }

  #fail(error: unknown, stream: Writable | undefined): void {
    this.#failure = errorCode(error);
    this.#failedAt = Date.now();
    if (stream !== undefined && this.#stream === stream) this.#stream = undefined;
  }

  get openError(): string | undefined {
    return this.#failure;
  }

  protected refusal(): string | undefined {
    if (this.#stream !== undefined || this.#opening) return undefined;
    if (Date.now() - this.#failedAt >= REOPEN_INTERVAL_MS) this.#create();
    return this.#stream !== undefined || this.#opening ? undefined : (this.#failure ?? 'EBADF');
  }

  protected enqueue(line: Line): void {
    this.#renewIfStale();
    this.#pending.add(line);
    if (this.#stream === undefined) this.#waiting.push(line);
    else this.#send(this.#stream, line);
  }

  /**
   * At the hand-over: the lines still waiting for the stream to open, for the worker's copy (closed
   * with them, this sink lost them as `shutdown` mid-life). Lines the stream took stay: it writes
   * them as it ends.
   */
  protected override unsent(): Line[] {
    const lines = this.#waiting.splice(0);
    for (const line of lines) this.#pending.delete(line);
    return lines;
  }

  /** Lines this thread's copy handed over go out first, in order (before any line of its own). */
  protected override putFirst(lines: Line[]): void {
    for (const line of lines) this.#pending.add(line);
    if (this.#stream === undefined) this.#waiting = lines.concat(this.#waiting);
    else for (const line of lines) this.#send(this.#stream, line);
  }

  #send(stream: Writable, line: Line): void {
    try {
      stream.write(line.bytes, (error) => this.#settle(line, error));
    } catch (error) {
      this.#settle(line, error as Error);
    }
  }

  #settle(line: Line, error: Error | null | undefined): void {
    if (!this.#pending.delete(line)) return;
    this.held -= line.bytes.length;
    if (this.#unconfirmed.delete(line)) this.counter.lose(line, 'unconfirmed', -1);
    if (error === null || error === undefined) this.counter.accept(line);
    else this.counter.lose(line, errorCode(error));
  }

  flushSync(_deadlineMs: number): void {
    for (const line of this.#waiting.splice(0)) {
      this.#pending.delete(line);
      this.held -= line.bytes.length;
      this.counter.lose(line, 'shutdown');
    }
    for (const line of this.#pending) {
      if (this.#unconfirmed.has(line)) continue;
      this.#unconfirmed.add(line);
      this.counter.lose(line, 'unconfirmed');
    }
  }

  drained(timeoutMs: number): Promise<void> {
    return this.idle(() => this.#pending.size > 0, timeoutMs);
  }

  close(deadlineMs: number): void {
    this.flushSync(deadlineMs);
    try {
      this.#stream?.end();
    } catch {
      // already ended
    }
    this.#stream = undefined;
    this.#failure = 'closed';
    this.#failedAt = Number.POSITIVE_INFINITY;
  }
}
