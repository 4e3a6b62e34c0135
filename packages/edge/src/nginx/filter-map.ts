/**
 * The nginx maps that let the njs header filter (see `filter-script.ts`) pass at once an answer
 * that needs nothing of it: nginx matches the status, the type and the ids natively, so the filter
 * reads one variable where its full path looks up the status, headers and ids one by one.
 */
import { quoted } from './pages.js';

/** `text` as a regular expression matching it literally. */
function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The `map` blocks (http context) setting `$faultline_needs_filter`: empty when the header filter's
 * full path would change nothing, `1` otherwise. Empty for a status from 200 to 399, and for the
 * application's own error answer from 400 to 599 (its `Content-Type` exactly one of `jsonTypes`,
 * as the filter compares it, and this request's id in `X-Request-ID`), each without a `Link`
 * (`$sent_http_link` joins every Link header). nginx 1.22's variable of any other header reads the
 * first one only, which may be empty and hide a second: the filter looks up `Content-Location`,
 * `Refresh` and `WWW-Authenticate` itself. Every other
 * answer (a status the filter refuses, nginx's own error page, a foreign answer) takes the full
 * path. Volatile: the filter reads them once the answer's headers are there.
 */
export function nginxFilterMaps(jsonTypes: readonly string[]): string {
  const types = jsonTypes.map(literal).join('|');
  const own = jsonTypes.length === 0 ? '' : `\n  ${quoted(`~^(?:${types})\\|([^|]*)\\|\\1$`)} "";`;
  return `# The njs header filter's first test (faultline.js): empty when the answer needs nothing of it.
map "$sent_http_link" $faultline_rewritten_header {
  volatile;
  "" "";
  default 1;
}
map "$sent_http_content_type|$faultline_request_id|$upstream_http_x_request_id" $faultline_foreign_answer {
  volatile;${own}
  default 1;
}
map "$faultline_rewritten_header$status" $faultline_needs_filter {
  volatile;
  "~^[23][0-9][0-9]$" "";
  "~^[45][0-9][0-9]$" $faultline_foreign_answer;
  default 1;
}`;
}
