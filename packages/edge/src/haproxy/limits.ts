/**
 * HAProxy's request buffer and the limits answered in the application's shape. HAProxy 2.6 parses
 * a request only when it fits in `tune.bufsize - tune.maxrewrite` and has at most
 * `tune.http.maxhdr` header lines; anything larger gets its built-in HTML 400 before any rule runs.
 * So the buffer is made larger than the limits, and the limits are checked by rules that answer
 * 414 and 431 with the gateway pages.
 */
import { fail } from '../fail.js';
import { checkInteger } from '../validate.js';

/** The request limits of the generated HAProxy configuration. */
export interface HaproxyLimits {
  /** `tune.bufsize` in bytes (16384-1048576). Memory: up to two buffers per active stream. */
  readonly bufferSize: number;
  /** `tune.http.maxhdr`: most header lines parsed (1-32767); more get HAProxy's built-in 400. */
  readonly maxHeaderCount: number;
  /** Longest URL (request target) answered normally; longer is answered 414. */
  readonly maxUrlBytes: number;
  /** Largest header block; larger is answered 431. */
  readonly maxHeaderBytes: number;
}

/** Space `tune.maxrewrite` keeps free in each buffer for header rewrites (set explicitly). */
export const MAX_REWRITE = 1024;

/**
 * The defaults: a 128 KiB buffer (a 100 KB URL or header block is still parsed, then answered 414
 * or 431), 1000 header lines, URLs up to 8 KiB and headers up to 16 KiB (Node's own limit, so the
 * gateway refuses what the service would).
 */
export const DEFAULT_HAPROXY_LIMITS: HaproxyLimits = {
  bufferSize: 131_072,
  maxHeaderCount: 1000,
  maxUrlBytes: 8192,
  maxHeaderBytes: 16_384,
};

/** The limits with defaults filled in, checked (throws naming the value). */
export function haproxyLimits(given: Partial<HaproxyLimits>): HaproxyLimits {
  const limits = { ...DEFAULT_HAPROXY_LIMITS, ...given };
  checkInteger('buffer size', limits.bufferSize, 16_384, 1_048_576);
  checkInteger('max header count', limits.maxHeaderCount, 1, 32_767);
  checkInteger('max URL size', limits.maxUrlBytes, 256, 1_048_576);
  checkInteger('max header size', limits.maxHeaderBytes, 1024, 1_048_576);
  const needed = limits.maxUrlBytes + limits.maxHeaderBytes + MAX_REWRITE;
  if (limits.bufferSize < needed)
    fail(
      'buffer size',
      limits.bufferSize,
      `at least the max URL size ${limits.maxUrlBytes} + the max header size ${limits.maxHeaderBytes} + ${MAX_REWRITE} = ${needed}`,
    );
  return limits;
}

/** The `global` tuning lines. */
export function tuneLines(limits: HaproxyLimits): string[] {
  return [
    `  tune.bufsize ${limits.bufferSize}`,
    `  tune.maxrewrite ${MAX_REWRITE}`,
    `  tune.http.maxhdr ${limits.maxHeaderCount}`,
  ];
}
