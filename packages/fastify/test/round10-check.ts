/**
 * The round 10 client and checks shared by the Fastify and Express tests: a node:http request
 * that reads the raw header lines (every `Set-Cookie`, every duplicate), and what is wrong with
 * its answer and with the log records under its id.
 */
import { request } from 'node:http';
import { TAXONOMY } from '@faultline/core';
import { round10HttpLeaks, UUID_V4 } from '@faultline/testkit';

/** An answer as node:http read it. */
export interface RawAnswer {
  readonly status: number;
  /** Raw header lines as `name: value`, in order. */
  readonly lines: readonly string[];
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: string;
}

/** Sends `method path` with `headers` and `body` to 127.0.0.1:`port`; rejects when no full answer comes in `timeoutMs`. */
export function send(
  port: number,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  timeoutMs = 10_000,
): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        text += chunk;
      });
      res.on('end', () => {
        clearTimeout(timer);
        const lines: string[] = [];
        for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
        resolve({ status: res.statusCode ?? 0, lines, headers: res.headers, body: text });
      });
      res.on('error', reject);
    });
    const timer = setTimeout(() => {
      req.destroy();
      reject(new Error(`${method} ${path} hung`));
    }, timeoutMs);
    req.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    req.end(body);
  });
}

/** The generic message of a status's category. */
const genericMessage = (status: number) => Object.values(TAXONOMY).find((spec) => spec.http === status)?.message;
/** The stable code of a status's category. */
const codeOf = (status: number) => Object.values(TAXONOMY).find((spec) => spec.http === status)?.code;

/** The records whose `request_id` is `id`. */
export const recordsOf = (records: readonly Record<string, unknown>[], id: unknown) =>
  records.filter((r) => r.request_id === id);

/**
 * What is wrong with `answer` (empty when right): not `status`, not problem JSON, a code or
 * detail other than the category's, an id that is no UUID v4 or differs between header and body,
 * a forbidden fragment anywhere, a `Set-Cookie` or `Location` header, another number of records
 * under the id than `faults` (one per fault), a record holding the 10 MB text unbounded, or one
 * of a carrier or an adapter's own ReferenceError instead of the value.
 */
export function answerProblems(
  answer: RawAnswer,
  status: number,
  records: readonly Record<string, unknown>[],
  faults = 1,
): string[] {
  let body: { code?: string; detail?: string; request_id?: string } = {};
  try {
    body = JSON.parse(answer.body) as typeof body;
  } catch {}
  const id = body.request_id;
  const logged = recordsOf(records, id);
  const names = answer.lines.map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
  const problems = [
    answer.status === status ? '' : `status ${answer.status}`,
    /^application\/problem\+json/.test(String(answer.headers['content-type'])) ? '' : 'content-type',
    body.code === codeOf(status) ? '' : `code ${body.code}`,
    body.detail === genericMessage(status) ? '' : `detail ${String(body.detail).slice(0, 80)}`,
    UUID_V4.test(id ?? '') && answer.headers['x-request-id'] === id ? '' : `id ${answer.headers['x-request-id']}/${id}`,
    names.includes('set-cookie') || names.includes('location') ? 'set-cookie or location header' : '',
    ...round10HttpLeaks(`${answer.status}\n${answer.lines.join('\n')}\n${answer.body}`).map((s) => `leaks ${s}`),
    logged.length === faults ? '' : `${logged.length} records`,
    logged.some((r) => JSON.stringify(r).length > 1_000_000) ? 'record over 1M chars' : '',
    // The record is the value's own: not a carrier's, nor an adapter's own failure.
    logged.some((r) => /carried past|ReferenceError/.test(JSON.stringify(r)))
      ? 'record of a carrier or a ReferenceError'
      : '',
  ].filter((p) => p !== '');
  return problems.length === 0 ? [] : [...problems, `body ${answer.body.slice(0, 160)}`];
}
