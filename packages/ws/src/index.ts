/**
 * `@faultline/ws`: safe close frames, error frames and upgrade rejection for ws 8.
 * @packageDocumentation
 */
export { createWsAdapter } from './adapter.js';
export { closeFrameFor, isValidCloseCode, MAX_REASON_BYTES, truncateUtf8 } from './close-frame.js';
export { parseJsonMessage } from './json-message.js';
export type {
  ConnectionContext,
  ConnectionHandler,
  JsonMessageHandler,
  MessageHandler,
  UpgradeCheck,
  WsAdapter,
  WsAdapterOptions,
} from './types.js';
export { wsClassifier } from './ws-classifier.js';
