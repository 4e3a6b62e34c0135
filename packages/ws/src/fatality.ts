/**
 * Which faults end a WebSocket connection when the application does not say (`isFatal`).
 */
import type { Category, Fault } from '@faultline/core/adapter';

/** Client-side categories that still end the connection by default: identity, size, cancellation. */
const FATAL_CLIENT_CATEGORIES: ReadonlySet<Category> = new Set<Category>([
  'unauthenticated',
  'forbidden',
  'payload_too_large',
  'cancelled',
]);

/** Default fatality: every server failure (from the taxonomy) plus {@link FATAL_CLIENT_CATEGORIES}. */
export function fatalByDefault(fault: Fault): boolean {
  return fault.serverFault || FATAL_CLIENT_CATEGORIES.has(fault.category);
}
