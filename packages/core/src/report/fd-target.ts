/**
 * The descriptor an fd sink writes to: one it was given (stdout), or a path it opens for
 * appending without ever blocking, opened again (at most every {@link REOPEN_INTERVAL_MS}) while
 * it cannot be, with the reason it cannot.
 */
import { closeSync, constants, openSync } from 'node:fs';
import { errorCode } from './sink.js';

/** How often a destination that could not be opened is tried again. */
export const REOPEN_INTERVAL_MS = 5000;

/**
 * Opens `path` for appending, never blocking. A FIFO nobody reads blocked a plain open until a
 * reader came (start-up hung, SIGTERM with it) and every write once its reader stopped reading
 * (the exit flush past its deadline, a process that never ended). Non-blocking, a FIFO without a
 * reader fails with ENXIO (counted lost, opened again later) and a full one answers EAGAIN, which
 * the writes bound. A regular file ignores the flag.
 */
export function openAppend(path: string): number {
  const { O_WRONLY, O_APPEND, O_CREAT, O_NONBLOCK } = constants;
  return openSync(path, O_WRONLY | O_APPEND | O_CREAT | (O_NONBLOCK ?? 0), 0o666);
}

/** A descriptor (`-1` while there is none), the path to open it from, and why it is not open. */
export class FdTarget {
  #fd: number;
  readonly #ownsFd: boolean;
  readonly #path: string | undefined;
  #openError: string | undefined;
  #lastOpenAttempt = Date.now();

  /** `ownsFd`: closed by {@link close} (a descriptor it opened); `path`: opened again when `fd` is -1. */
  constructor(fd: number, ownsFd: boolean, path: string | undefined, openError: string | undefined) {
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#path = path;
    this.#openError = openError;
  }

  /** The descriptor, `-1` while there is none. */
  get fd(): number {
    return this.#fd;
  }

  /** Why the destination cannot be opened (`EACCES`, `ENXIO`…), while it cannot. */
  get openError(): string | undefined {
    return this.#openError;
  }

  /**
   * Opens the path again when there is no descriptor and the interval has passed since the last
   * try; true when it opened now.
   */
  reopen(): boolean {
    const path = this.#path;
    if (this.#fd >= 0 || path === undefined || Date.now() - this.#lastOpenAttempt < REOPEN_INTERVAL_MS) return false;
    this.#lastOpenAttempt = Date.now();
    try {
      this.#fd = openAppend(path);
      this.#openError = undefined;
      return true;
    } catch (error) {
      this.#openError = errorCode(error);
      return false;
    }
  }

  /** Lets go of the descriptor (closed if it was opened here); a path may open it again later. */
  close(): void {
    if (this.#ownsFd && this.#fd >= 0) {
      try {
        closeSync(this.#fd);
      } catch {
        // already closed
      }
    }
    this.#fd = -1;
  }
}
