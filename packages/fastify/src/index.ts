/**
 * `@faultline/fastify`: RFC 9457 problem JSON on every error path of a Fastify 5 server.
 * @packageDocumentation
 */

export { default } from './default-export.js';
export { fastifyClassifier, fastifyViolations } from './fastify-classifier.js';
export { type MatchingOptions, MethodRouter } from './method-router.js';
export { faultline } from './plugin.js';
export type { FaultlineFastifyOptions } from './plugin-options.js';
export { genReqId, REQUEST_ID_HEADER } from './request-id.js';
export { sendFault, writeSocketFault } from './respond.js';
export {
  clientErrorHandler,
  type FaultlineServerOptions,
  faultlineServerOptions,
  frameworkErrors,
} from './server-options.js';
