/**
 * `@faultline/express`: problem JSON on every error path of an Express 5 or 4 app.
 * @packageDocumentation
 */
export { type ApplicationErrorHandler, asyncErrorHandler } from './async-error-handler.js';
export { asyncHandler, FalsyThrow, nextValue } from './async-handler.js';
export { type FaultlineExpress, type FaultlineExpressOptions, faultline } from './faultline.js';
export { sendFault } from './respond.js';
export type {
  ErrorRequestHandler,
  ExpressRequest,
  ExpressResponse,
  NextFunction,
  ParamHandler,
  RequestHandler,
} from './types.js';
