/**
 * A line cut in a log file: a write that stopped inside a line (a disk that filled up, a file
 * size limit) and whose rest then failed leaves part of a record with no newline. The next line
 * appended to that file was glued to it: one unreadable line, and a record counted written that no
 * reader of the file could parse. A newline written first ends the fragment on its own line.
 * The same holds for a file found ending inside a line when it is opened (an earlier process
 * killed mid-write, or one that ended with its disk still full).
 */
import { appendFileSync, closeSync, constants, fstatSync, openSync, readSync, statSync } from 'node:fs';

/** The byte that ends a cut line. */
export const NEWLINE: Buffer = Buffer.from('\n');

/**
 * True when `path` is a non-empty regular file whose last byte is not a newline; false when it
 * cannot be read or is anything else (a FIFO or a device is never opened for reading here).
 */
export function endsMidLine(path: string): boolean {
  let fd = -1;
  try {
    if (statSync(path, { throwIfNoEntry: false })?.isFile() !== true) return false;
    fd = openSync(path, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0));
    const stat = fstatSync(fd);
    if (!stat.isFile() || stat.size === 0) return false;
    const last = Buffer.alloc(1);
    return readSync(fd, last, 0, 1, stat.size - 1) === 1 && last[0] !== 0x0a;
  } catch {
    return false;
  } finally {
    if (fd >= 0) closeSync(fd);
  }
}

/** Ends with a newline a file at `path` found ending inside a line (never throws: a full disk keeps it cut). */
export function mendFile(path: string): void {
  try {
    if (endsMidLine(path)) appendFileSync(path, NEWLINE);
  } catch {
    // the writes that follow say why
  }
}

/**
 * Which descriptor's file ends inside a line, for a sink that writes lines to descriptors: it
 * marks the rest of a line a short write cut ({@link cut}), hears which lines were lost
 * ({@link lost}), and tells when the next write must start with a {@link NEWLINE}.
 */
export class TornLine {
  readonly #cuts = new WeakSet<object>();
  /** The descriptor whose file ends inside a line. */
  #fd: number | undefined;
  /** The descriptor last looked at by {@link opened}. */
  #seen: number | undefined;

  /**
   * `rest` is what is left of `line` after a write that took `wrote` bytes of it: the rest of a
   * cut line when some were written, or when `line` was already one.
   */
  cut(line: object, rest: object, wrote: number): void {
    if (wrote > 0 || this.#cuts.has(line)) this.#cuts.add(rest);
  }

  /** `lines` will never be written to `fd`: if one is the rest of a cut line, the file ends inside it. */
  lost(lines: readonly object[], fd: number): void {
    if (fd >= 0 && lines.some((line) => this.#cuts.has(line))) this.#fd = fd;
  }

  /** Looks once at the file `fd` was opened on at `path`: ending inside a line, it is mended first. */
  opened(fd: number, path: string | undefined): void {
    if (fd === this.#seen) return;
    this.#seen = fd;
    if (fd >= 0 && path !== undefined && endsMidLine(path)) this.#fd = fd;
  }

  /** True when the next bytes written to `fd` must be a newline. */
  pending(fd: number): boolean {
    return fd >= 0 && this.#fd === fd;
  }

  /** The descriptor was let go (a new one may get its number): nothing known of the next file yet. */
  reset(): void {
    this.#fd = undefined;
    this.#seen = undefined;
  }

  /** The newline was written. */
  mended(): void {
    this.#fd = undefined;
  }
}
