/**
 * Static documentation pages, one per code, so a `type` URI such as
 * `https://docs.example.com/errors/order-not-found` can be served as is: title, status on each
 * protocol, the generic message, what the client can do, retryable or not. Plus an index and a
 * gRPC view (ErrorInfo reason and domain per code) for gRPC clients.
 */
import type { Category } from '@faultline/core/adapter';
import { OpenApiInputError } from './checks.js';
import { type CatalogLike, type DocumentedCode, documentedCodes } from './codes.js';

/** What a client can do about each category: the advice on its pages. */
const ADVICE: Readonly<Record<Category, string>> = {
  validation: 'Fix the request: the listed fields (JSON Pointers, or BadRequest field paths on gRPC) say where.',
  unauthenticated: 'Authenticate: send valid credentials, or refresh an expired token, then retry.',
  forbidden: 'Do not retry: the credentials are valid but not allowed to do this.',
  not_found: 'Check the identifier; the resource does not exist or is not visible to you.',
  method_not_allowed: 'Use one of the methods in the Allow header.',
  not_acceptable:
    'Accept a media type the service sends; a JSON:API service refuses application/vnd.api+json with parameters other than profile.',
  conflict: 'Reload the resource and retry with its current state; on gRPC ABORTED, the same request may succeed.',
  precondition_failed: 'Reload the resource: a condition of the request no longer holds.',
  payload_too_large: 'Send less: split the request or reduce its size.',
  unsupported_media_type: 'Send a supported content type (for example application/json).',
  request_timeout: 'Send the request again, completely and faster.',
  uri_too_long: 'Shorten the URI: move parameters into the request body.',
  header_fields_too_large: 'Send fewer or smaller headers (cookies included).',
  rate_limited: 'Slow down: wait for Retry-After (RetryInfo on gRPC) before retrying.',
  cancelled: 'The request was cancelled (by the client or a deadline); retry if it is still needed.',
  internal: 'Not your request: quote the request id to the service operators. Retrying rarely helps.',
  not_implemented: 'The operation does not exist on this server.',
  bad_gateway: 'An upstream failed: retry idempotent requests with backoff.',
  unavailable: 'Retry later, after Retry-After (RetryInfo on gRPC), with backoff.',
  timeout: 'Retry idempotent requests with backoff; the operation took too long.',
};

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function page(title: string, body: string): string {
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>\n<meta name="viewport" content="width=device-width, initial-scale=1">\n<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}code{background:#f4f4f4;padding:0 .2rem}</style>\n</head><body>\n${body}\n</body></html>\n`;
}

function codePage(code: DocumentedCode, domain: string): string {
  return page(
    `${code.code}: ${code.title}`,
    `<h1><code>${escapeHtml(code.code)}</code></h1>
<p>${escapeHtml(code.message)}</p>
<table>
<tr><th>Category</th><td>${escapeHtml(code.category)}</td></tr>
<tr><th>HTTP</th><td>${code.http} ${escapeHtml(code.title)}</td></tr>
<tr><th>gRPC</th><td>${code.grpc} ${escapeHtml(code.grpcName)} (ErrorInfo reason <code>${escapeHtml(code.code)}</code>, domain <code>${escapeHtml(domain)}</code>)</td></tr>
<tr><th>WebSocket</th><td>close ${code.wsClose} with reason <code>${escapeHtml(code.code)} &lt;request_id&gt;</code> when fatal, else an error frame</td></tr>
<tr><th>Retryable</th><td>${code.retryable ? 'yes, for idempotent requests, with backoff' : 'no'}</td></tr>
</table>
<h2>What you can do</h2>
<p>${escapeHtml(ADVICE[code.category])}</p>
<p>Every answer carries a request id (<code>request_id</code>, <code>X-Request-ID</code>, gRPC <code>x-request-id</code>): quote it when you report a problem.</p>
<p><a href="./">All codes</a></p>`,
  );
}

/**
 * The pages: `<slug>.html` per code, `index.html`, and `grpc.html` (the gRPC view). `domain` is
 * the ErrorInfo domain of the service's gRPC statuses. Throws `OpenApiInputError` when two codes
 * would share a page (their `type` URIs end in the same segment, or one ends in the kebab-case
 * name of another code), or a code's page would be `index.html` or `grpc.html`: one page would
 * silently replace the other.
 */
export function docsPages(
  catalogs: readonly CatalogLike[] = [],
  options: { title?: string; domain?: string } = {},
): Map<string, string> {
  const codes = documentedCodes(catalogs);
  const domain = options.domain ?? 'faultline';
  const title = options.title ?? 'Error codes';
  const pages = new Map<string, string>();
  const owners = new Map<string, string>([
    ['index', 'the index'],
    ['grpc', 'the gRPC view'],
  ]);
  for (const code of codes) {
    const owner = owners.get(code.slug);
    if (owner !== undefined) {
      throw new OpenApiInputError(
        `code ${code.code}: its page ${code.slug}.html is already ${owner}'s (type ${code.type}).`,
      );
    }
    owners.set(code.slug, code.code);
    pages.set(`${code.slug}.html`, codePage(code, domain));
  }
  const rows = codes
    .map(
      (c) =>
        `<tr><td><a href="${escapeHtml(c.slug)}.html"><code>${escapeHtml(c.code)}</code></a></td><td>${c.http}</td><td>${escapeHtml(c.grpcName)}</td><td>${c.wsClose}</td><td>${escapeHtml(c.message)}</td></tr>`,
    )
    .join('\n');
  pages.set(
    'index.html',
    page(
      title,
      `<h1>${escapeHtml(title)}</h1>\n<table><tr><th>Code</th><th>HTTP</th><th>gRPC</th><th>WS close</th><th>Message</th></tr>\n${rows}\n</table>\n<p><a href="grpc.html">gRPC view</a></p>`,
    ),
  );
  const grpcRows = codes
    .map(
      (c) =>
        `<tr><td><code>${escapeHtml(c.code)}</code></td><td>${c.grpc} ${escapeHtml(c.grpcName)}</td><td><code>${escapeHtml(domain)}</code></td><td>${c.retryable ? 'yes' : 'no'}</td></tr>`,
    )
    .join('\n');
  pages.set(
    'grpc.html',
    page(
      `${title}: gRPC`,
      `<h1>${escapeHtml(title)}: gRPC</h1>\n<p>Every failed call carries <code>grpc-status-details-bin</code>: a <code>google.rpc.Status</code> with ErrorInfo (reason = code, domain, metadata.requestId), RequestInfo, and BadRequest or RetryInfo where relevant.</p>\n<table><tr><th>ErrorInfo reason</th><th>Status</th><th>Domain</th><th>Retryable</th></tr>\n${grpcRows}\n</table>`,
    ),
  );
  return pages;
}
