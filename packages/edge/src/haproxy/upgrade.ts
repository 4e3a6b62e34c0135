/**
 * WebSocket upgrades through the generated HAProxy: a backend's `101` passes only when it grants
 * the client's WebSocket handshake, as on nginx (`../nginx/upgrade.ts`). HAProxy 2.6 relays any
 * `101` to a request that asked an upgrade, with the bytes after it raw: a wrong
 * `Sec-WebSocket-Accept`, no `Upgrade` or `Upgrade: h2c` included (it only checks that an accept
 * is there, and the accept's value only for the key it made itself for an HTTP/2 client). The
 * request rule keeps, for a WebSocket handshake only, the accept that grants it (SHA-1 of the
 * client's key and the RFC 6455 GUID, base64: sample converters, no Lua); the response rules let a
 * `101` through only with `Upgrade: websocket` and that accept, and answer any other `101` with
 * the 502 page.
 */

import { WEBSOCKET_GUID, WEBSOCKET_KEY } from '../websocket.js';

/** The variable holding the `Sec-WebSocket-Accept` that grants the request's handshake. */
const ACCEPT = 'txn.ws_accept';

/**
 * Its value for an HTTP/2 client's handshake (RFC 8441, `:protocol websocket`): HAProxy makes
 * the key sent upstream itself, after these rules, and checks the backend's accept against it.
 */
const MADE_BY_HAPROXY = 'haproxy';

/**
 * The frontend's `http-request` rules. An HTTP/1.1 handshake as nginx's (`GET`, `Upgrade:
 * websocket`, `Sec-WebSocket-Version: 13`, a well-formed `Sec-WebSocket-Key`) gets its accept; an
 * HTTP/2 one (HAProxy's request has `Upgrade: websocket`, which an HTTP/2 client cannot send
 * itself) the marker, unless it sent a key of its own (HAProxy then forwards that key and checks
 * no accept: any 101 is refused). A request without `Upgrade` (every ordinary one) leaves each
 * at its first condition.
 */
export const UPGRADE_REQUEST_RULES: readonly string[] = [
  "  # A WebSocket handshake: the Sec-WebSocket-Accept that grants it, for the 101's check (upgrade.ts).",
  `  http-request set-var(${ACCEPT}) req.fhdr(sec-websocket-key),concat(,,${WEBSOCKET_GUID}),sha1,base64 if { req.fhdr(upgrade) -m str -i websocket } { req.ver 1.1 } METH_GET { req.fhdr(sec-websocket-version) -m str 13 } { req.fhdr(sec-websocket-key) -m reg '^${WEBSOCKET_KEY}$' }`,
  `  http-request set-var(${ACCEPT}) str(${MADE_BY_HAPROXY}) if { req.fhdr(upgrade) -m str -i websocket } { req.ver 2.0 } !{ req.fhdr(sec-websocket-key) -m found }`,
];

/**
 * The backend's `http-response` rules for a `101` (after the `allow` of every other answer under
 * 400, so a 2xx or 3xx never walks them): it passes when it grants the handshake, else `refusal`
 * (the arguments of the 502 page's `return`) answers it and nothing of the backend is relayed.
 */
export function upgradeResponseRules(refusal: string): string[] {
  const status = '{ var(txn.upstream_status) -m int 101 }';
  const websocket = `${status} { res.fhdr(upgrade) -m str -i websocket }`;
  return [
    "  # A 101 passes only when it grants the client's WebSocket handshake (Upgrade: websocket, the",
    '  # accept of its key; HAProxy checks the accept of the key it made for an HTTP/2 client); any',
    '  # other (a wrong accept, no Upgrade, Upgrade: h2c) is the 502 page, the tunnel never opened.',
    `  http-response allow if ${websocket} { res.fhdr(sec-websocket-accept),strcmp(${ACCEPT}) eq 0 } || ${websocket} { var(${ACCEPT}) -m str ${MADE_BY_HAPROXY} }`,
    `  http-response return ${refusal} if ${status}`,
  ];
}
