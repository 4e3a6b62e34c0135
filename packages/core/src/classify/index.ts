/** The built-in classifiers, in the order `capture` tries them. */
import { jwtClassifier } from './auth.js';
import { mongoClassifier } from './mongo.js';
import { networkClassifier } from './network.js';
import { ormClassifier, prismaClassifier } from './orm.js';
import { redisClassifier } from './redis.js';
import { mysqlClassifier, postgresClassifier } from './sqlstate.js';
import type { Classifier } from './types.js';
import { awsClassifier, httpClientClassifier } from './upstream.js';
import { ajvClassifier, bodyParseClassifier, joiYupClassifier, zodClassifier } from './validation.js';

/** Every built-in classifier: most specific first, generic network codes last. */
export const BUILTIN_CLASSIFIERS: readonly Classifier[] = Object.freeze([
  prismaClassifier,
  postgresClassifier,
  mysqlClassifier,
  mongoClassifier,
  ormClassifier,
  redisClassifier,
  awsClassifier,
  httpClientClassifier,
  jwtClassifier,
  zodClassifier,
  ajvClassifier,
  joiYupClassifier,
  bodyParseClassifier,
  networkClassifier,
]);

export { classifySqlState } from './sqlstate.js';
export type { Classification, Classifier } from './types.js';
export { categoryOfUpstreamStatus } from './upstream.js';
export { fieldViolationsFromAjv, genericDetail } from './validation.js';
