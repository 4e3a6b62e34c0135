/** What a target sent back to one probe, on any protocol, and the checks every answer gets. */
import { excerpt, type Finding, leakKey } from './findings.js';
import { readableText } from './readable.js';
import { SIGNATURES } from './signatures.js';

/** One answer, protocol-neutral: what a client could read. */
export interface Answer {
  /** HTTP status, gRPC code, or WebSocket close code (0 when none). */
  readonly status: number;
  /** The reason phrase of an HTTP/1.1 status line, when it has one (a client can read it too). */
  readonly reason?: string;
  /** Header-like fields (HTTP headers, gRPC metadata/trailers), lower-case names. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body, details, frames or close reason as text. */
  readonly body: string;
}

/** What the probe knows about the request that produced an answer. */
export interface ProbeContext {
  readonly probe: string;
  readonly location: string;
  /** A unique string the probe put in its request; seeing it again means reflection. */
  readonly marker?: string;
  /** The hostile X-Request-ID the probe sent, if any. */
  readonly hostileId?: string;
  /** The request was malformed or hostile: a 2xx answer is itself a finding. */
  readonly expectError?: boolean;
  /** HTTP-style answer: header checks apply. */
  readonly http?: boolean;
}

/** Error media types a client can parse: problem JSON (RFC 9457), JSON:API, plain JSON. */
const ERROR_MEDIA_TYPE = /^application\/(?:problem\+json|vnd\.api\+json|json)\s*(?:;|$)/i;

/** The first match of `pattern` in `text` that overlaps none of `spans` and is not the probe's own input. */
function firstOwnMatch(
  pattern: RegExp,
  text: string,
  spans: readonly [number, number][],
  marker: string | undefined,
): RegExpExecArray | undefined {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  let checked = 0;
  for (let match = global.exec(text); match !== null && checked < 50; match = global.exec(text)) {
    checked += 1;
    if (match[0].length === 0) global.lastIndex += 1;
    const start = match.index;
    const end = start + match[0].length;
    if (spans.some(([a, b]) => start < b && end > a)) continue;
    if (marker !== undefined && match[0].includes(marker)) continue;
    return match;
  }
  return undefined;
}

/** Where every match of `pattern` lies in `text` (at most 50): a stack is one problem, all its frames included. */
function allSpans(pattern: RegExp, text: string): [number, number][] {
  const global = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags : `${pattern.flags}g`);
  const spans: [number, number][] = [];
  for (let match = global.exec(text); match !== null && spans.length < 50; match = global.exec(text)) {
    if (match[0].length === 0) global.lastIndex += 1;
    spans.push([match.index, match.index + match[0].length]);
  }
  return spans;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Everything a client can read of `answer`, as one text. */
export function visibleText(answer: Answer): string {
  const headers = Object.entries(answer.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  return `${answer.status}${answer.reason ? ` ${answer.reason}` : ''}\n${headers}\n\n${answer.body}`;
}

/**
 * The findings of one answer: leak signatures, reflection, error headers, request id, status.
 * Each problem is reported once, under its true kind: a match that overlaps a stronger signature's
 * match (a path inside a stack frame, an address inside a connection error) is not reported again,
 * and a match containing the probe's own marker is the probe's input coming back (reflection).
 */
export function checkAnswer(answer: Answer, ctx: ProbeContext): Finding[] {
  const found: Finding[] = [];
  // The answer with its JSON, HTML and percent escapes undone (they only hide what a reader sees),
  // then what was escaped twice or base64-encoded, decoded.
  const text = readableText(visibleText(answer));
  const seen = new Set<string>();
  const spans: [number, number][] = [];
  for (const signature of SIGNATURES) {
    if (seen.has(signature.rule)) continue;
    const subsumedBy = signature.subsumedBy;
    if (subsumedBy !== undefined && [...seen].some((rule) => rule.startsWith(subsumedBy))) continue;
    const match = firstOwnMatch(signature.pattern, text, spans, ctx.marker);
    if (match === undefined) continue;
    seen.add(signature.rule);
    spans.push(...allSpans(signature.pattern, text));
    found.push({
      rule: signature.rule,
      severity: signature.severity,
      message: `The answer contains a ${signature.description}.`,
      probe: ctx.probe,
      location: ctx.location,
      evidence: excerpt(text, match.index, match[0].length),
      key: leakKey(signature.rule, match[0], ctx.marker),
    });
  }
  if (ctx.marker !== undefined && text.includes(ctx.marker)) {
    found.push({
      rule: 'reflect/input',
      severity: 'medium',
      message: "The answer reflects the probe's own hostile input.",
      probe: ctx.probe,
      location: ctx.location,
      evidence: excerpt(text, text.indexOf(ctx.marker), ctx.marker.length),
    });
  }
  if (ctx.http === true && answer.status >= 400) found.push(...errorHeaderFindings(answer, ctx));
  if (ctx.http === true && ctx.expectError === true && answer.status >= 200 && answer.status < 300) {
    found.push({
      rule: 'status/ok-for-error',
      severity: 'low',
      message: `A malformed or hostile request was answered ${answer.status}.`,
      probe: ctx.probe,
      location: ctx.location,
    });
  }
  return found;
}

function errorHeaderFindings(answer: Answer, ctx: ProbeContext): Finding[] {
  const found: Finding[] = [];
  // Messages are fixed text: what the target sent goes only into the evidence (an excerpt).
  const add = (rule: string, severity: Finding['severity'], message: string, evidence?: string) =>
    found.push({
      rule,
      severity,
      message,
      probe: ctx.probe,
      location: ctx.location,
      ...(evidence ? { evidence } : {}),
    });
  if ((answer.headers['x-content-type-options'] ?? '').toLowerCase() !== 'nosniff')
    add('headers/nosniff', 'low', 'An error answer lacks X-Content-Type-Options: nosniff.');
  if (!/no-store/i.test(answer.headers['cache-control'] ?? ''))
    add('headers/no-store', 'low', 'An error answer may be cached (no Cache-Control: no-store).');
  const type = answer.headers['content-type'] ?? '';
  if (!ERROR_MEDIA_TYPE.test(type))
    add(
      'headers/content-type',
      'low',
      `An error answer is ${type === '' ? 'untyped' : 'typed otherwise'}, not problem JSON, JSON:API or JSON.`,
      type === '' ? undefined : excerpt(type, 0, type.length),
    );
  const id = answer.headers['x-request-id'];
  if (id === undefined) add('id/missing', 'low', 'An error answer carries no X-Request-ID.');
  else if (ctx.hostileId !== undefined && id.includes(ctx.hostileId.slice(0, 12)))
    add('id/reflected', 'medium', 'The hostile X-Request-ID sent by the probe came back.');
  else if (!UUID.test(id)) add('id/not-uuid', 'low', 'The X-Request-ID of an error answer is not a UUID.');
  return found;
}
