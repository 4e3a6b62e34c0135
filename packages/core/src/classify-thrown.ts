/**
 * Classifying a thrown value for `capture`: a real `FaultError`, or the first classifier that knows
 * it, looked for in the value and then in what it wraps (cause chains, ORM `driverError`/`parent`/
 * `original`), breadth first and bounded; an AggregateError is classified as a whole (its members
 * agreeing on a category, else `internal`).
 */
import { BUILTIN_CLASSIFIERS } from './classify/index.js';
import type { Classification, Classifier } from './classify/types.js';
import { FaultError } from './fault-error.js';
import { isObjectLike, type ObjectLike, safeGet, safeGetArray } from './safe-access.js';
import type { Category } from './taxonomy.js';

/** Properties through which wrappers point at the error they wrap, in the order they are followed. */
const NESTED_KEYS = ['cause', 'driverError', 'original', 'parent', 'originalError', 'error'] as const;
/** Most objects looked at while following one chain (cycles are cut too). */
const MAX_VISITS = 24;
/** Most members of an AggregateError that are classified. */
const MAX_AGGREGATE = 16;

/** What classifying a thrown value found: a trusted fault, or a classifier's verdict, and who said it. */
export interface Verdict {
  readonly fault?: FaultError;
  readonly classification?: Classification;
  readonly classifier: string;
}

/** The verdict when nothing knows the value: internal, unclassified. */
export const DEFAULT_VERDICT: Verdict = {
  classifier: 'default',
  classification: { category: 'internal', reason: 'unclassified' },
};

function runClassifiers(candidate: ObjectLike, classifiers: readonly Classifier[]): Verdict | undefined {
  for (const classifier of classifiers) {
    try {
      const result = classifier.classify(candidate);
      if (result !== undefined) return { classification: result, classifier: classifier.name };
    } catch {
      // A classifier that throws on a hostile value is skipped; the next one may still know it.
    }
  }
  return undefined;
}

function classifyAggregate(members: unknown[], classifiers: readonly Classifier[], depth: number): Verdict | undefined {
  if (members.length === 0) return undefined;
  let agreed: Category | undefined;
  let first: Verdict | undefined;
  for (const member of members) {
    const verdict = classifyValue(member, classifiers, depth + 1) ?? DEFAULT_VERDICT;
    const category = verdict.fault?.category ?? verdict.classification?.category ?? 'internal';
    if (first === undefined) {
      first = verdict;
      agreed = category;
    } else if (agreed !== category) {
      return { classifier: 'aggregate', classification: { category: 'internal', reason: 'aggregate:mixed' } };
    }
  }
  if (first?.fault !== undefined) {
    // Members agree on a category; the public side of the first trusted member speaks for them.
    return first;
  }
  return first === undefined ? undefined : { ...first, classifier: `aggregate:${first.classifier}` };
}

/** A trusted fault, or what the first classifier that knows the value says. */
function visit(candidate: ObjectLike, classifiers: readonly Classifier[]): Verdict | undefined {
  if (FaultError.is(candidate)) return { fault: candidate, classifier: 'fault' };
  return runClassifiers(candidate, classifiers);
}

/**
 * What `classifiers` (or a `FaultError`) say about `thrown`: the value itself first, then what it
 * wraps: most thrown values are known at once, and only the others pay for the walk (#22: a Set
 * and a queue per answer were a tenth of Faultline's bytes). `undefined` when nothing knows it.
 */
export function classifyValue(thrown: unknown, classifiers: readonly Classifier[], depth = 0): Verdict | undefined {
  if (depth > 3 || !isObjectLike(thrown)) return undefined;
  return visit(thrown, classifiers) ?? walkWrapped(thrown, classifiers, depth);
}

/** Walks what `first` wraps (aggregates, causes), breadth first, bounded by `MAX_VISITS`. */
function walkWrapped(first: ObjectLike, classifiers: readonly Classifier[], depth: number): Verdict | undefined {
  const seen = new Set<object>([first]);
  const queue: unknown[] = [];
  let candidate: ObjectLike | undefined = first;
  while (candidate !== undefined) {
    const members = safeGetArray(candidate, 'errors', MAX_AGGREGATE);
    if (members !== undefined && members.length > 0 && members.some(isObjectLike)) {
      const aggregate = classifyAggregate(members, classifiers, depth);
      if (aggregate !== undefined) return aggregate;
    }
    for (const key of NESTED_KEYS) {
      const nested = safeGet(candidate, key);
      if (isObjectLike(nested)) queue.push(nested);
    }
    candidate = undefined;
    while (queue.length > 0 && seen.size < MAX_VISITS) {
      const next = queue.shift();
      if (!isObjectLike(next) || seen.has(next)) continue;
      seen.add(next);
      const verdict = visit(next, classifiers);
      if (verdict !== undefined) return verdict;
      candidate = next;
      break;
    }
  }
  return undefined;
}

const classifierListCache = new WeakMap<readonly Classifier[], readonly Classifier[]>();

/** The context's extra classifiers ahead of the built-in ones (one list per extra list, cached). */
export function classifiersFor(extra: readonly Classifier[] | undefined): readonly Classifier[] {
  if (extra === undefined || extra.length === 0) return BUILTIN_CLASSIFIERS;
  let list = classifierListCache.get(extra);
  if (list === undefined) {
    list = [...extra, ...BUILTIN_CLASSIFIERS];
    classifierListCache.set(extra, list);
  }
  return list;
}
