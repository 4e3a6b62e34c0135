/** The built-in classifiers, in the order `capture` tries them. */

import { caslClassifier, jwtClassifier } from './auth.js';
import { grpcCodeClassifier } from './grpc-code.js';
import { boomClassifier, httpStatusClassifier } from './http-status.js';
import { multerClassifier, rateLimitClassifier } from './limits.js';
import { mongoClassifier } from './mongo.js';
import { networkClassifier } from './network.js';
import { ormClassifier, prismaClassifier } from './orm.js';
import { poolClassifier } from './pool.js';
import { redisClassifier } from './redis.js';
import { sqliteClassifier } from './sqlite.js';
import { mysqlClassifier, postgresClassifier } from './sqlstate.js';
import type { Classifier } from './types.js';
import { awsClassifier, httpClientClassifier } from './upstream.js';
import { ajvClassifier, bodyParseClassifier, joiYupClassifier, zodClassifier } from './validation.js';

/**
 * Every built-in classifier: most specific first, generic network codes next, and foreign HTTP
 * statuses last (a structural match always wins over a number someone set).
 */
export const BUILTIN_CLASSIFIERS: readonly Classifier[] = Object.freeze([
  prismaClassifier,
  postgresClassifier,
  mysqlClassifier,
  sqliteClassifier,
  mongoClassifier,
  ormClassifier,
  redisClassifier,
  awsClassifier,
  httpClientClassifier,
  grpcCodeClassifier,
  jwtClassifier,
  caslClassifier,
  multerClassifier,
  rateLimitClassifier,
  poolClassifier,
  zodClassifier,
  ajvClassifier,
  joiYupClassifier,
  bodyParseClassifier,
  networkClassifier,
  boomClassifier,
  httpStatusClassifier,
]);

export { categoryOfClientStatus } from './http-status.js';
export { classifySqlState } from './sqlstate.js';
export type { Classification, Classifier } from './types.js';
export { categoryOfUpstreamStatus } from './upstream.js';
export { fieldViolationsFromAjv, genericDetail } from './validation.js';
