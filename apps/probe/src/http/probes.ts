/**
 * HTTP probes: malformed and truncated JSON, wrong content types, oversized body, headers and
 * URL, invalid UTF-8 and percent-encoding, traversal and unknown routes, method overrides, hostile
 * auth headers and request ids, type confusion in parameters. Each answer gets the common checks;
 * across answers, error bodies whose length varies within one status are reported, and with
 * `--forbidden` a forbidden resource is compared with a missing one (existence oracle).
 */
import { type Answer, checkAnswer, type ProbeContext } from '../answer.js';
import type { Finding } from '../findings.js';
import { exchangeH2, openSession } from './h2-request.js';
import { type Endpoint, exchange, type RawRequest } from './raw-request.js';

/** Probes whose request is malformed: a 2xx answer to them is a finding. */
const MALFORMED: ReadonlySet<string> = new Set([
  'malformed-json',
  'truncated-json',
  'wrong-content-type',
  'oversized-body',
  'oversized-header',
  'long-url',
  'bad-percent-encoding',
  'invalid-utf8',
]);

/** One HTTP probe. */
interface HttpProbe {
  readonly name: string;
  readonly request: RawRequest;
  readonly hostileId?: string;
}

/** The probes against `path` (a known route or the base), marked with `marker`. */
export function httpProbes(path: string, marker: string): HttpProbe[] {
  const base = path.endsWith('/') ? path.slice(0, -1) : path;
  const hostileId = `"}<script>${marker}</script>`;
  const json = { 'content-type': 'application/json' };
  return [
    {
      name: 'unknown-route',
      request: { method: 'GET', path: `${base}/${marker}/..%2f..%2fetc%2fpasswd?q=<script>${marker}` },
    },
    { name: 'traversal', request: { method: 'GET', path: `${base}/../../../../etc/passwd` } },
    { name: 'malformed-json', request: { method: 'POST', path: base || '/', headers: json, body: `{"${marker}": ` } },
    {
      name: 'truncated-json',
      request: { method: 'POST', path: base || '/', headers: json, body: '{"items":[{"qty":1},' },
    },
    {
      name: 'wrong-content-type',
      request: { method: 'POST', path: base || '/', headers: { 'content-type': 'text/xml' }, body: `<${marker}/>` },
    },
    {
      name: 'oversized-body',
      request: { method: 'POST', path: base || '/', headers: json, body: `{"a":"${'x'.repeat(2_000_000)}"}` },
    },
    {
      name: 'oversized-header',
      request: { method: 'GET', path: base || '/', headers: { 'x-probe-big': 'a'.repeat(24_000) } },
    },
    { name: 'long-url', request: { method: 'GET', path: `${base}/${'u'.repeat(100_000)}` } },
    { name: 'bad-percent-encoding', request: { method: 'GET', path: `${base}/%E0%A4%A${marker}` } },
    {
      name: 'invalid-utf8',
      request: { method: 'GET', path: Buffer.concat([Buffer.from(`${base}/`), Buffer.from([0xff, 0xfe, 0xc3])]) },
    },
    { name: 'null-byte', request: { method: 'GET', path: `${base}/%00${marker}` } },
    {
      name: 'method-override',
      request: { method: 'POST', path: base || '/', headers: { 'x-http-method-override': 'DELETE' } },
    },
    { name: 'odd-method', request: { method: 'PROPFIND', path: base || '/' } },
    {
      name: 'garbled-jwt',
      request: {
        method: 'GET',
        path: base || '/',
        headers: { authorization: `Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.${marker}` },
      },
    },
    {
      name: 'odd-basic-auth',
      request: {
        method: 'GET',
        path: base || '/',
        headers: { authorization: `Basic ${Buffer.from('\u00ff\u0000:\u00e9').toString('base64')}=` },
      },
    },
    {
      name: 'hostile-request-id',
      request: { method: 'GET', path: `${base}/${marker}`, headers: { 'x-request-id': hostileId } },
      hostileId,
    },
    {
      name: 'type-confusion',
      request: { method: 'GET', path: `${base}?id[]=1&id[$gt]=&limit=-1e309&sort[__proto__]=x` },
    },
  ];
}

/** Runs the HTTP probes against `paths` and returns the findings and how many requests were sent. */
export async function probeHttp(
  endpoint: Endpoint,
  paths: readonly string[],
  options: {
    marker: string;
    timeoutMs: number;
    forbidden?: string;
    http2?: boolean;
    onProgress?: (label: string) => void;
  },
): Promise<{ findings: Finding[]; sent: number; answered: number }> {
  const findings: Finding[] = [];
  const errors: { answer: Answer; probe: string }[] = [];
  let sent = 0;
  let answered = 0;
  let session = options.http2 === true ? await openSession(endpoint, options.timeoutMs) : undefined;
  const send = async (request: RawRequest) => {
    if (options.http2 !== true) return exchange(endpoint, request, options.timeoutMs);
    // A probe may make the server end the HTTP/2 session (oversized headers): open a new one.
    if (session === undefined || session.destroyed || session.closed)
      session = await openSession(endpoint, options.timeoutMs);
    return session === undefined
      ? { answer: undefined, error: 'ECONNREFUSED' }
      : exchangeH2(session, request, options.timeoutMs);
  };
  for (const path of paths) {
    for (const probe of httpProbes(path, options.marker)) {
      options.onProgress?.(`http ${probe.name}`);
      const { answer } = await send(probe.request);
      sent += 1;
      if (answer === undefined) continue;
      answered += 1;
      const location = `${probe.request.method} ${typeof probe.request.path === 'string' ? probe.request.path.slice(0, 80) : '<bytes>'}`;
      const ctx: ProbeContext = {
        probe: `http ${probe.name}`,
        location,
        marker: options.marker,
        // Only malformed requests must fail; a route may rightly ignore an unused auth header or query.
        expectError: MALFORMED.has(probe.name),
        http: true,
        ...(probe.hostileId === undefined ? {} : { hostileId: probe.hostileId }),
      };
      findings.push(...checkAnswer(answer, ctx));
      if (answer.status >= 400) errors.push({ answer, probe: ctx.probe });
    }
  }
  session?.close();
  findings.push(...lengthVariance(errors));
  if (options.forbidden !== undefined)
    findings.push(...(await existenceOracle(endpoint, options.forbidden, options.marker, options.timeoutMs)));
  return { findings, sent, answered };
}

/** Error bodies of one status whose lengths differ: the body carries request-specific text. */
function lengthVariance(errors: readonly { answer: Answer; probe: string }[]): Finding[] {
  const byStatus = new Map<number, Set<number>>();
  for (const { answer } of errors) {
    const lengths = byStatus.get(answer.status) ?? new Set<number>();
    // A UUID is the same length every time: variance beyond it is request-specific text.
    lengths.add(Buffer.byteLength(answer.body));
    byStatus.set(answer.status, lengths);
  }
  const found: Finding[] = [];
  for (const [status, lengths] of byStatus) {
    if (lengths.size > 1)
      found.push({
        rule: 'oracle/length-varies',
        severity: 'info',
        message: `Error bodies with status ${status} vary in length (${[...lengths].sort((a, b) => a - b).join(', ')} bytes): several codes share the status, or the body carries request-specific text.`,
        probe: 'http (all)',
        location: `status ${status}`,
      });
  }
  return found;
}

/** A forbidden resource answered differently from a missing one tells a client it exists. */
async function existenceOracle(
  endpoint: Endpoint,
  forbidden: string,
  marker: string,
  timeoutMs: number,
): Promise<Finding[]> {
  const a = (await exchange(endpoint, { method: 'GET', path: forbidden }, timeoutMs)).answer;
  const b = (await exchange(endpoint, { method: 'GET', path: `/${marker}-missing` }, timeoutMs)).answer;
  if (a === undefined || b === undefined) return [];
  const differs =
    a.status !== b.status ||
    Math.abs(Buffer.byteLength(a.body) - Buffer.byteLength(b.body)) > 0 ||
    (a.headers['content-type'] ?? '') !== (b.headers['content-type'] ?? '');
  return differs
    ? [
        {
          rule: 'oracle/existence',
          severity: 'medium',
          message: `A forbidden resource (${a.status}, ${Buffer.byteLength(a.body)} bytes) is distinguishable from a missing one (${b.status}, ${Buffer.byteLength(b.body)} bytes).`,
          probe: 'http existence-oracle',
          location: `GET ${forbidden}`,
        },
      ]
    : [];
}
