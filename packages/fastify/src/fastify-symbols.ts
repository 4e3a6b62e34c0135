/**
 * Fastify keeps some state under symbols of its own (lib/symbols.js) with no public accessor:
 * the plugin finds such a symbol by its description. When a Fastify version renames one, the
 * lookup finds nothing and the plugin does without it.
 */

/** The symbol described as `description` on `object` or its prototype chain (Fastify instances inherit from their parent scope). */
export function fastifySymbol(object: object, description: string): symbol | undefined {
  for (let o: object | null = object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    const symbol = Object.getOwnPropertySymbols(o).find((s) => s.description === description);
    if (symbol !== undefined) return symbol;
  }
  return undefined;
}
