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

/** The value of `object`'s property (own or inherited) whose symbol is described as `description`. */
export function fastifyInternal(object: object, description: string): unknown {
  const symbol = fastifySymbol(object, description);
  return symbol === undefined ? undefined : (object as Record<symbol, unknown>)[symbol];
}

/** Past this depth of encapsulated scopes the walk stops (a cycle would be Fastify's bug, not a reason to hang). */
const MAX_DEPTH = 64;

/** `scope` and the encapsulated scopes created under it so far (Fastify's `kChildren`). */
export function fastifyScopes(scope: object, depth = 0): object[] {
  const children = depth < MAX_DEPTH ? fastifyInternal(scope, 'fastify.children') : undefined;
  if (!Array.isArray(children)) return [scope];
  return [
    scope,
    ...children.flatMap((child: unknown) =>
      typeof child === 'object' && child !== null ? fastifyScopes(child, depth + 1) : [],
    ),
  ];
}

/** Fastify's symbol marking a `reply.send` of what a handler threw (lib/symbols.js `kReplyIsError`). */
let replyIsError: symbol | null | undefined;

/**
 * That symbol, looked up on the first `reply` asked about (it is an own property of every reply);
 * null where this Fastify has no such symbol.
 */
export function replyIsErrorSymbol(reply: object): symbol | null {
  if (replyIsError === undefined)
    replyIsError = Object.getOwnPropertySymbols(reply).find((s) => s.description === 'fastify.reply.isError') ?? null;
  return replyIsError;
}
