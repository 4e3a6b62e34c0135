/**
 * What the adapter reads around ws: a message as validation input, the server's closing state,
 * and the meaning of ws's handshake refusals.
 */
import { type Category, safeGet } from '@faultline/core/adapter';
import type { RawData, WebSocketServer } from 'ws';
import { messageText } from './json-message.js';

/** A text message parsed as JSON, for validation ownership (`[]` when it is not JSON). */
export function messageInput(data: RawData, isBinary: boolean): readonly unknown[] {
  if (isBinary) return [];
  try {
    const text = messageText(data);
    return text.length > 1_048_576 ? [] : [JSON.parse(text)];
  } catch {
    return [];
  }
}

/** ws's `_state` while running (0); a closing server answers upgrades itself with text/html 503. */
export function isClosing(wss: WebSocketServer): boolean {
  const state = safeGet(wss, '_state');
  return typeof state === 'number' && state !== 0;
}

/**
 * True when `wss` upgrades on a server of its own (created with `{ server }` or `{ port }`): ws
 * then adds its own 'upgrade' listener, which completes every handshake before (and whatever) an
 * upgrade check says, and a second listener's `handleUpgrade` finds the socket already upgraded.
 */
export function upgradesItself(wss: WebSocketServer): boolean {
  const options = wss.options as { noServer?: unknown; server?: unknown; port?: unknown };
  return options.noServer !== true && (options.server != null || options.port != null);
}

/** ws's handshake refusal messages that are not plain bad requests. */
export const WS_CLIENT_ERROR_CATEGORY: Readonly<Record<string, Category>> = {
  'Invalid HTTP method': 'method_not_allowed',
};

/**
 * Headers a refusal for one of ws's handshake messages must carry: a 405 its `Allow` (RFC 9110
 * §15.5.6), a version refusal the versions served (RFC 6455 §4.4; ws sends it, but not to a
 * 'wsClientError' listener).
 */
export const WS_CLIENT_ERROR_HEADERS: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  'Invalid HTTP method': { allow: 'GET' },
  'Missing or invalid Sec-WebSocket-Version header': { 'sec-websocket-version': '13, 8' },
};
