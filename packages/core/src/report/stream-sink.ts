/**
 * A sink over a Node `Writable` that reports each write's completion through its callback (a
 * rotating file from rotating-file-stream: its callback fires once the file handle took the
 * bytes). A line counts as written when its callback succeeds; a failed callback loses it with
 * the error's code. A Writable that failed is dead (Node destroys it), so the sink makes a new one
 * through its factory, at most every {@link REOPEN_INTERVAL_MS}; meanwhile lines are lost with the
 * failure's code. A Writable cannot be flushed synchronously: at exit, lines it still holds are
 * counted `unconfirmed` (settled if their callback comes after all).
 */
import type { Writable } from 'node:stream';
import { REOPEN_INTERVAL_MS } from './fd-sink.js';
import { errorCode, type Line, type LineKind, type Sink, SinkCounter, type SinkCounts } from './sink.js';

/** A `Sink` writing to a `Writable` made by `factory`. */
export class StreamSink implements Sink {
  readonly #factory: () => Writable;
  readonly #maxBacklog: number;
  readonly #counter = new SinkCounter();
  /** Lines handed to the stream whose callback has not come yet. */
  readonly #pending = new Set<Line>();
  readonly #unconfirmed = new Set<Line>();
  #pendingBytes = 0;
  #stream: Writable | undefined;
  #failure: string | undefined;
  #failedAt = 0;

  constructor(factory: () => Writable, maxBacklogBytes: number) {
    this.#factory = factory;
    this.#maxBacklog = maxBacklogBytes;
    this.#stream = this.#create();
  }

  #create(): Writable | undefined {
    try {
      const stream = this.#factory();
      stream.on('error', (error: unknown) => this.#fail(error, stream));
      this.#failure = undefined;
      return stream;
    } catch (error) {
      this.#fail(error, undefined);
      return undefined;
    }
  }

  #fail(error: unknown, stream: Writable | undefined): void {
    this.#failure = errorCode(error);
    this.#failedAt = Date.now();
    if (stream !== undefined && this.#stream === stream) this.#stream = undefined;
  }

  #usable(): Writable | undefined {
    if (this.#stream !== undefined) return this.#stream;
    if (Date.now() - this.#failedAt < REOPEN_INTERVAL_MS) return undefined;
    this.#stream = this.#create();
    return this.#stream;
  }

  get openError(): string | undefined {
    return this.#failure;
  }

  get backlogBytes(): number {
    return this.#pendingBytes;
  }

  get counts(): SinkCounts {
    return this.#counter.snapshot(this.#pendingBytes);
  }

  tagNext(kind: LineKind, records = 1): void {
    this.#counter.tag(kind, records);
  }

  write(text: string): boolean {
    const line = this.#counter.line(text);
    const stream = this.#usable();
    if (stream === undefined) {
      this.#counter.lose(line, this.#failure ?? 'EBADF');
      return false;
    }
    if (this.#pendingBytes + line.bytes.length > this.#maxBacklog) {
      this.#counter.lose(line, 'backlog');
      return false;
    }
    this.#pending.add(line);
    this.#pendingBytes += line.bytes.length;
    try {
      stream.write(line.bytes, (error) => this.#settle(line, error));
    } catch (error) {
      this.#settle(line, error as Error);
    }
    return true;
  }

  #settle(line: Line, error: Error | null | undefined): void {
    if (!this.#pending.delete(line)) return;
    this.#pendingBytes -= line.bytes.length;
    if (this.#unconfirmed.delete(line)) this.#counter.lose(line, 'unconfirmed', -1);
    if (error === null || error === undefined) this.#counter.accept(line);
    else this.#counter.lose(line, errorCode(error));
  }

  flushSync(_deadlineMs: number): void {
    for (const line of this.#pending) {
      if (this.#unconfirmed.has(line)) continue;
      this.#unconfirmed.add(line);
      this.#counter.lose(line, 'unconfirmed');
    }
  }

  async drained(timeoutMs: number): Promise<void> {
    const until = Date.now() + timeoutMs;
    while (this.#pending.size > 0 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 2));
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
