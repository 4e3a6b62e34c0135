/**
 * A sink over a Node `Writable` that reports each write's completion through its callback (a
 * rotating file from rotating-file-stream: its callback fires once the file handle took the
 * bytes). A line counts as written when its callback succeeds; a failed callback loses it with
 * the error's code. Lines go to the stream one at a time: a Writable hands the lines it buffered
 * to one `_writev` with one callback for all, so a disk that filled up inside the batch failed
 * every line of it, those already in the file too. A Writable that failed (or closed) is dead, so
 * the sink makes a new one through its factory, at most every {@link REOPEN_INTERVAL_MS};
 * meanwhile lines are lost with the failure's code. The factory may be asynchronous (the stream's
 * library is loaded on first use): while it opens, lines wait within the backlog bound. A
 * Writable cannot be flushed synchronously: at exit, the lines it holds or waits to be given are
 * counted `unconfirmed` (settled if their callback comes after all), lines still waiting for it
 * to open are lost as `shutdown`; at the hand-over to the worker, lines not given to it go to the
 * worker's copy instead. A stream whose file was removed or
 * replaced under it (`stale`, checked at most every `pathCheck.everyMs`) is ended and made anew.
 */
import type { Writable } from 'node:stream';
import { CountingSink } from './counting-sink.js';
import { pathCheck, REOPEN_INTERVAL_MS } from './fd-target.js';
import { errorCode, type Line } from './sink.js';

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
  /** Lines not given to the stream yet (it is opening, or has a line in hand). */
  #waiting: Line[] = [];
  /** The line the stream has in hand (its callback not come yet), and that stream. */
  #sending: Line | undefined;
  #sendingTo: Writable | undefined;
  #giving = false;
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
      return;
    }
    stream.on('error', (failure: unknown) => this.#fail(failure, stream));
    // Destroyed without an error, it failed every later write, and was never made anew.
    stream.on('close', () => this.#fail({ code: 'ERR_STREAM_DESTROYED' }, stream));
    this.#failure = undefined;
    this.#stream = stream;
    this.#next();
  }

  /**
   * The stream made by the factory failed (`undefined`: none could be made): lines waiting for it
   * are lost with the failure's code, like those written until it is made anew. A stream already
   * replaced (ended as stale) settles its own lines and says nothing of the new one.
   */
  #fail(error: unknown, stream: Writable | undefined): void {
    if (stream !== undefined && this.#stream !== stream) return;
    this.#failure = errorCode(error);
    this.#failedAt = Date.now();
    this.#stream = undefined;
    // A stream destroyed mid-write may never call that write back: it would hold the next stream.
    const inHand = this.#sending;
    if (inHand !== undefined && stream !== undefined && this.#sendingTo === stream)
      this.#settle(inHand, error as Error);
    for (const line of this.#waiting.splice(0)) this.#settle(line, error as Error);
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
    this.#waiting.push(line);
    this.#next();
  }

  /** True while the stream has a line in hand: the hand-over waits for it before the worker writes. */
  get writing(): boolean {
    return this.#sending !== undefined;
  }

  /** Gives the stream the oldest waiting line when it has none in hand. */
  #next(): void {
    if (this.#giving) return;
    this.#giving = true;
    try {
      while (this.#stream !== undefined && this.#sending === undefined && this.#waiting.length > 0) {
        const line = this.#waiting.shift() as Line;
        this.#sending = line;
        this.#sendingTo = this.#stream;
        this.#send(this.#stream, line);
      }
    } finally {
      this.#giving = false;
    }
  }

  /**
   * At the hand-over: the lines not given to the stream yet, for the worker's copy (closed with
   * them, this sink lost them as `shutdown` mid-life). A line the stream took stays: it writes it
   * as it ends.
   */
  protected override unsent(): Line[] {
    const lines = this.#waiting.splice(0);
    for (const line of lines) this.#pending.delete(line);
    return lines;
  }

  /** Lines this thread's copy handed over go out first, in order (before any line of its own). */
  protected override putFirst(lines: Line[]): void {
    for (const line of lines) this.#pending.add(line);
    this.#waiting = lines.concat(this.#waiting);
    this.#next();
  }

  /**
   * Hands `line` to `stream`. A failed write means a dead stream (a Writable destroys itself on
   * one): it fails at once, before the next line goes to it and fails as ERR_STREAM_DESTROYED.
   */
  #send(stream: Writable, line: Line): void {
    const failed = (error: unknown) => {
      this.#fail(error, stream);
      this.#settle(line, error as Error);
    };
    try {
      stream.write(line.bytes, (error) =>
        error === null || error === undefined ? this.#settle(line, error) : failed(error),
      );
    } catch (error) {
      failed(error);
    }
  }

  #settle(line: Line, error: Error | null | undefined): void {
    if (!this.#pending.delete(line)) return;
    if (this.#sending === line) this.#sending = undefined;
    this.held -= line.bytes.length;
    if (this.#unconfirmed.delete(line)) this.counter.lose(line, 'unconfirmed', -1);
    if (error === null || error === undefined) this.counter.accept(line);
    else this.counter.lose(line, errorCode(error));
    this.#next();
  }

  flushSync(_deadlineMs: number): void {
    // The stream writes what it is given as it ends (a close while the process goes on).
    const stream = this.#stream;
    if (stream !== undefined) for (const line of this.#waiting.splice(0)) this.#send(stream, line);
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
