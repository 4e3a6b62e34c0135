/**
 * Turning `ReporterOptions.destination` into a sink: a path or descriptor becomes an
 * {@link FdSink}; `rotatingFile()` builds a size-rotated file with a cap on total disk use
 * (rotating-file-stream, loaded only when `rotatingFile()` is called); a `Sink` (e.g.
 * `syslogTls()`) is used as is. A path that cannot be opened never stops start-up. Faultline's
 * own destinations carry their description ({@link sinkSpec}), so a worker thread can open the
 * same destination on its side.
 */
import { basename, dirname, join } from 'node:path';
import type { Writable } from 'node:stream';
import { isMainThread } from 'node:worker_threads';
import { makeDirectory } from '../make-dir.js';
import { checkOptions, OptionsError } from '../options-check.js';
import { FdSink } from './fd-sink.js';
import { namesOpenFile } from './fd-target.js';
import { ROTATING_FILE_RULES } from './option-rules.js';
import { wholeWrites } from './rotating-writes.js';
import type { Sink } from './sink.js';
import { type SinkSpec, withSpec } from './sink-spec.js';
import { sayCannotOpen } from './stderr-notice.js';
import { StreamSink } from './stream-sink.js';
import { SyslogTlsSink } from './syslog/tls-sink.js';
import { mendFile } from './torn-line.js';

/** Options of {@link rotatingFile}. */
export interface RotatingFileOptions {
  /**
   * The active file's path; rotated files sit beside it, named by when they were rotated
   * (`20250101-1200-01-app.log`…), with the list of them in `app.log.txt`.
   */
  readonly path: string;
  /** Rotate when the file reaches this many bytes (default 10 MiB). */
  readonly maxFileBytes?: number;
  /** Keep at most this many rotated files (default 10). */
  readonly maxFiles?: number;
  /** Cap on the total bytes of rotated files: the oldest are removed beyond it (default 100 MiB). */
  readonly maxTotalBytes?: number;
  /** Bytes held in memory while the file is slow (default 4 MiB). */
  readonly maxBacklogBytes?: number;
}

/** A size-rotated log file with a cap on total disk use, counted like every Faultline sink. */
export function rotatingFile(options: RotatingFileOptions): Sink {
  checkOptions('rotatingFile', options, ROTATING_FILE_RULES);
  if (options?.path === undefined) throw new OptionsError('rotatingFile', 'path', 'is required');
  return withSpec(openRotatingFile(options), { kind: 'rotating-file', options: { ...options } });
}

function openRotatingFile(options: RotatingFileOptions): Sink {
  const directory = dirname(options.path);
  const name = basename(options.path);
  return new StreamSink(
    async () => {
      const { createStream } = await import('rotating-file-stream');
      makeDirectory(directory);
      // A file cut inside a line (a full disk failed the last stream) ends it before the next record.
      mendFile(join(directory, name));
      const stream = createStream(name, {
        path: directory,
        size: `${Math.max(1, Math.floor((options.maxFileBytes ?? 10 * 1024 * 1024) / 1024))}K`,
        maxFiles: options.maxFiles ?? 10,
        maxSize: `${Math.max(1, Math.floor((options.maxTotalBytes ?? 100 * 1024 * 1024) / 1024))}K`,
      });
      wholeWrites(stream);
      return stream;
    },
    options.maxBacklogBytes ?? 4 * 1024 * 1024,
    (stream) => movedFrom(stream, join(directory, name)),
  );
}

/**
 * True when the file a rotating-file-stream has open is no longer the one at `path` (the file or
 * its directory removed or renamed): the library writes on into it until its size rotates it, if
 * ever. Its open file is its `file` handle; closed (mid-rotation) or not found, false.
 */
function movedFrom(stream: Writable, path: string): boolean {
  const fd = (stream as { file?: { fd?: unknown } }).file?.fd;
  return typeof fd === 'number' && fd >= 0 && !namesOpenFile(path, fd);
}

/**
 * Node's own getters of `process.stdout` and `process.stderr`, kept when this module loads: an
 * application that puts a stream of its own there later (`Object.defineProperty(process,
 * 'stdout', …)`) leaves fd 1 without Node's stream, so a pipe on it stayed blocking.
 */
const stdioGetters: Readonly<Record<number, (() => unknown) | undefined>> = isMainThread
  ? {
      1: Object.getOwnPropertyDescriptor(process, 'stdout')?.get,
      2: Object.getOwnPropertyDescriptor(process, 'stderr')?.get,
    }
  : {};

/**
 * fd 1 and 2 inherited as pipes stay blocking until Node opens its stdio stream on them, which
 * makes a pipe non-blocking. Opened here, a full pipe answers EAGAIN, so the exit flush keeps its
 * deadline; left blocking, one `writeSync` waited for as long as the reader did (5.7 s behind a
 * reader asleep for 6 s). The flag belongs to the pipe, so the worker's writes share it. Node's
 * stream is opened through Node's own getter: through an application's replacement of
 * `process.stdout` (a stream without the descriptor), the pipe stayed blocking and a SIGTERM
 * with a reader that stopped reading never ended the process.
 */
function nonBlockingStdio(fd: number): void {
  if (!isMainThread || (fd !== 1 && fd !== 2)) return;
  try {
    const own = stdioGetters[fd];
    if (own !== undefined) void (own.call(process) as { fd?: unknown } | undefined)?.fd;
    else void (fd === 1 ? process.stdout : process.stderr).fd;
  } catch {
    // no stdio stream: writes keep their own bounds
  }
}

function openTarget(target: string | number, maxBacklog: number): FdSink {
  if (typeof target === 'number') {
    nonBlockingStdio(target);
    return new FdSink(target, { maxBacklogBytes: maxBacklog, ownsFd: false });
  }
  try {
    makeDirectory(dirname(target));
  } catch {
    // the open reports it
  }
  return FdSink.open(target, maxBacklog);
}

/**
 * The sink for a path or descriptor (stdout when `undefined`). When a path cannot be opened
 * (EACCES, ENOTDIR, EROFS…) the fallback is used if given, the failure is said once on stderr,
 * and the service keeps running: records are counted lost until the path opens.
 */
export function openSink(
  destination: string | number | undefined,
  fallback: string | number | undefined,
  maxBacklog: number,
): Sink {
  const spec: SinkSpec = { kind: 'fd', target: destination ?? 1, fallback };
  const primary = openTarget(destination ?? 1, maxBacklog);
  if (primary.openError === undefined) return withSpec(primary, spec);
  sayCannotOpen(primary.openError, fallback !== undefined);
  return withSpec(fallback === undefined ? primary : openTarget(fallback, maxBacklog), spec);
}

/**
 * Opens the destination `spec` describes (on a worker thread), quietly: the thread that made the
 * spec already said anything worth saying on stderr.
 */
export function openSpec(spec: SinkSpec, maxBacklog: number): Sink {
  switch (spec.kind) {
    case 'fd': {
      const primary = openTarget(spec.target, maxBacklog);
      return primary.openError === undefined || spec.fallback === undefined
        ? primary
        : openTarget(spec.fallback, maxBacklog);
    }
    case 'rotating-file':
      return openRotatingFile(spec.options);
    case 'syslog-tls':
      return new SyslogTlsSink({ ...spec.options, allowTls12Quietly: true });
  }
}

/** Bytes a stream holds in memory waiting for the OS (a Sink, Writable or SonicBoom), 0 when unknown. */
export function backlogBytes(stream: unknown): number {
  if (typeof stream !== 'object' || stream === null) return 0;
  const s = stream as { writableLength?: unknown; _len?: unknown; backlogBytes?: unknown };
  if (typeof s.backlogBytes === 'number') return s.backlogBytes;
  if (typeof s.writableLength === 'number') return s.writableLength;
  if (typeof s._len === 'number') return s._len;
  return 0;
}
