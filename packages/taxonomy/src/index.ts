/**
 * `@faultline/taxonomy`: the error taxonomy, with no dependencies. One closed set of categories,
 * each mapped once to its HTTP status, gRPC status code and WebSocket close code. Every table is
 * a `Record<Category, …>`, so adding a category without mapping it on every protocol is a compile
 * error. `@faultline/core` re-exports it; `@faultline/client` depends on it alone.
 * @packageDocumentation
 */

export { CATEGORIES, type Category, isCategory } from './categories.js';
export { GrpcStatus, type GrpcStatusCode } from './grpc-status.js';
export { isOneLine, showsSomething } from './one-line.js';
export { type CategorySpec, categoryOfBuiltinCode, TAXONOMY } from './table.js';
