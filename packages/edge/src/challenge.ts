/**
 * What an answer that passes the gateway keeps of its `WWW-Authenticate` (a JSON 401 from the
 * application or a service behind it): the challenge's scheme, its `realm` when that names no
 * internal host, and its `error` code (RFC 6750: `invalid_token`, `insufficient_scope`, …), as
 * `Bearer realm="api", error="invalid_token"`. Everything else goes: `error_description` and
 * `error_uri` may quote SQL, a stack or an internal URL, and a realm such as
 * `db-primary.internal` names a host. Only the first header is read (njs: the first challenge of
 * the headers joined); an answer whose challenge has no well-formed scheme loses the header. (A
 * replaced answer, a foreign 401 page, keeps the scheme alone: see `KEPT_HEADERS` in `backend-headers.ts`;
 * its realm often names the product, `Tomcat Manager Application`.)
 *
 * Both gateways read the parameters the same way, with patterns HAProxy 2.6 accepts as converter
 * arguments (no comma, parenthesis or quote: `\x2c`, `\x22`): quoted values holding anything but
 * a realm's characters are blanked first (`=?`), so an `error=` quoted inside `error_description`
 * is never taken for the parameter; then the first parameter of that name is cut out and kept only
 * when it is well-formed.
 */

import { KEPT_HEADERS } from './backend-headers.js';
import { INTERNAL_NAME } from './location.js';

/** How one parameter is read (regular-expression sources; its name matched without regard to case). */
export interface ChallengeParam {
  /** The parameter is there (after a space, tab or comma). */
  readonly present: string;
  /** Everything up to its value (replaced by nothing; the first occurrence). */
  readonly start: string;
  /** What follows its value (replaced by nothing). */
  readonly rest: string;
  /** A value that is kept. */
  readonly valid: string;
}

/** Quoted values holding a character a kept value never has (`,`, `=`, `/`, `*`, …): replaced by `=?`, globally. */
export const CHALLENGE_OPAQUE = '=\\x22[^\\x22]*[^A-Za-z0-9\\x20._~+\\x22-][^\\x22]*\\x22';

/** Reading parameter `name` whose value has the characters `chars` (a character-class body). */
function param(name: string, chars: string, valid: string): ChallengeParam {
  return {
    present: `[\\x20\\x09\\x2c]${name}=`,
    start: `^.*?[\\x20\\x09\\x2c]${name}=\\x22?`,
    rest: `[^${chars}].*$`,
    valid,
  };
}

/** The parts of a challenge that are kept. */
export const CHALLENGE = {
  /** The scheme at the start of the header (group 1). */
  scheme: KEPT_HEADERS.challengeScheme,
  /** A realm of letters, digits, spaces and `._~+-`, at most 64, not starting or ending with a space. */
  realm: param('realm', 'A-Za-z0-9\\x20._~+-', '^[A-Za-z0-9._~+-]([A-Za-z0-9 ._~+-]{0,62}[A-Za-z0-9._~+-])?$'),
  /** An error code of letters and `_`, at most 40 (RFC 6750's and DPoP's codes; never a host name). */
  error: param('error', 'A-Za-z_', '^[A-Za-z_]{1,40}$'),
  /** A realm that names an internal host (an IP literal, `localhost`, `*.internal`, …), dropped. */
  internalRealm: INTERNAL_NAME,
} as const;
