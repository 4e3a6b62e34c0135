/**
 * `@faultline/openapi`: one catalog, every surface: OpenAPI 3.1 error components and route
 * responses, and static documentation pages per code.
 * @packageDocumentation
 */
export { OpenApiInputError } from './checks.js';
export { type CatalogLike, type DocumentedCode, documentedCodes } from './codes.js';
export { docsPages } from './docs-pages.js';
export { collectRoutes, type RouteSource } from './fastify-routes.js';
export {
  faultResponses,
  faultSchemas,
  type OpenApiOptions,
  openApiDocument,
  type RouteDescription,
} from './openapi.js';
