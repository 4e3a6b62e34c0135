/**
 * Authenticated syslog: RFC 5424 messages over TLS (RFC 5425) with a client certificate, to
 * rsyslog, syslog-ng or any RFC 5425 receiver. The drain going down, hanging or refusing never
 * blocks the event loop or shutdown: lines wait in a bounded queue (over it they are lost as
 * `backlog`), the connection is retried with capped exponential backoff, a connect or handshake
 * that hangs times out, and a line counts as written once the TLS socket handed its bytes to the
 * kernel (syslog over TLS has no application acknowledgement: a receiver that dies with bytes in
 * its socket buffer loses them unseen; RELP would be needed to know). TLS 1.3 only by default (the
 * drain carries unredacted detail; 1.3 prevents downgrade); `allowTls12` admits an old receiver
 * and says so once on stderr. A receiver offering only TLS 1.2 is otherwise refused (its records
 * counted lost). Hand-written over `node:tls` rather than pino-socket/pino-syslog because those
 * run as transports in a worker, where the reporter cannot learn which records were accepted.
 * When the reporter's worker takes the destination, the lines not yet sent go to its copy. The
 * public `syslogTls` (options checked) is syslog-tls.ts.
 */
import type { TLSSocket } from 'node:tls';
import { CountingSink } from '../counting-sink.js';
import { errorCode, type Line } from '../sink.js';
import { sayUnreachable } from '../stderr-notice.js';
import { frame, type SyslogHeader, syslogHeader } from './rfc5424.js';
import { connectionOptions, type SyslogTlsOptions, warnTls12Once } from './tls-options.js';

/** Least time a closed connection gets to send what it holds before it is destroyed. */
const CLOSE_GRACE_MS = 1000;

/** node:tls, loaded by the first sink (an application without a syslog drain never loads it). */
let tls: Promise<typeof import('node:tls')> | undefined;

/** A `Sink` shipping records to a syslog receiver over mutually authenticated TLS. */
export class SyslogTlsSink extends CountingSink {
  readonly #options: SyslogTlsOptions;
  readonly #header: SyslogHeader;
  readonly #maxBacklog: number;
  #queue: Line[] = [];
  readonly #inFlight = new Set<Line>();
  readonly #unconfirmed = new Set<Line>();
  #socket: TLSSocket | undefined;
  #connected = false;
  #backoff: number;
  #timer: NodeJS.Timeout | undefined;
  #error: string | undefined = 'connecting';
  #closed = false;
  /** Lines put back at the head of the queue since the last send (they go back in order). */
  #requeued = 0;
  /** Whether the socket holds the process open (see {@link #hold}). */
  #holding = true;

  constructor(options: SyslogTlsOptions) {
    super(options.maxBacklogBytes ?? 4 * 1024 * 1024);
    if (options.allowTls12 === true && options.allowTls12Quietly !== true) warnTls12Once();
    this.#options = options;
    this.#header = syslogHeader(options.appName ?? 'faultline', options.facility);
    this.#maxBacklog = options.maxBacklogBytes ?? 4 * 1024 * 1024;
    this.#backoff = options.minBackoffMs ?? 100;
    tls ??= import('node:tls');
    tls.then(
      (module) => this.#connect(module.connect),
      (error) => this.#scheduleReconnect(errorCode(error)),
    );
  }

  get openError(): string | undefined {
    return this.#connected ? undefined : this.#error;
  }

  protected override encode(text: string): Buffer {
    return frame(text, this.#header, new Date(), this.#options.maxMessageBytes);
  }

  protected refusal(): string | undefined {
    return this.#closed ? 'closed' : undefined;
  }

  protected enqueue(line: Line): void {
    this.#queue.push(line);
    this.#pump();
    this.#hold();
  }

  /** At the hand-over: the lines not yet given to the socket, for the worker's copy. */
  protected override unsent(): Line[] {
    this.#requeued = 0;
    return this.#queue.splice(0);
  }

  /** Lines the response thread's copy handed over go out first, in order. */
  protected override putFirst(lines: Line[]): void {
    this.#queue = lines.concat(this.#queue);
    this.#pump();
    this.#hold();
  }

  /**
   * The connection holds the process open only while it has lines to send: idle, it kept a process
   * whose work was done alive forever (a script; a server whose own SIGTERM handler closed it).
   */
  #hold(): void {
    const socket = this.#socket;
    const busy = !this.#closed && (this.#queue.length > 0 || this.#inFlight.size > 0);
    if (socket === undefined || busy === this.#holding) return;
    this.#holding = busy;
    if (busy) socket.ref();
    else socket.unref();
  }

  #connect(connect: typeof import('node:tls').connect): void {
    if (this.#closed) return;
    let socket: TLSSocket;
    try {
      socket = connect(connectionOptions(this.#options));
    } catch (error) {
      this.#scheduleReconnect(errorCode(error));
      return;
    }
    this.#socket = socket;
    this.#holding = true;
    this.#hold();
    socket.setTimeout(this.#options.connectTimeoutMs ?? 5000, () => {
      if (!this.#connected) socket.destroy(Object.assign(new Error('connect timeout'), { code: 'ETIMEDOUT' }));
    });
    socket.once('secureConnect', () => {
      socket.setTimeout(0);
      const ready = () => {
        if (this.#socket !== socket || socket.destroyed) return;
        this.#connected = true;
        this.#error = undefined;
        this.#backoff = this.#options.minBackoffMs ?? 100;
        this.#pump();
      };
      if (socket.getProtocol() === 'TLSv1.3') setTimeout(ready, this.#options.handshakeGraceMs ?? 250).unref();
      else ready();
    });
    socket.on('drain', () => this.#pump());
    // A receiver never sends on this channel: discard anything it does send.
    socket.on('data', () => undefined);
    socket.on('error', (error) => {
      this.#error = errorCode(error);
    });
    socket.on('close', () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#connected = false;
      this.#scheduleReconnect(this.#error ?? 'disconnected');
    });
  }

  #scheduleReconnect(reason: string): void {
    this.#error = reason;
    if (this.#closed || this.#timer !== undefined) return;
    sayUnreachable(reason);
    const max = this.#options.maxBackoffMs ?? 30_000;
    const delay = Math.min(this.#backoff, max);
    // Doubled from 1 ms at least: from a `minBackoffMs` of 0 it stayed 0 (hundreds of connects a second).
    this.#backoff = Math.min(Math.max(1, this.#backoff * 2), max);
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        void tls?.then((module) => this.#connect(module.connect));
      },
      delay * (0.75 + Math.random() * 0.5),
    );
    this.#timer.unref();
  }

  /** Hands queued lines to the socket until it asks to wait ('drain'). */
  #pump(): void {
    const socket = this.#socket;
    if (!this.#connected || socket === undefined) return;
    if (this.#queue.length > 0) this.#requeued = 0;
    while (this.#queue.length > 0 && !socket.writableNeedDrain) {
      const line = this.#queue.shift() as Line;
      this.held -= line.bytes.length;
      this.#inFlight.add(line);
      // Destroyed (a reset, a timeout, the exit's grace), the socket calls back the writes it still
      // held without an error (Node 20): those bytes never reached the kernel.
      socket.write(line.bytes, (error) => this.#settle(line, error ?? socket.destroyed));
    }
  }

  /**
   * A write's outcome (`failed`: an error, or `true` for a socket destroyed first): accepted, or
   * (socket gone before the kernel took it) back to the queue, in the order the lines were sent.
   */
  #settle(line: Line, failed: Error | boolean): void {
    if (!this.#inFlight.delete(line)) return;
    const givenUp = this.#unconfirmed.delete(line);
    if (failed === false) {
      if (givenUp) this.counter.lose(line, 'unconfirmed', -1);
      this.counter.accept(line);
    } else if (givenUp) {
      // the exit flush gave it up: it stays lost, never sent again
    } else if (this.#closed || this.held + line.bytes.length > this.#maxBacklog)
      this.counter.lose(line, this.#closed ? 'closed' : 'backlog');
    else {
      this.#queue.splice(this.#requeued++, 0, line);
      this.held += line.bytes.length;
    }
    this.#hold();
  }

  /**
   * Nothing can be sent synchronously over TLS: queued lines are lost as `shutdown`, in-flight ones
   * `unconfirmed`. A receiver that stopped reading never takes them, and a socket with writes
   * pending holds the process open (unref'd or not): still pending after {@link CLOSE_GRACE_MS},
   * the connection is dropped, so a process that ends by emptying its loop still ends.
   */
  flushSync(_deadlineMs: number): void {
    for (const line of this.#queue.splice(0)) this.counter.lose(line, 'shutdown');
    this.held = 0;
    for (const line of this.#inFlight) {
      if (this.#unconfirmed.has(line)) continue;
      this.#unconfirmed.add(line);
      this.counter.lose(line, 'unconfirmed');
    }
    this.#hold();
    const socket = this.#socket;
    if (this.#unconfirmed.size === 0 || socket === undefined) return;
    const givenUp = [...this.#unconfirmed];
    setTimeout(() => {
      if (givenUp.some((line) => this.#inFlight.has(line))) socket.destroy();
    }, CLOSE_GRACE_MS).unref();
  }

  drained(timeoutMs: number): Promise<void> {
    return this.idle(() => this.#queue.length > 0 || this.#inFlight.size > 0, timeoutMs, 5);
  }

  /**
   * Ends the connection. A receiver that stopped reading never completes the TLS close, and its
   * socket would keep the process alive forever: the socket stops holding the process at once and
   * is destroyed after `deadlineMs` (at least {@link CLOSE_GRACE_MS}).
   */
  close(deadlineMs: number): void {
    this.flushSync(deadlineMs);
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const socket = this.#socket;
    if (socket === undefined) return;
    socket.end();
    socket.unref();
    setTimeout(() => socket.destroy(), Math.max(deadlineMs, CLOSE_GRACE_MS)).unref();
  }
}
