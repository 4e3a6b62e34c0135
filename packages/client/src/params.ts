/**
 * Public parameters from an untrusted server: bounded on receipt, then held to the catalog's
 * declared types when the caller passes its catalog.
 */
import type { CatalogLike } from './remote-fault.js';
import { DECODE_LIMITS, isOneLine, isRecord } from './untrusted.js';

const NAME = /^[a-z][A-Za-z0-9]{0,31}$/;

/**
 * Public parameters as received: at most 8 own properties of an object, each a camelCase name of
 * at most 32 characters that is not an `Object.prototype` member (`constructor`, `toString`, …),
 * holding a string of at most 64 characters on one line (no control characters, no lone
 * surrogates) or a finite number (-0 becomes 0). Anything else is dropped.
 * The result has no prototype-sensitive keys.
 */
export function paramsOf(value: unknown): Readonly<Record<string, string | number>> {
  if (!isRecord(value)) return {};
  const out: Record<string, string | number> = {};
  let count = 0;
  for (const name of Object.keys(value)) {
    if (count === DECODE_LIMITS.params) break;
    if (!NAME.test(name) || name in Object.prototype) continue;
    const v = value[name];
    if (typeof v === 'string' && v.length <= DECODE_LIMITS.paramString && isOneLine(v)) out[name] = v;
    // `+ 0` turns -0 into 0 (`Object.is(-0, 0)` is false, and `1 / -0` is -Infinity).
    else if (typeof v === 'number' && Number.isFinite(v)) out[name] = v + 0;
    else continue;
    count += 1;
  }
  return out;
}

const NUMERIC = /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i;

/** `value` as the declared type, or undefined when it contradicts the declaration. */
function asDeclared(value: string | number, type: 'integer' | 'number' | 'string'): string | number | undefined {
  if (type === 'string') return typeof value === 'string' ? value : undefined;
  const n = typeof value === 'number' ? value : NUMERIC.test(value) ? Number(value) : Number.NaN;
  return (type === 'integer' ? Number.isSafeInteger(n) : Number.isFinite(n)) ? n + 0 : undefined;
}

/**
 * Parameters held to the catalog: when the catalog defines `code`, only the parameters it declares
 * are kept, each of its declared type. A value declared `integer` or `number` that travelled as a
 * string (gRPC `ErrorInfo.metadata` is a string map) becomes a number when it reads as one; a value
 * that contradicts its declaration (`"abc"` or `1.5` for an integer, a number for a string) and an
 * undeclared parameter are dropped. Without a catalog, or for a code it does not define, the
 * parameters stay as received.
 */
export function catalogParams<Code extends string>(
  params: Readonly<Record<string, string | number>>,
  code: string,
  catalog?: CatalogLike<Code>,
): Readonly<Record<string, string | number>> {
  let declared: Readonly<Record<string, 'integer' | 'number' | 'string'>> | undefined;
  try {
    const definition = catalog?.get(code);
    if (definition === undefined) return params;
    declared = definition.params ?? {};
  } catch {
    return {};
  }
  const out: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(params)) {
    const type = Object.hasOwn(declared, name) ? declared[name] : undefined;
    const typed = type === undefined ? undefined : asDeclared(value, type);
    if (typed !== undefined) out[name] = typed;
  }
  return out;
}
