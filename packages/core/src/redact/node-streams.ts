/**
 * Node's sockets and outgoing requests, as an error holds them (axios' `request`, a `socket` an
 * HTTP client kept): walked key by key they were thousands of nodes of listeners, buffers and
 * internal state (an axios error's record was 20 kB, its `request` and socket half of it, and
 * the budget they took could cut the upstream's answer). The walk (snapshot.ts) writes them as
 * their class and the few fields that say which call it was.
 */
import { Socket } from 'node:net';
import { Readable, Stream } from 'node:stream';
import { safeGet, typeLabel } from '../safe-access.js';

/** The fields that say which call a request or socket served, when they are plain values. */
const SUMMARY_FIELDS = [
  'method',
  'protocol',
  'host',
  'path',
  'url',
  'statusCode',
  'remoteAddress',
  'remotePort',
  'localAddress',
  'localPort',
] as const;

/**
 * True for a socket, or a stream that is not readable (`ClientRequest`, `ServerResponse`,
 * follow-redirects' request): written as {@link streamSummary}. A readable one (an
 * `IncomingMessage`: its status and `rawHeaders`) is walked as before; its socket is cut so.
 */
export function isCutStream(value: object): boolean {
  try {
    return value instanceof Stream && (!(value instanceof Readable) || value instanceof Socket);
  } catch {
    // A Proxy whose `getPrototypeOf` trap throws: walked as any object.
    return false;
  }
}

/** The class of a stream {@link isCutStream} cuts, and those of its {@link SUMMARY_FIELDS} that are strings or numbers. */
export function streamSummary(value: object): Record<string, unknown> {
  const out: Record<string, unknown> = { '[type]': typeLabel(value) };
  for (const key of SUMMARY_FIELDS) {
    const field = safeGet(value, key);
    if (typeof field === 'string' || typeof field === 'number') out[key] = field;
  }
  return out;
}
