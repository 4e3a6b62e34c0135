/**
 * Parsing a client's message is the client's business: a message that is not JSON is answered as
 * a validation fault (an error frame with code VALIDATION, the connection stays open), never as
 * the server's internal fault, which any client could otherwise trigger at will.
 */
import { FaultError } from '@faultline/core/adapter';
import type { RawData } from 'ws';

/** The text of a ws message (a Buffer, an ArrayBuffer or fragments), decoded as UTF-8. */
export function messageText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

/** Parses a message as JSON, or throws a validation `FaultError` (the parser's message goes to the log only). */
export function parseJsonMessage(data: RawData): unknown {
  try {
    return JSON.parse(messageText(data));
  } catch (error) {
    throw FaultError.of('validation', { cause: error, message: 'WebSocket message is not valid JSON', stack: false });
  }
}
