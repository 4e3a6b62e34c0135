/**
 * An error's fields that hold a `Set` or a `Map` (MongoDB's `errorLabelSet`, an `errors` Set or
 * Map a library collects failures in), and its own symbol-keyed fields (state libraries keep
 * under symbols: MongoDB's `Symbol(errorLabels)` in older drivers): the walk (snapshot.ts) wrote
 * `[Set size=1]` and nothing of the symbols. Here they are made plain: a Set's values as a list,
 * a Map's entries and the symbol fields as objects, whose keys the key rules then see. At most
 * `max` of each, read through the built-in iterators (not ones a subclass put in their place).
 */
import { types } from 'node:util';
import { typeLabel } from '../safe-access.js';

const setValues = Set.prototype.values;
const mapEntries = Map.prototype.entries;

/** The first `max` values of a real Set, or `undefined` for anything else. */
export function setItems(value: unknown, max: number): unknown[] | undefined {
  if (!types.isSet(value)) return undefined;
  const out: unknown[] = [];
  for (const item of setValues.call(value)) {
    if (out.length === max) break;
    out.push(item);
  }
  return out;
}

/** A Map key as an object key: a string as it is, another primitive as its text, an object as its class. */
function keyText(key: unknown): string {
  if (typeof key === 'string') return key;
  if (typeof key === 'number' || typeof key === 'boolean' || typeof key === 'bigint') return String(key);
  return `[${typeLabel(key)}]`;
}

/** The first `max` entries of a real Map as an object without prototype, or `undefined` for anything else. */
export function mapFields(value: unknown, max: number): Record<string, unknown> | undefined {
  if (!types.isMap(value)) return undefined;
  const out = Object.create(null) as Record<string, unknown>;
  let count = 0;
  for (const [key, item] of mapEntries.call(value)) {
    if (count === max) break;
    out[keyText(key)] = item;
    count += 1;
  }
  return out;
}

/** Instances of one class asked for symbols without any before its instances are no longer asked. */
const ASKED = 16;

/**
 * Per class (prototype), how many of its instances in a row had no symbol fields; -1 for a class
 * whose instance had some (always asked). The language's own errors start as never asked.
 */
const quiet = new WeakMap<object, number>(
  [Error, TypeError, RangeError, SyntaxError, ReferenceError, EvalError, URIError, AggregateError].map((type) => [
    type.prototype,
    ASKED,
  ]),
);

/** What {@link symbolFields} gives for an error without symbol fields (shared: never written to). */
const NONE: [string, string, unknown][] = [];

/**
 * The own enumerable symbol-keyed fields of `error` as `[key, description, value]` (at most
 * `max`), without those that hold a boolean: a brand (undici's `Symbol(undici.error.UND_ERR)`:
 * true) says nothing the type and code do not. Empty when it has none or they cannot be read.
 * The question costs more than the rest of an error's walk (60-150 ns), and symbol fields are a
 * library class's state, set by its constructor: an instance of the language's own classes
 * (`new Error()`) is not asked, nor one of a class {@link ASKED} of whose instances in a row had none.
 */
export function symbolFields(error: object, max: number): [string, string, unknown][] {
  let symbols: symbol[];
  let proto: object | null;
  try {
    proto = Object.getPrototypeOf(error) as object | null;
    const count = proto === null ? 0 : (quiet.get(proto) ?? 0);
    if (count >= ASKED) return NONE;
    symbols = Object.getOwnPropertySymbols(error);
    if (proto !== null && count >= 0) quiet.set(proto, symbols.length === 0 ? count + 1 : -1);
  } catch {
    return NONE;
  }
  if (symbols.length === 0) return NONE;
  const out: [string, string, unknown][] = [];
  for (const symbol of symbols) {
    if (out.length === max) break;
    try {
      if (!Object.prototype.propertyIsEnumerable.call(error, symbol)) continue;
      const value = (error as Record<symbol, unknown>)[symbol];
      const description = symbol.description ?? '';
      if (typeof value !== 'boolean') out.push([`Symbol(${description})`, description, value]);
    } catch {
      // A field whose read throws is left out.
    }
  }
  return out;
}
