/** Finding the log record a client's correlation id points to. */

/**
 * The log line that carries `id`: its full record, or the compact repeat line listing it (merged
 * with that id's own context entry, if any). `undefined` when no line carries it.
 */
export function recordFor(
  records: readonly Record<string, unknown>[],
  id: unknown,
): Record<string, unknown> | undefined {
  const full = records.find((r) => r.request_id === id);
  if (full !== undefined) return full;
  const compact = records.find((r) => Array.isArray(r.request_ids) && (r.request_ids as unknown[]).includes(id));
  if (compact === undefined) return undefined;
  const contexts = Array.isArray(compact.contexts) ? (compact.contexts as Record<string, unknown>[]) : [];
  const own = contexts.find((c) => c.request_id === id) ?? {};
  return { ...compact, ...own, request_id: id };
}
