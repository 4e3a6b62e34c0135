/**
 * ws's `verifyClient` hook, taken over by `fl.upgrade`. Left to ws, a refusal is answered by ws
 * itself (text/html, the application's message and headers verbatim, no id, nothing recorded);
 * the promise an async `verifyClient(info, cb)` returns is ignored (a rejection is unhandled and
 * kills the process); a one-parameter async `verifyClient(info)` is always a yes (its promise is
 * truthy); and the rest of the handshake runs inside the callback, where a throw (from
 * `handleProtocols`, a 'headers' listener) is uncaught. In its place ws gets a wrapper that only
 * ever says yes: a refusal, a throw or a rejection is answered as the adapter's other refused
 * upgrades are, and a promise is awaited for its verdict. A yes that comes once the server is
 * closing is refused here too (ws would answer it with its own text/html 503).
 */
import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import type { Duplex } from 'node:stream';
import { type Category, FaultError, isThenable, TAXONOMY } from '@faultline/core/adapter';
import type { WebSocketServer } from 'ws';
import { isClosing } from './handshake.js';

/** ws's callback to an async `verifyClient`. */
type Verdict = (result: boolean, code?: number, message?: string, headers?: OutgoingHttpHeaders) => void;
/** What ws hands `verifyClient`. */
interface VerifyInfo {
  readonly req: IncomingMessage;
}
type VerifyClient = (this: unknown, info: VerifyInfo, done?: Verdict) => unknown;

/** The wrappers installed, so a second adapter on the same server does not wrap one again. */
const wrappers = new WeakSet<object>();

/** The taxonomy's category of each 5xx status it has (500-504); another 5xx is `internal`. */
const SERVER_CATEGORIES: ReadonlyMap<number, Category> = new Map(
  (Object.entries(TAXONOMY) as [Category, { http: number }][])
    .filter(([, spec]) => spec.http >= 500)
    .map(([category, spec]) => [spec.http, category]),
);

/** True for a status a refusal may be answered with: an integer 400-599 (a number, never a string or object). */
function isErrorStatus(code: unknown): code is number {
  return typeof code === 'number' && Number.isInteger(code) && code >= 400 && code <= 599;
}

/**
 * A refusal as the thrown value, in the category of the status the application chose: any other
 * code (none, NaN, 99, 200, 302, 600, a string, an object) is ws's default, 401. A 4xx is an
 * http-errors-like error, so the classifier picks the category (one the taxonomy lacks is
 * `VALIDATION_FAILED`, 400); a 5xx is a `FaultError` of the taxonomy's 5xx category (another 5xx
 * is `INTERNAL`, 500), since a foreign error's 5xx is never trusted as one. The message goes to
 * the log, never to the client; of the headers, the answer keeps only what core allowlists (a
 * challenge's scheme and `error=` code on a 401, a method list on a 405, whole seconds of
 * `Retry-After` on a 429 or 503): any other header is the application's free text, which may name
 * hosts or hold tokens, and is written nowhere but the log.
 */
function refusal(code: unknown, message: unknown, headers: unknown): Error {
  const text = typeof message === 'string' && message !== '' ? message : 'verifyClient refused the upgrade';
  const status = isErrorStatus(code) ? code : 401;
  const own = typeof headers === 'object' && headers !== null ? headers : {};
  if (status >= 500) {
    const category = SERVER_CATEGORIES.get(status) ?? 'internal';
    return Object.assign(FaultError.of(category, { message: text, stack: false }), { headers: own });
  }
  return Object.assign(new Error(text), { status, expose: false, headers: own });
}

/**
 * Replaces `wss.options.verifyClient` (when set) with a wrapper that answers every refusal,
 * throw and rejection through `refuse` (the adapter's HTTP answer) and tells ws only yes.
 */
export function adoptVerifyClient(
  wss: WebSocketServer,
  refuse: (socket: Duplex, request: IncomingMessage, thrown: unknown) => unknown,
): void {
  const options = wss.options as { verifyClient?: unknown };
  const verify = options.verifyClient as VerifyClient | undefined;
  if (typeof verify !== 'function' || wrappers.has(verify)) return;
  const wrapper = function verifyClient(this: unknown, info: VerifyInfo, done: Verdict): void {
    const request = info.req;
    let settled = false;
    const reject = (thrown: unknown) => {
      if (settled) return;
      settled = true;
      refuse(request.socket, request, thrown);
    };
    const settle = (ok: unknown, code?: number, message?: string, headers?: OutgoingHttpHeaders) => {
      if (!ok) return reject(refusal(code, message, headers));
      if (settled) return;
      if (isClosing(wss)) return reject(FaultError.of('unavailable', { message: 'server closing', stack: false }));
      settled = true;
      try {
        done(true); // ws completes the handshake here: a throw before the 101 is a refusal
      } catch (error) {
        refuse(request.socket, request, error);
      }
    };
    try {
      // ws's own test of the two styles: a callback when the hook declares two parameters.
      const result = verify.length === 2 ? verify.call(this, info, settle) : verify.call(this, info);
      if (isThenable(result)) result.then(verify.length === 2 ? undefined : settle, reject);
      else if (verify.length !== 2) settle(result);
    } catch (error) {
      reject(error);
    }
  };
  wrappers.add(wrapper);
  options.verifyClient = wrapper;
}
