/**
 * Close frames that `ws.close` accepts: a valid code (1000-1014 minus 1004-1006, or 3000-4999)
 * and a reason of at most 123 bytes of UTF-8, cut on a character boundary. `ws.close` throws on
 * anything else, so nothing reaches it unchecked.
 */
import type { Fault } from '@faultline/core/adapter';

/** Longest close reason, in bytes (125-byte control frame payload minus the 2-byte code). */
export const MAX_REASON_BYTES = 123;

/** True for a close code `ws.close` accepts (RFC 6455 7.4 and the IANA registry, as ws checks it). */
export function isValidCloseCode(code: unknown): code is number {
  return (
    typeof code === 'number' &&
    Number.isInteger(code) &&
    ((code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) ||
      (code >= 3000 && code <= 4999))
  );
}

/** Cuts `text` to at most `maxBytes` bytes of UTF-8 without splitting a character. */
export function truncateUtf8(text: string, maxBytes = MAX_REASON_BYTES): string {
  if (Buffer.byteLength(text) <= maxBytes) return text;
  let bytes = 0;
  let out = '';
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (bytes + size > maxBytes) break;
    bytes += size;
    out += ch;
  }
  return out;
}

/** The close code and reason (`<CODE> <request_id>`) for a fatal fault. */
export function closeFrameFor(fault: Fault): { code: number; reason: string } {
  const code = isValidCloseCode(fault.wsCloseCode) ? fault.wsCloseCode : 1011;
  return { code, reason: truncateUtf8(`${fault.code} ${fault.id}`) };
}
