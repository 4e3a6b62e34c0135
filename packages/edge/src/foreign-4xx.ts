/**
 * The pages replacing a backend's 4xx that is not JSON (or that carries another request id): the
 * page of the status's category as core classifies a foreign 4xx, with the backend's status kept.
 */
import { type Category, capture, faultOf, problemHeaders, renderBody, TAXONOMY } from '@faultline/core/adapter';
import { GATEWAY_ALLOW, type GatewayPageOptions, ID_PLACEHOLDER, pageFormat } from './pages.js';

/**
 * The category of a backend's 4xx status, as core classifies a foreign 4xx (an error carrying
 * `status`): 401 unauthenticated, 410 not_found, 428 precondition_failed, 499 cancelled, …, and
 * `validation` for a status it maps to nothing. The gateway and the application then agree.
 */
export function categoryOfForeign4xx(status: number): Category {
  return capture({ status }, { requestId: ID_PLACEHOLDER, requestIdTrusted: true }).category;
}

/** Stands for the status in a {@link Foreign4xxTemplate} (three characters, as a status). */
export const STATUS_PLACEHOLDER = '@S@';

/**
 * A category's page for a backend 4xx that is not JSON, with {@link STATUS_PLACEHOLDER} where the
 * status goes (in `head` or `tail`: JSON:API writes it after the id) and {@link ID_PLACEHOLDER}
 * split out as in {@link GatewayPage}.
 */
export interface Foreign4xxTemplate {
  readonly category: Category;
  readonly headers: Readonly<Record<string, string>>;
  readonly head: string;
  readonly tail: string;
}

/** A page for one backend 4xx status (the status kept, the category's code and message). */
export interface Foreign4xxPage extends Foreign4xxTemplate {
  readonly status: number;
  readonly body: string;
}

/** Every 4xx status, 400-499. */
export const CLIENT_STATUSES: readonly number[] = Array.from({ length: 100 }, (_, i) => 400 + i);

let foreignCategories: ReadonlyMap<number, Category> | undefined;

/**
 * {@link categoryOfForeign4xx} of every status in {@link CLIENT_STATUSES}, classified once (each
 * is a `capture`), for the templates, the pages and the nginx script of every rendering.
 */
export function foreign4xxCategories(): ReadonlyMap<number, Category> {
  foreignCategories ??= new Map(CLIENT_STATUSES.map((status) => [status, categoryOfForeign4xx(status)]));
  return foreignCategories;
}

/**
 * The templates of the pages replacing a backend 4xx that is not JSON, by category: the body the
 * gateway's page (or the application) sends for that category, with the status member set to the
 * backend's status (a 410 stays a 410 with `NOT_FOUND`, a 418 a 418 with `VALIDATION_FAILED`).
 * Headers as the gateway's pages: a 405's `Allow` is the gateway's list, a 401's
 * `WWW-Authenticate` core's default (`Bearer`), a 429's `Retry-After` the configured one; the
 * gateways keep the backend's own when it is well-formed.
 */
export function foreign4xxTemplates(options: GatewayPageOptions = {}): ReadonlyMap<Category, Foreign4xxTemplate> {
  const format = pageFormat(options);
  const categories = new Set(foreign4xxCategories().values());
  return new Map(
    [...categories].map((category) => {
      const fault = faultOf(category, { requestId: ID_PLACEHOLDER, requestIdTrusted: true });
      const { 'x-request-id': _id, ...headers } = problemHeaders(fault, format, {
        ...(options.rateLimitRetryAfter === undefined ? {} : { rateLimitRetryAfter: options.rateLimitRetryAfter }),
      });
      const parsed = JSON.parse(renderBody(fault, format, undefined)) as Record<string, unknown>;
      // The status member of each format: problem's and the envelope's a number, JSON:API's a string.
      const holder = (
        format === 'problem'
          ? parsed
          : format === 'envelope'
            ? parsed.error
            : (parsed.errors as Record<string, unknown>[])[0]
      ) as Record<string, unknown>;
      if (holder.status !== (format === 'jsonapi' ? String(TAXONOMY[category].http) : TAXONOMY[category].http))
        throw new Error(`faultline-edge: no status member in the ${format} body`);
      holder.status = STATUS_PLACEHOLDER;
      let body = JSON.stringify(parsed);
      if (format !== 'jsonapi') body = body.replace(`"${STATUS_PLACEHOLDER}"`, STATUS_PLACEHOLDER);
      const [head = '', tail = ''] = body.split(ID_PLACEHOLDER);
      const pageHeaders = category === 'method_not_allowed' ? { ...headers, allow: GATEWAY_ALLOW } : headers;
      return [category, { category, headers: pageHeaders, head, tail }];
    }),
  );
}

/** The page replacing a backend's `status` (400-499) that is not JSON. */
export function foreign4xxPage(templates: ReadonlyMap<Category, Foreign4xxTemplate>, status: number): Foreign4xxPage {
  const template = templates.get(foreign4xxCategories().get(status) as Category) as Foreign4xxTemplate;
  const head = template.head.replace(STATUS_PLACEHOLDER, String(status));
  const tail = template.tail.replace(STATUS_PLACEHOLDER, String(status));
  return { ...template, status, head, tail, body: `${head}${ID_PLACEHOLDER}${tail}` };
}
