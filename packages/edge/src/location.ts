/**
 * A backend's redirect may name the host it runs on, or another one inside the deployment
 * (`Location: http://10.0.0.5:8080/login`, `http://localhost:3000/`): an internal address the
 * client can neither reach nor should learn. Both gateways rewrite such a `Location` to its path
 * (with query and fragment) on the host the client used; any other `Location` (a public host, a
 * relative reference) passes as it came.
 */

/** Hosts that only exist inside a deployment: loopback, private, link-local and unspecified addresses, `localhost`. */
const INTERNAL_HOST = [
  'localhost',
  '127(?:[.][0-9]{1,3}){3}',
  '10(?:[.][0-9]{1,3}){3}',
  '172[.](?:1[6-9]|2[0-9]|3[01])(?:[.][0-9]{1,3}){2}',
  '192[.]168(?:[.][0-9]{1,3}){2}',
  '169[.]254(?:[.][0-9]{1,3}){2}',
  '100[.](?:6[4-9]|[7-9][0-9]|1[01][0-9]|12[0-7])(?:[.][0-9]{1,3}){2}',
  '0[.]0[.]0[.]0',
  '[[](?:::1?|f[cd][0-9a-f]{0,2}:[0-9a-f:.]*|fe[89ab][0-9a-f]:[0-9a-f:.]*)[]]',
].join('|');

/**
 * An absolute `Location` on an internal host (a regular-expression source, matched without regard
 * to case; the only capture is what follows the authority, its leading slashes and backslashes
 * dropped so that `/` + it is always a path on the client's host, never `//other.host`). The
 * authority must end there: `http://10.0.0.5.example.com/` is a public name and is kept.
 */
export const INTERNAL_LOCATION = `^[a-z][a-z0-9+.-]*://(?:[^/?#@]*@)?(?:${INTERNAL_HOST})(?::[0-9]*)?(?=[/?#\\\\]|$)[/\\\\]*(.*)$`;
