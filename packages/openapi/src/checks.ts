/**
 * The inputs of the generators, checked before anything is written: a catalog that `defineCatalog`
 * did not make (or that was changed since) and routes collected from any framework. What would
 * make an invalid OpenAPI document (a code that is not a component name, a path without its
 * leading slash, a path parameter named twice) or a broken docs page fails with an error that
 * names the code or route, instead of a `TypeError` from deep inside or a document that does not
 * validate.
 */
import { CATEGORIES, type Category, type CodeDefinition } from '@faultline/core/adapter';

/** A stable code, as `defineCatalog` requires it (and a valid OpenAPI component name). */
const CODE = /^[A-Z][A-Z0-9_]{0,63}$/;
/** An HTTP method token (RFC 9110 5.6.2). */
const METHOD = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Thrown for a catalog or route the generators cannot document. */
export class OpenApiInputError extends Error {
  override readonly name = 'OpenApiInputError';
}

/** A value for an error message: JSON, at most 80 characters. */
function shown(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    // a value JSON cannot show
  }
  return (text ?? String(typeof value)).slice(0, 80);
}

/** The definitions of a catalog, each checked; throws {@link OpenApiInputError} naming the first bad one. */
export function checkedDefinitions(catalog: unknown, index: number): CodeDefinition[] {
  const definitions = (catalog as { definitions?: { entries?: unknown } } | null | undefined)?.definitions;
  if (typeof definitions?.entries !== 'function') {
    throw new OpenApiInputError(`catalogs[${index}] is not a catalog: pass what defineCatalog returns.`);
  }
  const out: CodeDefinition[] = [];
  for (const [key, definition] of (definitions as Map<unknown, Partial<CodeDefinition> | undefined>).entries()) {
    const where = `catalogs[${index}] code ${shown(key)}`;
    if (typeof key !== 'string' || !CODE.test(key)) {
      throw new OpenApiInputError(`${where}: a code is UPPER_SNAKE of at most 64 characters.`);
    }
    if (definition?.code !== key)
      throw new OpenApiInputError(`${where}: its definition names ${shown(definition?.code)}.`);
    if (!CATEGORIES.includes(definition.category as Category)) {
      throw new OpenApiInputError(`${where}: category ${shown(definition.category)} is not one of the taxonomy's.`);
    }
    if (typeof definition.message !== 'string' || definition.message === '') {
      throw new OpenApiInputError(`${where}: message must be non-empty text.`);
    }
    if (typeof definition.type !== 'string') throw new OpenApiInputError(`${where}: type must be a URI.`);
    out.push(definition as CodeDefinition);
  }
  return out;
}

/** A route, checked: its method (upper case) and url. Throws {@link OpenApiInputError} naming it. */
export function checkedRoute(route: unknown): { method: string; url: string } {
  const { method, url } = (route ?? {}) as { method?: unknown; url?: unknown };
  const where = `route ${shown(method)} ${shown(url)}`;
  if (typeof method !== 'string' || !METHOD.test(method))
    throw new OpenApiInputError(`${where}: method is not an HTTP method.`);
  if (typeof url !== 'string' || !url.startsWith('/'))
    throw new OpenApiInputError(`${where}: url must start with '/'.`);
  return { method: method.toUpperCase(), url };
}

/** The path parameters of an OpenAPI path, each once; throws {@link OpenApiInputError} when one is named twice. */
export function pathParameters(path: string, url: string): string[] {
  const names = [...path.matchAll(/\{([A-Za-z0-9_]+)\}/g)].map((m) => m[1] as string);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw new OpenApiInputError(`route ${shown(url)}: path parameter ${twice} is named twice.`);
  return names;
}
