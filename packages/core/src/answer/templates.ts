/**
 * Pre-serialized responses. For each code definition the JSON around the correlation id is
 * serialized once; a response is then two string concatenations. Because the id is always a
 * 36-character UUID, the body of a given code has a constant length (unless field violations or a
 * trace id are added).
 */

import type { Fault } from '../fault.js';
import type { CodeDefinition } from '../fault-error.js';
import { interpolate } from '../public-params.js';
import { TAXONOMY } from '../taxonomy.js';
import { isLastCanonical } from '../uuid.js';

/** Optional parts of a rendered body. */
export interface RenderOptions {
  /** W3C trace id (32 lowercase hex, not all zeros); anything else is left out. */
  readonly traceId?: string | undefined;
  /** A translation tag of the code's definition (see `pickLocale`); other values are ignored. */
  readonly locale?: string | undefined;
}

interface CodeTemplates {
  /** `{"type":…,"request_id":"` (the id's opening quote included: one concatenation less per body). */
  readonly problemHead: string;
  /** `{"error":{"status":…,"request_id":"` */
  readonly envelopeHead: string;
}

const cache = new WeakMap<CodeDefinition, CodeTemplates>();

function build(definition: CodeDefinition): CodeTemplates {
  const spec = TAXONOMY[definition.category];
  const problem = JSON.stringify({
    type: definition.type,
    title: spec.title,
    status: spec.http,
    detail: definition.message,
    code: definition.code,
    request_id: '',
  });
  const envelope = JSON.stringify({
    error: { status: spec.http, code: definition.code, message: definition.message, request_id: '' },
  });
  return {
    problemHead: problem.slice(0, -2),
    envelopeHead: envelope.slice(0, -3),
  };
}

function templatesFor(definition: CodeDefinition): CodeTemplates {
  let templates = cache.get(definition);
  if (templates === undefined) {
    templates = build(definition);
    cache.set(definition, templates);
  }
  return templates;
}

const TRACE_ID = /^[0-9a-f]{32}$/;
const ZERO_TRACE_ID = '0'.repeat(32);

/** True for a trace id that may be shown: 32 lowercase hex digits, not all zero. */
export function isShowableTraceId(traceId: unknown): traceId is string {
  return typeof traceId === 'string' && TRACE_ID.test(traceId) && traceId !== ZERO_TRACE_ID;
}

function extras(fault: Fault, options: RenderOptions | undefined): string {
  let out = '';
  if (options?.traceId !== undefined && isShowableTraceId(options.traceId)) out += `,"trace_id":"${options.traceId}"`;
  if (fault.fieldViolations.length > 0) {
    out += `,"errors":${JSON.stringify(fault.fieldViolations.map((v) => ({ pointer: v.pointer, detail: v.detail })))}`;
  }
  return out;
}

/** Per ASCII code: 1 for a hex digit (either case) or `-`. */
const HEX_OR_DASH = new Uint8Array(128);
for (const c of '0123456789abcdefABCDEF-') HEX_OR_DASH[c.charCodeAt(0)] = 1;

/**
 * True when every character of `id` is a hex digit or `-` (nothing a JSON string would escape).
 * Without a branch per character: an id's random hex mispredicted them (measured on UUIDs).
 */
function isHexOrDash(id: string): boolean {
  let bad = 0;
  for (let i = 0; i < id.length; i += 1) {
    const c = id.charCodeAt(i);
    bad |= (c >>> 7) | ((HEX_OR_DASH[c & 127] as number) ^ 1);
  }
  return bad === 0;
}

/** Splices a correlation id into a template; ids are UUIDs (no escaping needed), anything else is re-encoded. */
export function idLiteral(id: string): string {
  return isLastCanonical(id) || (id.length === 36 && isHexOrDash(id)) ? id : JSON.stringify(id).slice(1, -1);
}

/** The translation to use, when `options.locale` names one the code defines. */
function translationOf(fault: Fault, options: RenderOptions | undefined) {
  const locale = options?.locale;
  return locale === undefined ? undefined : fault.definition.translations?.[locale];
}

/**
 * The body of a fault with public parameters or a translation: serialized in full (such bodies
 * vary with their values, so they have no template). `params` is added as an extension member.
 */
function renderFull(fault: Fault, options: RenderOptions | undefined, envelope: boolean): string {
  const translation = translationOf(fault, options);
  const message = translation === undefined ? fault.message : interpolate(translation.message, fault.params);
  const title = translation?.title ?? fault.title;
  const tail: Record<string, unknown> = {};
  if (options?.traceId !== undefined && isShowableTraceId(options.traceId)) tail.trace_id = options.traceId;
  if (fault.fieldViolations.length > 0)
    tail.errors = fault.fieldViolations.map((v) => ({ pointer: v.pointer, detail: v.detail }));
  if (Object.keys(fault.params).length > 0) tail.params = fault.params;
  if (envelope) {
    return JSON.stringify({
      error: { status: fault.status, code: fault.code, message, request_id: fault.id, ...tail },
    });
  }
  return JSON.stringify({
    type: fault.type,
    title,
    status: fault.status,
    detail: message,
    code: fault.code,
    request_id: fault.id,
    ...tail,
  });
}

function needsFull(fault: Fault, options: RenderOptions | undefined): boolean {
  return fault.definition.params !== undefined || translationOf(fault, options) !== undefined;
}

/**
 * RFC 9457 problem details (`application/problem+json`):
 * `{"type","title","status","detail","code","request_id"[,"trace_id"][,"errors"][,"params"]}`.
 */
export function renderProblem(fault: Fault, options?: RenderOptions): string {
  if (needsFull(fault, options)) return renderFull(fault, options, false);
  const head = templatesFor(fault.definition).problemHead;
  const more = extras(fault, options);
  // The common body is two concatenations (head + id + closing), the floor of a spliced template.
  return more === '' ? head + idLiteral(fault.id) + PROBLEM_CLOSE : `${head}${idLiteral(fault.id)}"${more}}`;
}

const PROBLEM_CLOSE = '"}';
const ENVELOPE_CLOSE = '"}}';

/** The envelope format (`application/json`): `{"error":{"status","code","message","request_id"[,…]}}`. */
export function renderEnvelope(fault: Fault, options?: RenderOptions): string {
  if (needsFull(fault, options)) return renderFull(fault, options, true);
  const head = templatesFor(fault.definition).envelopeHead;
  const more = extras(fault, options);
  return more === '' ? head + idLiteral(fault.id) + ENVELOPE_CLOSE : `${head}${idLiteral(fault.id)}"${more}}}`;
}

/** The bytes sent when even rendering failed: static, no id, always valid JSON. */
export const FALLBACK_PROBLEM_BODY =
  '{"type":"about:blank","title":"Internal Server Error","status":500,"detail":"An internal error occurred.","code":"INTERNAL"}';
