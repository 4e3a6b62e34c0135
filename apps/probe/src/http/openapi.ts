/**
 * OpenAPI 3 and Swagger 2 documents (JSON or YAML, via js-yaml) reduced to what the probe sends:
 * each operation's method, path template, parameters and body properties with their types.
 */
import { load } from 'js-yaml';

/** A parameter or body property and its declared type. */
export interface Field {
  readonly name: string;
  /** JSON Schema type (`string` when undeclared). */
  readonly type: string;
}

/** One operation of the document. */
export interface Operation {
  readonly method: string;
  /** Path template with the document's base path, e.g. `/v2/invoices/{invoiceId}`. */
  readonly path: string;
  readonly pathParams: readonly Field[];
  readonly query: readonly Field[];
  /** Body properties, or undefined when the operation takes no body. */
  readonly body?: readonly Field[];
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** Parses a document's text (JSON first, then YAML); undefined when it is neither, or not OpenAPI/Swagger. */
export function parseDocument(text: string): Obj | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    try {
      doc = load(text.slice(0, 2_000_000), { json: true });
    } catch {
      return undefined;
    }
  }
  if (!isObj(doc) || !isObj(doc.paths)) return undefined;
  return typeof doc.openapi === 'string' || typeof doc.swagger === 'string' ? doc : undefined;
}

/** Follows one local `$ref` (`#/components/schemas/X`, `#/definitions/X`), at most 5 deep. */
function deref(doc: Obj, value: unknown, depth = 0): Obj | undefined {
  if (!isObj(value)) return undefined;
  const ref = value.$ref;
  if (typeof ref !== 'string') return value;
  if (!ref.startsWith('#/') || depth > 5) return undefined;
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/'))
    node = isObj(node) ? node[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined;
  return deref(doc, node, depth + 1);
}

function typeOf(schema: Obj | undefined): string {
  const type = schema?.type;
  if (typeof type === 'string') return type;
  if (Array.isArray(type) && typeof type[0] === 'string') return type[0];
  return isObj(schema?.properties) ? 'object' : 'string';
}

function properties(doc: Obj, schema: Obj | undefined): Field[] {
  const props = isObj(schema?.properties) ? schema.properties : {};
  return Object.entries(props)
    .slice(0, 20)
    .map(([name, value]) => ({ name, type: typeOf(deref(doc, value)) }));
}

/** The base path of the document's first server (OpenAPI 3) or its `basePath` (Swagger 2). */
function basePath(doc: Obj): string {
  if (typeof doc.basePath === 'string') return doc.basePath.replace(/\/$/, '');
  const server = Array.isArray(doc.servers) ? doc.servers[0] : undefined;
  const url = isObj(server) && typeof server.url === 'string' ? server.url : '';
  try {
    return new URL(url, 'http://base.invalid').pathname.replace(/\/$/, '');
  } catch {
    return '';
  }
}

/** Every operation of `doc`, at most `limit`. */
export function operations(doc: Obj, limit: number): Operation[] {
  const found: Operation[] = [];
  const base = basePath(doc);
  for (const [path, item] of Object.entries(doc.paths as Obj)) {
    if (!isObj(item) || !path.startsWith('/')) continue;
    const shared = Array.isArray(item.parameters) ? item.parameters : [];
    for (const method of METHODS) {
      const op = item[method];
      if (!isObj(op) || found.length >= limit) continue;
      const params = [...shared, ...(Array.isArray(op.parameters) ? op.parameters : [])]
        .map((p) => deref(doc, p))
        .filter((p): p is Obj => p !== undefined && typeof p.name === 'string');
      const field = (p: Obj): Field => ({ name: String(p.name), type: typeOf(deref(doc, p.schema) ?? p) });
      const bodyParam = params.find((p) => p.in === 'body');
      const content = isObj(deref(doc, op.requestBody)?.content)
        ? (deref(doc, op.requestBody)?.content as Obj)
        : undefined;
      const media =
        content === undefined
          ? undefined
          : (Object.entries(content).find(([t]) => /json/i.test(t)) ?? Object.entries(content)[0]);
      const bodySchema =
        bodyParam !== undefined
          ? deref(doc, bodyParam.schema)
          : isObj(media?.[1])
            ? deref(doc, media[1].schema)
            : undefined;
      const takesBody = bodyParam !== undefined || content !== undefined || ['post', 'put', 'patch'].includes(method);
      found.push({
        method: method.toUpperCase(),
        path: `${base}${path}`,
        pathParams: params.filter((p) => p.in === 'path').map(field),
        query: params.filter((p) => p.in === 'query').map(field),
        ...(takesBody ? { body: properties(doc, bodySchema) } : {}),
      });
    }
  }
  return found;
}
