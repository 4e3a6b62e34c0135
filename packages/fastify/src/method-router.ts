/**
 * Tells "method not allowed" from "not found": a shadow router holding every registered route
 * pattern (from the `onRoute` hook), asked for the methods that would match a path Fastify did
 * not route.
 */
import FindMyWay, { type HTTPMethod } from 'find-my-way';

/** Router options that change matching, copied from the Fastify instance. */
export interface MatchingOptions {
  readonly caseSensitive?: boolean;
  readonly ignoreTrailingSlash?: boolean;
  readonly ignoreDuplicateSlashes?: boolean;
  readonly maxParamLength?: number;
}

/** The path of a request target, without its query (no copy when there is none). */
export function pathOf(url: string | undefined): string {
  if (url === undefined) return '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** `lookup(method, path)`, false when it throws (a malformed path matches nothing). */
function matchesSafely(lookup: (method: string, path: string) => boolean, method: string, path: string): boolean {
  try {
    return lookup(method, path);
  } catch {
    return false;
  }
}

/** The methods registered for each path pattern, answering `allowedMethods(path)`. */
export class MethodRouter {
  readonly #router: FindMyWay.Instance<FindMyWay.HTTPVersion.V1>;
  /** Registered methods, in registration order (an array: iterating a Set allocates an iterator). */
  readonly #methods: string[] = [];
  readonly #seen = new Set<string>();
  /** Another router asked too, for these methods ({@link MethodRouter.addLookup}). */
  #lookup: ((method: string, path: string) => boolean) | undefined;
  #lookupMethods: readonly string[] = [];

  constructor(options: MatchingOptions = {}) {
    this.#router = FindMyWay({
      caseSensitive: options.caseSensitive ?? true,
      ignoreTrailingSlash: options.ignoreTrailingSlash ?? false,
      ignoreDuplicateSlashes: options.ignoreDuplicateSlashes ?? false,
      maxParamLength: options.maxParamLength ?? 100,
    });
  }

  /** Records a route; duplicates and patterns find-my-way rejects are ignored. */
  add(method: string | readonly string[], url: string): void {
    for (const m of typeof method === 'string' ? [method] : method) {
      const key = `${m} ${url}`;
      if (this.#seen.has(key)) continue;
      this.#seen.add(key);
      try {
        this.#router.on(m as HTTPMethod, url, () => undefined);
        if (!this.#methods.includes(m)) this.#methods.push(m);
      } catch {
        // A pattern the shadow router cannot hold only loses 405 detection for it.
      }
    }
  }

  /**
   * Also asks `matches` (whether a route of `method` matches `path`) for each of `methods`: for
   * routes this router was not given, such as those registered before the plugin (early-routes.ts).
   */
  addLookup(matches: (method: string, path: string) => boolean, methods: readonly string[]): void {
    this.#lookup = matches;
    this.#lookupMethods = methods;
  }

  /**
   * The methods that have a route matching `path` (query excluded), as an `Allow` value, or
   * `undefined`. Also `undefined` when `requestMethod` is one of them: the path exists for the
   * request's own method, so the request is not a 405 (a route calling `reply.callNotFound()`, a
   * route whose constraints did not match).
   */
  allowedMethods(path: string, requestMethod?: string): string | undefined {
    // Made only on a match: a plain 404 allocates nothing here.
    let allowed: string[] | undefined;
    const methods = this.#methods;
    for (let i = 0; i < methods.length; i += 1) {
      const method = methods[i] as string;
      try {
        if (this.#router.find(method as HTTPMethod, path) !== null) {
          if (method === requestMethod) return undefined;
          allowed ??= [];
          allowed.push(method);
        }
      } catch {
        // malformed path: no match
      }
    }
    const lookup = this.#lookup;
    if (lookup !== undefined) {
      const more = this.#lookupMethods;
      for (let i = 0; i < more.length; i += 1) {
        const method = more[i] as string;
        if (allowed?.includes(method) === true || !matchesSafely(lookup, method, path)) continue;
        if (method === requestMethod) return undefined;
        allowed ??= [];
        allowed.push(method);
      }
    }
    return allowed === undefined ? undefined : allowed.sort().join(', ');
  }
}
