/**
 * ws's own protocol errors (`WS_ERR_*` codes), as Faultline categories, and the zlib errors ws
 * reports when a peer's permessage-deflate data does not inflate (ws closes with 1007).
 */
import { type Category, type Classifier, safeGetString } from '@faultline/core/adapter';

const WS_CODES: Readonly<Record<string, Category>> = {
  WS_ERR_UNSUPPORTED_MESSAGE_LENGTH: 'payload_too_large',
  WS_ERR_UNSUPPORTED_DATA_PAYLOAD_LENGTH: 'payload_too_large',
  WS_ERR_TOO_MANY_BUFFERED_PARTS: 'payload_too_large',
  WS_ERR_INVALID_UTF8: 'validation',
  WS_ERR_INVALID_CLOSE_CODE: 'validation',
  WS_ERR_INVALID_OPCODE: 'validation',
  WS_ERR_INVALID_CONTROL_PAYLOAD_LENGTH: 'validation',
  WS_ERR_EXPECTED_FIN: 'validation',
  WS_ERR_EXPECTED_MASK: 'validation',
  WS_ERR_UNEXPECTED_MASK: 'validation',
  WS_ERR_UNEXPECTED_RSV_1: 'validation',
  WS_ERR_UNEXPECTED_RSV_2_3: 'validation',
};

/** zlib's codes for input that does not inflate. */
const ZLIB_INPUT_CODES: ReadonlySet<string> = new Set(['Z_DATA_ERROR', 'Z_BUF_ERROR', 'Z_NEED_DICT']);

/**
 * True when ws marked `error` with the close code it closed the connection with (its private
 * `status-code` symbol, set on every error its receiver reports): the peer's data, not the
 * application's own zlib call.
 */
function closedByWs(error: object): boolean {
  try {
    for (const symbol of Object.getOwnPropertySymbols(error)) {
      if (symbol.description === 'status-code') return true;
    }
  } catch {
    // A proxy that refuses to list its keys is no error of ws's.
  }
  return false;
}

/** Classifier for errors ws emits on a socket after a protocol violation by the peer. */
export const wsClassifier: Classifier = {
  name: 'ws',
  classify(error) {
    const code = safeGetString(error, 'code', 64);
    if (code === undefined) return undefined;
    const category = WS_CODES[code];
    if (category !== undefined) return { category, reason: `ws:${code}` };
    // A compressed message that does not inflate is as much the peer's fault as invalid UTF-8.
    if (ZLIB_INPUT_CODES.has(code) && typeof error === 'object' && error !== null && closedByWs(error)) {
      return { category: 'validation', reason: `ws:permessage-deflate:${code}` };
    }
    return undefined;
  },
};
