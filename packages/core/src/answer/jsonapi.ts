/**
 * JSON:API 1.1 error documents (`application/vnd.api+json`): `{"errors":[…]}` with one error
 * object for the fault and one per field violation, all sharing the request id as `id`. Each
 * object has only members the specification allows: `id`, `status` (a string), `code`, `title`,
 * `detail`, `source` (`pointer`, `parameter` or `header`), `links.type` (the code's documentation
 * URI, when it has one) and `meta` (the public params). A shown trace id goes in the document's
 * top-level `meta`, beside the errors it concerns.
 *
 * Like the other formats, everything around the id is serialized once per code; an answer is a
 * few concatenations.
 */

import type { Fault } from '../fault.js';
import type { CodeDefinition } from '../fault-error.js';
import type { FieldViolation } from '../field-violation.js';
import { interpolate } from '../public-params.js';
import { TAXONOMY } from '../taxonomy.js';
import { idLiteral, isShowableTraceId, type RenderOptions } from './templates.js';

interface JsonApiTemplate {
  /** `","status":"404","code":…,"title":…` (after the id). */
  readonly middle: string;
  /** `,"links":{"type":…}` or empty. */
  readonly links: string;
  /** The fault's own object after its id: middle, detail, links and the closing brace. */
  readonly mainTail: string;
  /** {@link JsonApiTemplate.mainTail} and the document's end: the tail of a body with nothing else. */
  readonly closedTail: string;
}

/** Start of every document, up to the first object's id. */
const DOCUMENT_HEAD = '{"errors":[{"id":"';

const cache = new WeakMap<CodeDefinition, JsonApiTemplate>();

/** The `links` member of a code: its documentation URI, left out for `about:blank`. */
function linksOf(type: string): string {
  return type === 'about:blank' ? '' : `,"links":${JSON.stringify({ type })}`;
}

function build(definition: CodeDefinition): JsonApiTemplate {
  const spec = TAXONOMY[definition.category];
  const middle = `","status":"${spec.http}","code":${JSON.stringify(definition.code)},"title":${JSON.stringify(spec.title)}`;
  const links = linksOf(definition.type);
  const mainTail = `${middle},"detail":${JSON.stringify(definition.message)}${links}}`;
  return { middle, links, mainTail, closedTail: `${mainTail}]}` };
}

function templateFor(definition: CodeDefinition): JsonApiTemplate {
  let template = cache.get(definition);
  if (template === undefined) {
    template = build(definition);
    cache.set(definition, template);
  }
  return template;
}

/** Query parameter names are written JSON:API style: `/query/page/size` is `page[size]`. */
function parameterName(segments: readonly string[]): string {
  const [first = '', ...rest] = segments;
  return first + rest.map((s) => `[${s}]`).join('');
}

/**
 * The `source` member for a violation's pointer: `/query/…` names a query parameter, `/headers/…`
 * a request header; anything else is a JSON Pointer into the request document (path parameters
 * keep their `/params/…` pointer). Pointers are already sanitised (safe segments only).
 */
export function jsonApiSource(pointer: string): { pointer: string } | { parameter: string } | { header: string } {
  const segments = pointer.split('/').slice(1);
  if (segments.length >= 2 && segments[0] === 'query') return { parameter: parameterName(segments.slice(1)) };
  if (segments.length === 2 && segments[0] === 'headers') return { header: segments[1] as string };
  return { pointer };
}

/** One error object per distinct violation (the schema requires the objects to be unique). */
function violationObjects(
  id: string,
  middle: string,
  links: string,
  meta: string,
  violations: readonly FieldViolation[],
) {
  let out = '';
  const seen = new Set<string>();
  for (const violation of violations) {
    const member = `,"detail":${JSON.stringify(violation.detail)},"source":${JSON.stringify(jsonApiSource(violation.pointer))}`;
    if (seen.has(member)) continue;
    seen.add(member);
    out += `,{"id":"${id}${middle}${member}${links}${meta}}`;
  }
  return out;
}

/** The document's top-level `meta` with a shown trace id, or nothing. */
function documentMeta(options: RenderOptions | undefined): string {
  return options?.traceId !== undefined && isShowableTraceId(options.traceId)
    ? `,"meta":{"trace_id":"${options.traceId}"}`
    : '';
}

/** A fault with params or a translation: its texts vary per answer, so the objects are serialized in full. */
function renderFull(fault: Fault, options: RenderOptions | undefined, id: string): string {
  const locale = options?.locale;
  const translation = locale === undefined ? undefined : fault.definition.translations?.[locale];
  const detail = translation === undefined ? fault.message : interpolate(translation.message, fault.params);
  const title = translation?.title ?? fault.title;
  const middle = `","status":"${fault.status}","code":${JSON.stringify(fault.code)},"title":${JSON.stringify(title)}`;
  const links = linksOf(fault.type);
  const meta = Object.keys(fault.params).length > 0 ? `,"meta":${JSON.stringify(fault.params)}` : '';
  const main = `{"id":"${id}${middle},"detail":${JSON.stringify(detail)}${links}${meta}}`;
  return `{"errors":[${main}${violationObjects(id, middle, links, meta, fault.fieldViolations)}]${documentMeta(options)}}`;
}

/**
 * A JSON:API error document for `fault`: the fault's own error object first (no `source`), then
 * one per field violation, every one with the request id as `id`.
 */
export function renderJsonApi(fault: Fault, options?: RenderOptions): string {
  const id = idLiteral(fault.id);
  const locale = options?.locale;
  if (fault.definition.params !== undefined || (locale !== undefined && fault.definition.translations?.[locale]))
    return renderFull(fault, options, id);
  const template = templateFor(fault.definition);
  const meta = documentMeta(options);
  // The common body (no violations, no trace id) is two concatenations.
  if (fault.fieldViolations.length === 0 && meta === '') return DOCUMENT_HEAD + id + template.closedTail;
  const violations =
    fault.fieldViolations.length === 0
      ? ''
      : violationObjects(id, template.middle, template.links, '', fault.fieldViolations);
  return `${DOCUMENT_HEAD}${id}${template.mainTail}${violations}]${meta}}`;
}
