/**
 * The two kinds of body a fetch-like `Response` exposes, behind one pull-and-stop interface: a
 * WHATWG `ReadableStream` (fetch in browsers, Node, Deno, Bun, workers) and an async iterable of
 * bytes (a Node.js `Readable`: node-fetch, `node:http`). Stopping a source cancels the stream or
 * destroys the `Readable`, which releases the connection; nothing a hostile or closed body does
 * while stopping escapes.
 */

/** The part of a fetch `Response` body the reader uses (a WHATWG `ReadableStream`). */
export interface BodyStreamLike {
  /** A reader of the body's bytes (the WHATWG `ReadableStream` reader). */
  getReader(): {
    /** The next chunk, or `done`. */
    read(): Promise<{ done: boolean; value?: Uint8Array | undefined }>;
    /** Stops reading; the rest of the body is discarded. */
    cancel(reason?: unknown): Promise<void>;
  };
}

/** One step of a source: a chunk (anything; only bytes are read), or the end. */
export type BodyStep = { readonly done?: boolean | undefined; readonly value?: unknown };

/** A body being read: the next step, and a way to stop (idempotent, never throws). */
export interface BodySource {
  next(): Promise<BodyStep>;
  stop(): void;
}

/** Calls `action`, ignoring whatever it throws or rejects with (a hostile or already-closed body). */
function quietly(action: () => unknown): void {
  try {
    Promise.resolve(action()).catch(() => undefined);
  } catch {
    // nothing more to do
  }
}

/** True when `value` has a callable member `name` (read once, inside a guard by the caller). */
function callable(value: unknown, name: PropertyKey): boolean {
  return (
    typeof value === 'object' && value !== null && typeof (value as Record<PropertyKey, unknown>)[name] === 'function'
  );
}

/**
 * The source of `body`, or undefined when it is neither a WHATWG stream nor an async iterable (or
 * cannot be opened: locked, already read). May throw on a hostile body; the caller guards it.
 */
export function bodySource(body: unknown): BodySource | undefined {
  if (callable(body, 'getReader')) {
    const reader = (body as BodyStreamLike).getReader();
    return { next: () => reader.read(), stop: () => quietly(() => reader.cancel()) };
  }
  if (callable(body, Symbol.asyncIterator)) {
    const iterator = (body as AsyncIterable<unknown>)[Symbol.asyncIterator]();
    return {
      next: () => iterator.next(),
      stop: () => {
        quietly(() => iterator.return?.());
        // A Node.js Readable: destroyed, so its socket is released even if `return` did not.
        if (callable(body, 'destroy')) quietly(() => (body as { destroy(): unknown }).destroy());
      },
    };
  }
  return undefined;
}

/** Stops a body that will not be read (cancels the stream, destroys the `Readable`); never throws. */
export function discardBody(response: { readonly body?: unknown }): void {
  try {
    bodySource(response.body)?.stop();
  } catch {
    // a body that cannot be opened: nothing to release
  }
}
