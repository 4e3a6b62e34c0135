/**
 * `@faultline/ws`: safe close frames, error frames and upgrade rejection for ws 8.
 * @packageDocumentation
 */
export {
  type ConnectionContext,
  type ConnectionHandler,
  createWsAdapter,
  type JsonMessageHandler,
  type MessageHandler,
  type UpgradeCheck,
  type WsAdapter,
  type WsAdapterOptions,
} from './adapter.js';
export { closeFrameFor, isValidCloseCode, MAX_REASON_BYTES, truncateUtf8 } from './close-frame.js';
export { parseJsonMessage } from './json-message.js';
export { wsClassifier } from './ws-classifier.js';
