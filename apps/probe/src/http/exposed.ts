/**
 * Files and endpoints a deployment should never serve: an environment file, a Git checkout's
 * configuration, Spring Boot's actuator (its environment, and its index, which names a heap dump;
 * the heap dump itself is never asked for, as making the target dump its heap is not a probe's
 * business) and Apache's status page. A few GET requests, sent last in a run with discovery (a run
 * cut short by `--max-requests` loses them first). One is exposed only when answered 200 with its
 * telltale content: a 404, 401 or 403, and a single-page app's `index.html` answered for every
 * path, are not.
 */
import type { Answer } from '../answer.js';
import { excerpt, type Finding, type Severity } from '../findings.js';
import type { HttpClient } from './client.js';

/** One well-known location, what its content looks like and how serious serving it is. */
interface Exposed {
  readonly path: string;
  readonly what: string;
  readonly severity: Severity;
  /** Its telltale content; matched against the start of the body (the first 64 KB). */
  readonly telltale: RegExp;
  /** It is HTML by nature (a status page): an HTML answer is not a fallback page. */
  readonly html?: boolean;
}

/** The locations tried, in order. */
export const EXPOSED_LOCATIONS: readonly Exposed[] = [
  {
    path: '/.env',
    what: 'environment file',
    severity: 'high',
    // Its first setting (after comments): `DB_PASSWORD=…`, `export APP_KEY=…`.
    telltale: /^\uFEFF?(?:[ \t]*(?:#[^\n]*)?\r?\n)*[ \t]*(?:export[ \t]+)?[A-Za-z_][A-Za-z0-9_.]{0,64}[ \t]*=/,
  },
  {
    path: '/.git/config',
    what: "Git checkout's configuration",
    severity: 'high',
    telltale: /^\s*\[core\][^[]{0,512}\brepositoryformatversion\b/,
  },
  {
    path: '/actuator/env',
    what: "Spring Boot actuator's environment",
    severity: 'high',
    telltale: /"activeProfiles"\s*:\s*\[[^\]]{0,4096}\][\s\S]{0,4096}?"propertySources"\s*:/,
  },
  {
    path: '/actuator',
    what: 'Spring Boot actuator naming its heap dump or environment',
    severity: 'high',
    telltale: /"_links"\s*:\s*\{[\s\S]{0,8192}?"(?:heapdump|env|threaddump|configprops)"\s*:\s*\{\s*"href"/,
  },
  {
    path: '/server-status',
    what: "Apache's status page",
    severity: 'medium',
    telltale: /<title>Apache Status<\/title>|<h1>Apache Server Status for /,
    html: true,
  },
];

/** The rule of an exposed file or endpoint. */
export const EXPOSED_RULE = 'leak/exposed-file';

/** True when `answer` (to a GET of `location`'s path) is that file or endpoint served, not an error or a fallback page. */
export function isExposed(location: Exposed, answer: Answer): boolean {
  if (answer.status !== 200) return false;
  const type = answer.headers['content-type'] ?? '';
  if (location.html !== true && /\bhtml\b/i.test(type)) return false;
  return location.telltale.test(answer.body.slice(0, 65_536));
}

/**
 * Asks for each well-known location under `base` (stopping when the run's budget is spent) and
 * returns a finding for each one served.
 */
export async function exposedFiles(client: HttpClient, base: string): Promise<Finding[]> {
  const found: Finding[] = [];
  for (const location of EXPOSED_LOCATIONS) {
    if (client.run.budget.signal.aborted) break;
    const path = `${base}${location.path}`;
    const answer = await client.send({ name: 'exposed-file', request: { method: 'GET', path } });
    if (answer === undefined || !isExposed(location, answer)) continue;
    found.push({
      rule: EXPOSED_RULE,
      severity: location.severity,
      message: `The target serves its ${location.what}.`,
      probe: 'http exposed-file',
      location: `GET ${path}`,
      evidence: excerpt(answer.body, 0, 60),
    });
  }
  return found;
}
