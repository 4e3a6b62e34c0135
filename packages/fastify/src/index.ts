/**
 * `@faultline/fastify`: RFC 9457 problem JSON on every error path of a Fastify 5 server.
 * @packageDocumentation
 */

export { default } from './default-export.js';
export { fastifyClassifier, fastifyViolations } from './fastify-classifier.js';
export { type MatchingOptions, MethodRouter } from './method-router.js';
export { type FaultlineFastifyOptions, faultline } from './plugin.js';
export { sendFault, writeSocketFault } from './respond.js';
export {
  clientErrorHandler,
  type FaultlineServerOptions,
  faultlineServerOptions,
  frameworkErrors,
  genReqId,
  REQUEST_ID_HEADER,
} from './server-options.js';
