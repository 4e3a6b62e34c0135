/** What a target sent back to one probe, on any protocol, and the checks every answer gets. */
import { excerpt, type Finding } from './findings.js';
import { SIGNATURES } from './signatures.js';

/** One answer, protocol-neutral: what a client could read. */
export interface Answer {
  /** HTTP status, gRPC code, or WebSocket close code (0 when none). */
  readonly status: number;
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-8][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/i;

/** Everything a client can read of `answer`, as one text. */
export function visibleText(answer: Answer): string {
  const headers = Object.entries(answer.headers)
    .map(([name, value]) => `${name}: ${value}`)
    .join('\n');
  return `${answer.status}\n${headers}\n\n${answer.body}`;
}

/** The findings of one answer: leak signatures, reflection, error headers, request id, status. */
export function checkAnswer(answer: Answer, ctx: ProbeContext): Finding[] {
  const found: Finding[] = [];
  const text = visibleText(answer);
  const seen = new Set<string>();
  for (const signature of SIGNATURES) {
    if (seen.has(signature.rule)) continue;
    const match = signature.pattern.exec(text);
    if (match === null) continue;
    seen.add(signature.rule);
    found.push({
      rule: signature.rule,
      severity: signature.severity,
      message: `The answer contains a ${signature.description}.`,
      probe: ctx.probe,
      location: ctx.location,
      evidence: excerpt(text, match.index, match[0].length),
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
  const add = (rule: string, severity: Finding['severity'], message: string) =>
    found.push({ rule, severity, message, probe: ctx.probe, location: ctx.location });
  if ((answer.headers['x-content-type-options'] ?? '').toLowerCase() !== 'nosniff')
    add('headers/nosniff', 'low', 'An error answer lacks X-Content-Type-Options: nosniff.');
  if (!/no-store/i.test(answer.headers['cache-control'] ?? ''))
    add('headers/no-store', 'low', 'An error answer may be cached (no Cache-Control: no-store).');
  const type = answer.headers['content-type'] ?? '';
  if (!/^application\/(?:problem\+)?json/i.test(type))
    add('headers/content-type', 'low', `An error answer is ${type === '' ? 'untyped' : type}, not problem JSON.`);
  const id = answer.headers['x-request-id'];
  if (id === undefined) add('id/missing', 'low', 'An error answer carries no X-Request-ID.');
  else if (ctx.hostileId !== undefined && id.includes(ctx.hostileId.slice(0, 12)))
    add('id/reflected', 'medium', 'The hostile X-Request-ID sent by the probe came back.');
  else if (!UUID.test(id)) add('id/not-uuid', 'low', 'The X-Request-ID of an error answer is not a UUID.');
  return found;
}
