/**
 * Comparisons across answers: error bodies whose length varies within one status, a forbidden
 * resource against a missing one (`--forbidden`), and on discovered collections small ids (which
 * likely exist) against large ones (which do not): an error that tells them apart is an
 * existence oracle.
 */
import type { Answer } from '../answer.js';
import type { Finding } from '../findings.js';
import type { HttpClient } from './client.js';

/** Error bodies of one status whose lengths differ: several codes share the status, or the body carries request-specific text. */
export function lengthVariance(errors: readonly { answer: Answer; probe: string }[]): Finding[] {
  const byStatus = new Map<number, Set<number>>();
  for (const { answer } of errors) {
    const lengths = byStatus.get(answer.status) ?? new Set<number>();
    lengths.add(Buffer.byteLength(answer.body));
    byStatus.set(answer.status, lengths);
  }
  const found: Finding[] = [];
  for (const [status, lengths] of byStatus) {
    if (lengths.size > 1)
      found.push({
        rule: 'oracle/length-varies',
        severity: 'info',
        message: `Error bodies with status ${status} vary in length (${[...lengths]
          .sort((a, b) => a - b)
          .slice(0, 12)
          .join(', ')} bytes): several codes share the status, or the body carries request-specific text.`,
        probe: 'http (all)',
        location: `status ${status}`,
      });
  }
  return found;
}

/** What a client can tell apart in two answers: status, media type, and body length once the ids and UUIDs are taken out. */
function shape(answer: Answer, id: string): string {
  const body = answer.body
    .split(id)
    .join('')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '');
  return `${answer.status} ${(answer.headers['content-type'] ?? '').split(';')[0]} ${Buffer.byteLength(body)}`;
}

/** A forbidden resource answered differently from a missing one tells a client it exists. */
export async function forbiddenOracle(client: HttpClient, forbidden: string): Promise<Finding[]> {
  const marker = client.run.marker;
  const a = await client.send({ name: 'existence-oracle', request: { method: 'GET', path: forbidden } });
  const b = await client.send({ name: 'existence-oracle', request: { method: 'GET', path: `/${marker}-missing` } });
  if (a === undefined || b === undefined) return [];
  const differs = shape(a, forbidden) !== shape(b, `/${marker}-missing`);
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

const SMALL = ['1', '2', '3'];
const LARGE = ['987654321', '999999999'];

/**
 * On `collection` (a path such as `/api/accounts`), ids 1–3 against two large ids: when a small
 * id is refused (4xx other than 404) while the large ones share another answer, a client learns
 * which ids exist without being allowed to see them.
 */
export async function collectionOracle(client: HttpClient, collection: string): Promise<Finding[]> {
  const base = collection.replace(/\/$/, '');
  const large: Answer[] = [];
  for (const id of LARGE) {
    const answer = await client.send({ name: 'existence-oracle', request: { method: 'GET', path: `${base}/${id}` } });
    if (answer === undefined) return [];
    large.push(answer);
  }
  const [first, second] = large as [Answer, Answer];
  const missing = shape(first, LARGE[0] as string);
  // The large ids must agree with each other, or there is nothing stable to compare with.
  if (missing !== shape(second, LARGE[1] as string) || first.status < 400) return [];
  for (const id of SMALL) {
    const answer = await client.send({ name: 'existence-oracle', request: { method: 'GET', path: `${base}/${id}` } });
    if (answer === undefined || answer.status < 400 || answer.status === 404 || answer.status >= 500) continue;
    if (shape(answer, id) === missing) continue;
    return [
      {
        rule: 'oracle/existence',
        severity: 'medium',
        message: `${base}/${id} is refused (${answer.status}, ${Buffer.byteLength(answer.body)} bytes) while a missing id answers ${first.status} (${Buffer.byteLength(first.body)} bytes): a client learns which ids exist.`,
        probe: 'http existence-oracle',
        location: `GET ${base}/{id}`,
      },
    ];
  }
  return [];
}
