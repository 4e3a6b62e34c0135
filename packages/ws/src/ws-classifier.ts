/** ws's own protocol errors (`WS_ERR_*` codes), as Faultline categories. */
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

/** Classifier for errors ws emits on a socket after a protocol violation by the peer. */
export const wsClassifier: Classifier = {
  name: 'ws',
  classify(error) {
    const code = safeGetString(error, 'code', 64);
    const category = code === undefined ? undefined : WS_CODES[code];
    return category === undefined ? undefined : { category, reason: `ws:${code}` };
  },
};
