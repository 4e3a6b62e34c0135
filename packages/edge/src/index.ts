/**
 * `@faultline/edge`: the gateway in front of a Faultline service answers its own errors in the
 * application's shape, with one request id from the edge through the backend.
 */

export { type GrpcAnswerOptions, type GrpcGatewayAnswer, grpcGatewayAnswers } from './grpc/answers.js';
export { type GatewayGrpcOptions, validateGrpcOptions } from './grpc/options.js';
export {
  DEFAULT_HAPROXY_LIMITS,
  HAPROXY_STATUSES,
  type HaproxyLimits,
  type HaproxyOptions,
  renderHaproxy,
} from './haproxy/render.js';
export { DEFAULT_LISTEN, type ListenerOptions, type Listeners, listenersOf } from './listeners.js';
export { nginxFilterScript } from './nginx/filter-script.js';
export {
  DEFAULT_HEADER_BUFFERS,
  type HeaderBuffers,
  NGINX_STATUSES,
  type NginxOptions,
  renderNginx,
} from './nginx/render.js';
export { type RunningNginx, startNginx, writeNginx } from './nginx/run.js';
export {
  GATEWAY_FAILURES,
  type GatewayFailure,
  type GatewayPage,
  type GatewayPageOptions,
  gatewayPages,
  ID_PLACEHOLDER,
} from './pages.js';
export { DEFAULT_ID_VERSIONS, idPattern, isIdVersions, type UuidVersion } from './request-id.js';
export type { ClientTimeoutOptions } from './timeouts.js';
export type { TrustedGatewayOptions } from './trusted-gateways.js';
export { type GatewayOptionValues, validateGatewayOptions } from './validate.js';
