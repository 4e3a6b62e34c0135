/**
 * What both gateways check of a WebSocket handshake (RFC 6455): the shape of the client's key, and
 * the GUID its accept is made with, so a backend's `101` passes only when it grants that handshake.
 */

/** RFC 6455's GUID, appended to a handshake's `Sec-WebSocket-Key` before hashing it into the accept. */
export const WEBSOCKET_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** A well-formed `Sec-WebSocket-Key` (16 bytes in base64), as a regular expression's source. */
export const WEBSOCKET_KEY = '[+/0-9A-Za-z]{22}==';
