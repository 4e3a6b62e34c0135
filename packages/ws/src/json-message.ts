/**
 * Parsing a client's message is the client's business: a message that is not JSON is answered as
 * a validation fault (an error frame with code VALIDATION, the connection stays open), never as
 * the server's internal fault, which any client could otherwise trigger at will. JSON text is
 * UTF-8 (RFC 8259 §8.1): bytes that are not (a binary frame, or a text frame ws did not check
 * under `skipUTF8Validation`) are not JSON either, rather than decoded with U+FFFD in their place.
 */
import { isUtf8 } from 'node:buffer';
import { FaultError } from '@faultline/core/adapter';
import type { RawData } from 'ws';

/** The bytes of a ws message (a Buffer, an ArrayBuffer or fragments). */
function messageBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return Buffer.from(data);
  return data;
}

/** The text of a ws message (a Buffer, an ArrayBuffer or fragments), decoded as UTF-8. */
export function messageText(data: RawData): string {
  return messageBytes(data).toString('utf8');
}

/** Parses a message as JSON, or throws a validation `FaultError` (the parser's message goes to the log only). */
export function parseJsonMessage(data: RawData): unknown {
  try {
    const bytes = messageBytes(data);
    const text = bytes.toString('utf8');
    // Bytes that are not UTF-8 decode to U+FFFD: only text holding one is checked again, so valid
    // messages pay a string search instead of a native call each.
    if (text.includes('\uFFFD') && !isUtf8(bytes)) throw new TypeError('WebSocket message is not UTF-8');
    return JSON.parse(text);
  } catch (error) {
    throw FaultError.of('validation', { cause: error, message: 'WebSocket message is not valid JSON', stack: false });
  }
}
