/**
 * Key rules: a value under a sensitive key (`password`, `authorization`, a session id…) is never
 * read; `[REDACTED]` is written in its place.
 */

/** Key rules on by default (matched against the key, case-insensitive). */
export const DEFAULT_DENY_KEYS: readonly RegExp[] = [
  // password, passwd, passphrase, pass at the end of a key; and the fields forms repeat a
  // password in (passwordConfirmation, password_confirmation, password2, passwordPlain).
  /pass(word|wd|phrase)?([-_]?(\d+|confirm(ation)?|again|repeat|verify|verification|plain(text)?|clear|raw))?$/i,
  /^pwd$/i,
  /secret/i,
  /token/i,
  /authorization/i,
  /^auth$/i,
  /cookie/i,
  /api[-_]?key/i,
  /^x-api-key$/i,
  /priv(ate)?[-_]?key/i,
  /(access|signing|encryption|master|client)[-_]?key/i,
  /credential/i,
  // session, sessionId, session_id, x-session-id, session-key; JSESSIONID, PHPSESSID; connect.sid.
  /(^|[-_.])session([-_.]?(id|key))?$|sessionid$|sessid$|^(connect\.)?sid$/i,
  /connection[-_]?string/i,
  /^dsn$/i,
  /^(cvv|cvc|pin|ssn)$/i,
  // Browsers cannot set headers on a WebSocket handshake: a token is sent as a subprotocol
  // (`new WebSocket(url, ['bearer', token])`, Kubernetes' `base64url.bearer.authorization.k8s.io.…`).
  /^sec-websocket-protocol$/i,
];

/** A copy of `regex` without the `g` and `y` flags (whose `test` resumes from `lastIndex`), plus `add`. */
export function stateless(regex: RegExp, add = ''): RegExp {
  return new RegExp(regex.source, `${regex.flags.replace(/[gy]/g, '')}${add}`);
}

/** True for a key any of `deny` matches: a string exactly (case-insensitive), a RegExp anywhere. */
export function keyMatcher(deny: readonly (string | RegExp)[]): (key: string) => boolean {
  const regexes = deny.map((rule) =>
    typeof rule === 'string'
      ? new RegExp(`^${rule.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'i')
      : // A global or sticky rule's `test` resumes from its last match: the same key would be
        // denied, then allowed. A copy without those flags answers the same every time.
        stateless(rule),
  );
  return (key) => regexes.some((r) => r.test(key));
}
