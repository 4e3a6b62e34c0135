/**
 * WebSocket upgrades through the generated nginx. A request that is a WebSocket handshake (HTTP/1.1
 * `GET`, `Upgrade: websocket`, `Connection` naming `upgrade`, `Sec-WebSocket-Version: 13`, a
 * well-formed `Sec-WebSocket-Key`) leaves its route's location for one named location, the route's
 * own with the upgrade sent upstream and the tunnel's idle bound as `proxy_read_timeout`; every
 * other request stays where it was, `Connection: ""` upstream (kept-alive connections) and the
 * route's read timeout. The njs header filter lets a backend's `101` through only for such a
 * request, and only when it grants the client's handshake (`Upgrade: websocket` and the
 * `Sec-WebSocket-Accept` of the client's key); any other 101 is refused as before.
 */
import { type ClientTimeoutOptions, DEFAULT_TUNNEL_TIMEOUT } from '../timeouts.js';
import { WEBSOCKET_GUID, WEBSOCKET_KEY } from '../websocket.js';

/** The named location every WebSocket handshake of a proxied route is handed to. */
const UPGRADE_LOCATION = '@faultline_upgrade';

/**
 * The http-context maps: `$faultline_upgrade` is `websocket` for a WebSocket handshake, else
 * empty. A request without `Upgrade` (every ordinary one) costs one hash lookup; the handshake's
 * other headers are looked at only when `Upgrade` is `websocket`.
 */
export const NGINX_UPGRADE_MAPS = `# WebSocket handshakes (upgrade.ts): "websocket" for an HTTP/1.1 GET with Upgrade: websocket,
# Connection naming upgrade, Sec-WebSocket-Version 13 and a well-formed Sec-WebSocket-Key.
map $http_upgrade $faultline_upgrade {
  "" "";
  "~*^websocket$" $faultline_websocket_handshake;
  default "";
}
map "$server_protocol|$request_method|$http_sec_websocket_version|$http_sec_websocket_key|$http_connection" $faultline_websocket_handshake {
  "~*^HTTP/1\\.1\\|GET\\|13\\|${WEBSOCKET_KEY}\\|(?:[^|]*[,\\s])?upgrade(?:[,\\s][^|]*)?$" websocket;
  default "";
}`;

/**
 * The lines at the top of a proxied route's location: a WebSocket handshake goes to the upgrade
 * location (`return` inside `if` is one of the two uses of `if` nginx calls safe; the `error_page`
 * is the `if` block's own, so no backend status of an ordinary request is ever sent there).
 */
export const NGINX_UPGRADE_LINES: readonly string[] = [
  '    if ($faultline_upgrade) {',
  `      error_page 418 = ${UPGRADE_LOCATION};`,
  '      return 418;',
  '    }',
];

/** Replaces the one line of `lines` that starts with `start` (trimmed) by `by`; throws when there is not exactly one. */
function replaceLine(lines: string[], start: string, by: readonly string[]): void {
  const at = lines.flatMap((line, i) => (line.trim().startsWith(start) ? [i] : []));
  if (at.length !== 1) throw new Error(`faultline-edge: the proxied location has ${at.length} "${start}" lines`);
  lines.splice(at[0] as number, 1, ...by);
}

/**
 * The upgrade location (server context), made from a proxied route's location `block` so both
 * keep the same proxying, headers and filters: without the handshake test, with `Upgrade` and
 * `Connection: upgrade` sent upstream and `proxy_read_timeout` the tunnel's idle bound (nginx
 * applies it to a tunnel, reset by a byte either way).
 */
export function nginxUpgradeLocation(block: string, options: ClientTimeoutOptions): string {
  const lines = block.split('\n');
  const top = lines.findIndex((line) => line.trim() === NGINX_UPGRADE_LINES[0]?.trim());
  if (top === -1) throw new Error('faultline-edge: the proxied location has no upgrade lines');
  lines.splice(top, NGINX_UPGRADE_LINES.length);
  replaceLine(lines, 'location ', [`  location ${UPGRADE_LOCATION} {`]);
  replaceLine(lines, 'proxy_set_header Connection ', [
    '    proxy_set_header Upgrade websocket;',
    '    proxy_set_header Connection upgrade;',
  ]);
  replaceLine(lines, 'proxy_read_timeout ', [
    `    proxy_read_timeout ${options.tunnelTimeout ?? DEFAULT_TUNNEL_TIMEOUT}s;`,
  ]);
  return lines.join('\n');
}

/**
 * The njs source (ES5) of `upgradeGranted(r)`: true when the backend's 101 grants this request's
 * WebSocket handshake (the request is one, and the answer has `Upgrade: websocket` and the
 * `Sec-WebSocket-Accept` of its key, RFC 6455). Called only for a 101.
 */
export const NJS_UPGRADE_HELPERS = `/** True when the backend's 101 grants this request's WebSocket handshake (RFC 6455 4.2.2). */
function upgradeGranted(r) {
  if (r.variables.faultline_upgrade !== 'websocket') return false;
  var out = r.headersOut;
  if (String(out.Upgrade || '').toLowerCase() !== 'websocket') return false;
  var key = String(r.headersIn['Sec-WebSocket-Key']);
  var accept = require('crypto').createHash('sha1').update(key + '${WEBSOCKET_GUID}');
  return out['Sec-WebSocket-Accept'] === accept.digest('base64');
}`;
