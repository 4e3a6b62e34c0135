/**
 * The descriptor an fd sink writes to: one it was given (stdout), or a path it opens for
 * appending without ever blocking, opened again (at most every {@link REOPEN_INTERVAL_MS}) while
 * it cannot be, with the reason it cannot, and opened again at its path when the path no longer
 * names the open file ({@link FdTarget.follow}).
 */
import { closeSync, constants, fstatSync, openSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { makeDirectory } from '../make-dir.js';
import { errorCode } from './sink.js';

/** How often a destination that could not be opened is tried again. */
export const REOPEN_INTERVAL_MS = 5000;

/**
 * `everyMs`: most time between two checks that a path's descriptor is still the file at the path
 * (1 s); records written in between to a file removed meanwhile are counted written, yet are gone
 * with it. Mutable for core's own tests only (neither public entry exports it).
 */
export const pathCheck = { everyMs: 1000 };

/**
 * True when `path` names the file open on `fd` (same device and inode); false when nothing is at
 * the path, something else is, or a component of it is no longer a directory.
 */
export function namesOpenFile(path: string, fd: number): boolean {
  try {
    const atPath = statSync(path, { throwIfNoEntry: false });
    if (atPath === undefined) return false;
    const open = fstatSync(fd);
    return atPath.ino === open.ino && atPath.dev === open.dev;
  } catch (error) {
    // A path component that is no longer a directory: not the file. Anything else (EBADF is the
    // writes' to count; EACCES once the process dropped the rights it opened the file with) says
    // nothing of the file, and the descriptor that still writes is kept.
    return errorCode(error) !== 'ENOTDIR';
  }
}

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
  #lastPathCheck = Date.now();
  /** A descriptor let go while a write still used it, closed once it settled. */
  #closeLater: number | undefined;
  /** Whether {@link regularFile} found `fd` (the descriptor it looked at) a regular file. */
  #regular: { readonly fd: number; readonly is: boolean } | undefined;

  /** `ownsFd`: closed by {@link close} (a descriptor it opened); `path`: opened again when `fd` is -1. */
  constructor(fd: number, ownsFd: boolean, path: string | undefined, openError: string | undefined) {
    this.#fd = fd;
    this.#ownsFd = ownsFd;
    this.#path = path;
    this.#openError = openError;
  }

  /** The path the descriptor is opened from, if it was given one. */
  get path(): string | undefined {
    return this.#path;
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

  /**
   * True when the descriptor is a regular file, whose writes never stop inside a line but for a
   * failure (a full disk); a pipe, socket or terminal may take part of a write (looked at once per
   * descriptor).
   */
  get regularFile(): boolean {
    const fd = this.#fd;
    if (this.#regular?.fd !== fd) {
      let is = false;
      try {
        is = fd >= 0 && fstatSync(fd).isFile();
      } catch {
        // not open: nothing is written to it anyway
      }
      this.#regular = { fd, is };
    }
    return this.#regular.is;
  }

  /**
   * For a path this target opened: when the path no longer names the open file (the file or its
   * directory removed or renamed, a directory put in its place), closes the descriptor and opens
   * the path again, its directory made again, as at start-up; checked at most every
   * {@link pathCheck}. Written on, the old descriptor took every record as written into a file
   * nobody could read any more. True when the descriptor was let go (then `fd` is the new one, or
   * -1 with {@link openError} while the path cannot be opened, tried again like any open error).
   */
  follow(): boolean {
    const path = this.#path;
    if (path === undefined || !this.#ownsFd || this.#fd < 0) return false;
    const now = Date.now();
    if (now - this.#lastPathCheck < pathCheck.everyMs) return false;
    this.#lastPathCheck = now;
    if (namesOpenFile(path, this.#fd)) return false;
    this.close();
    try {
      makeDirectory(dirname(path));
    } catch {
      // the open says why
    }
    this.#lastOpenAttempt = 0;
    this.reopen();
    return true;
  }

  /**
   * Lets go of the descriptor (closed if it was opened here); a path may open it again later.
   * `inUse`: an asynchronous write still holds it, so it is closed only once that write settled
   * ({@link settled}). Closed at once, its number went to the next file or socket the process
   * opened, and the waiting write put the log line there.
   */
  close(inUse = false): void {
    if (this.#ownsFd && this.#fd >= 0) {
      if (inUse) this.#closeLater = this.#fd;
      else closeQuietly(this.#fd);
    }
    this.#fd = -1;
  }

  /** The asynchronous write settled: a descriptor let go meanwhile is closed now. */
  settled(): void {
    if (this.#closeLater === undefined) return;
    closeQuietly(this.#closeLater);
    this.#closeLater = undefined;
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed
  }
}
