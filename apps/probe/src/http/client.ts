/**
 * Sends the HTTP probes of one run, over HTTP/1.1 (raw socket) or HTTP/2 (one session, reopened
 * when a probe makes the server end it). Every request is counted by the budget, bounded by its
 * time and signal, and every answer gets the common checks; unparseable answers are findings.
 */
import type { ClientHttp2Session } from 'node:http2';
import { type Answer, checkAnswer } from '../answer.js';
import { type ProbeRun, reach } from '../context.js';
import { coverageFinding } from '../coverage.js';
import { watchGoaway } from './goaway.js';
import { exchangeH2, openSession } from './h2-request.js';
import { type Endpoint, type Exchange, exchange, type RawRequest } from './raw-request.js';
import { reachedRoute } from './reached.js';

/** One probe request: its name and what makes an answer to it suspicious. */
export interface HttpProbe {
  readonly name: string;
  readonly request: RawRequest;
  /** The request is malformed: a 2xx answer is a finding. */
  readonly malformed?: boolean;
  /** The hostile X-Request-ID sent, if any. */
  readonly hostileId?: string;
  /** HTTP/1.1: sent twice on one keep-alive connection, the second answer checked (HTTP/2 reuses its session anyway). */
  readonly twice?: boolean;
}

/** The largest header block Node's HTTP/2 client sends (its `maxSendHeaderBlockLength`, 64 KB, less a margin). */
const H2_HEADER_BLOCK = 60_000;

/** The bytes of `request`'s method, path and header fields, as an HTTP/2 header block carries them (uncompressed). */
function headerBytes(request: RawRequest): number {
  const fields = Object.entries(request.headers ?? {}).reduce((n, [name, value]) => n + name.length + value.length, 0);
  return request.method.length + request.path.length + fields;
}

/** The HTTP side of a run. */
export class HttpClient {
  /** Error answers, for the comparisons across answers. */
  readonly errors: { answer: Answer; probe: string }[] = [];
  #session: ClientHttp2Session | undefined;
  #opening: Promise<ClientHttp2Session | undefined> | undefined;
  /** HTTP/2: the locations of the requests in flight, and of the last one sent (a GOAWAY names them). */
  readonly #inFlight = new Map<number, string>();
  #lastSent = '';
  #nextId = 0;

  constructor(
    readonly run: ProbeRun,
    readonly endpoint: Endpoint,
    readonly http2: boolean,
  ) {}

  /** Sends `probe` and checks the answer; the answer, or undefined when none came (or nothing was sent). */
  async send(probe: HttpProbe): Promise<Answer | undefined> {
    const { budget } = this.run;
    // HTTP/2 cannot carry a path that is not a string (invalid UTF-8): such probes are not sent.
    if (this.http2 && typeof probe.request.path !== 'string') return undefined;
    // Node's HTTP/2 client refuses a header block over 64 KB itself (a 100 KB URL): such probes are not sent.
    if (this.http2 && headerBytes(probe.request) > H2_HEADER_BLOCK) return undefined;
    // HEAD goes over HTTP/1.1 only: an HTTP/2 server's HEAD stream ends with its head, and a handler
    // that then writes its body throws in the server (a crash the probe would have caused, not found).
    if (this.http2 && probe.request.method === 'HEAD') return undefined;
    // A Host field goes over HTTP/1.1 only: HTTP/2 names the authority in `:authority`, and a server may
    // reset a stream whose Host differs from it (unanswered, though nothing is wrong with the server).
    if (this.http2 && probe.request.headers?.host !== undefined) return undefined;
    // HTTP/1.0 is a version of its own: over HTTP/2 there is none to send.
    if (this.http2 && probe.request.http10 === true) return undefined;
    if (!budget.take()) return undefined;
    this.run.onProgress?.(`http ${probe.name}`);
    const location = `${probe.request.method} ${typeof probe.request.path === 'string' ? probe.request.path.slice(0, 100) : '<bytes>'}`;
    const id = this.#nextId++;
    this.#inFlight.set(id, location);
    this.#lastSent = location;
    const result = await this.#exchange(probe.request, probe.twice === true).finally(() => this.#inFlight.delete(id));
    budget.record(result.outcome);
    if (result.outcome === 'unparseable')
      this.run.findings.push({
        rule: 'protocol/unparseable',
        severity: 'medium',
        message: `The target answered with something that is not a bounded HTTP answer (${result.error ?? 'unparseable'}): a client cannot read its errors.`,
        probe: `http ${probe.name}`,
        location,
      });
    if (result.unscanned !== undefined)
      this.run.findings.push(coverageFinding(result.unscanned, `http ${probe.name}`, location));
    const answer = result.answer;
    if (answer === undefined) return undefined;
    const route = result.outcome === 'answered' ? reachedRoute(probe, answer, this.run.marker) : undefined;
    if (route !== undefined) reach(this.run, route);
    this.run.findings.push(
      ...checkAnswer(answer, {
        probe: `http ${probe.name}`,
        location,
        marker: this.run.marker,
        expectError: probe.malformed === true,
        http: true,
        ...(probe.hostileId === undefined ? {} : { hostileId: probe.hostileId }),
      }),
    );
    // An answer to HEAD has no body: its length says nothing about the error bodies it would be compared with.
    if (answer.status >= 400 && probe.request.method !== 'HEAD')
      this.errors.push({ answer, probe: `http ${probe.name}` });
    return answer;
  }

  async #exchange(request: RawRequest, twice: boolean): Promise<Exchange> {
    const options = { timeoutMs: this.run.budget.requestTimeout(), signal: this.run.budget.signal };
    if (!this.http2) return exchange(this.endpoint, request, twice ? { ...options, twice } : options);
    // A probe may make the server end the HTTP/2 session (oversized headers): open a new one.
    if (this.#session === undefined || this.#session.destroyed || this.#session.closed) {
      this.#opening ??= openSession(this.endpoint, options).then((session) => {
        // A GOAWAY's debug data is read on every session: it is checked at the requests then in flight.
        if (session !== undefined)
          watchGoaway(
            session,
            () => this.#locations(),
            this.run.marker,
            (found) => this.run.findings.push(...found),
          );
        return session;
      });
      this.#session = await this.#opening;
      this.#opening = undefined;
    }
    if (this.#session === undefined) return { answer: undefined, outcome: 'refused', error: 'ECONNREFUSED' };
    return exchangeH2(this.#session, request, options);
  }

  /** Where the requests in flight went, or the last one sent when none is (a GOAWAY after its answer). */
  #locations(): string[] {
    return this.#inFlight.size > 0 ? [...this.#inFlight.values()] : [this.#lastSent];
  }

  /** Ends the HTTP/2 session, if any. */
  close(): void {
    this.#session?.destroy();
  }
}
