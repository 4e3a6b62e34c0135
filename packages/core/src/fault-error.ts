/**
 * `FaultError`: the only error whose category, code and public text Faultline trusts. It keeps
 * what the client may see (code, field violations, retry-after) apart from what only the logs may
 * see (internal message, cause, meta).
 */
import { type FieldViolation, normalizeFieldViolations } from './field-violation.js';
import { type PublicParams, type PublicParamType, validateParams } from './public-params.js';
import { type Category, TAXONOMY } from './taxonomy.js';

/** The public definition of one stable code, as held by a catalog. */
export interface CodeDefinition {
  /** The stable public code, e.g. `ORDER_NOT_FOUND`. */
  readonly code: string;
  /** The taxonomy category that decides the status on every protocol. */
  readonly category: Category;
  /** Generic public message; static text written by the developer, never built from input. */
  readonly message: string;
  /** RFC 9457 `type`: a documentation URI for the code, or `about:blank`. */
  readonly type: string;
  /** Declared public parameters (`{name}` in the message), with their types. */
  readonly params?: Readonly<Record<string, PublicParamType>>;
  /** Translations of the title and message by language tag (`de`, `pt-BR`), used by `Accept-Language`. */
  readonly translations?: Readonly<Record<string, CodeTranslation>>;
}

/** One translation of a code's public text. */
export interface CodeTranslation {
  /** The title (HTTP reason phrase) in this language; the taxonomy's English one when absent. */
  readonly title?: string;
  /** The message in this language (same `{name}` placeholders). */
  readonly message: string;
}

/** Options accepted when raising a fault. */
export interface FaultOptions {
  /** The internal cause: logged (redacted), never shown to the client. */
  readonly cause?: unknown;
  /** Internal message for the logs; defaults to the code and public message. */
  readonly message?: string;
  /** Public field violations (JSON Pointers with generic text). */
  readonly fieldViolations?: readonly FieldViolation[];
  /** Seconds the client should wait before retrying (sent as Retry-After / RetryInfo). */
  readonly retryAfter?: number;
  /** Internal context for the logs (redacted before it is written). */
  readonly meta?: Readonly<Record<string, unknown>>;
  /**
   * Values of the code's declared public parameters (shown in the message and as `params`).
   * Validated here: an undeclared name or an invalid value is dropped, never shown.
   */
  readonly params?: Readonly<Record<string, unknown>>;
  /**
   * Capture a full stack trace. Default: for server-side (5xx) categories; client-side ones keep
   * their first frames (where the fault was raised), since a full stack costs microseconds.
   * `false` captures none.
   */
  readonly stack?: boolean;
}

/** Stack frames kept for a client-side (4xx) fault: enough to show where it was raised. */
const CLIENT_STACK_FRAMES = 4;

/** Longest Retry-After Faultline will send, in seconds (one day). */
export const MAX_RETRY_AFTER_SECONDS = 86_400;

/** Clamps a retry-after value to whole seconds in [1, one day]; anything else becomes `undefined`. */
export function normalizeRetryAfter(value: unknown): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) return undefined;
  return Math.min(Math.ceil(value), MAX_RETRY_AFTER_SECONDS);
}

let lastDefinition: CodeDefinition | undefined;
let lastMessage = '';

/**
 * `<code>: <message>`, the internal message of a fault raised without one. Made once per frozen
 * definition in a row: built afresh, it was a new two-part string per fault, which the repeat
 * check then flattened (a copy) to compare with the last message (about 250 instructions and 60
 * bytes a repeat, callgrind and the allocation sampler).
 */
function defaultMessage(definition: CodeDefinition): string {
  if (definition === lastDefinition) return lastMessage;
  const message = `${definition.code}: ${definition.message}`;
  if (Object.isFrozen(definition)) {
    lastDefinition = definition;
    lastMessage = message;
  }
  return message;
}

/** An error raised on purpose by the application, with a stable public code. */
export class FaultError extends Error {
  /** The stable public code. */
  readonly code: string;
  /** The taxonomy category. */
  readonly category: Category;
  /** The generic public message from the catalog. */
  readonly publicMessage: string;
  /** RFC 9457 `type` URI. */
  readonly type: string;
  /** Public field violations, already sanitised. */
  readonly fieldViolations: readonly FieldViolation[];
  /** Public retry-after seconds, if any. */
  readonly retryAfter: number | undefined;
  /** Internal context for the logs. */
  readonly meta: Readonly<Record<string, unknown>> | undefined;
  /** Validated public parameters (declared by the code's definition). */
  readonly publicParams: PublicParams;
  /** The definition this fault was raised from (keys the pre-serialized response templates). */
  readonly definition: CodeDefinition;
  readonly #brand = true;

  /** Prefer a catalog factory or {@link FaultError.of}; this constructor always captures a stack. */
  constructor(definition: CodeDefinition, options: FaultOptions = {}) {
    super(
      typeof options.message === 'string' ? options.message : defaultMessage(definition),
      'cause' in options ? { cause: options.cause } : undefined,
    );
    this.name = 'FaultError';
    this.definition = definition;
    this.code = definition.code;
    this.category = definition.category;
    this.publicMessage = definition.message;
    this.type = definition.type;
    this.fieldViolations = Object.freeze(normalizeFieldViolations(options.fieldViolations));
    this.retryAfter = normalizeRetryAfter(options.retryAfter);
    this.meta = options.meta;
    this.publicParams = validateParams(definition.params, options.params);
  }

  /** True only for real `FaultError` instances (a look-alike object or Proxy is not trusted). */
  static is(value: unknown): value is FaultError {
    try {
      return typeof value === 'object' && value !== null && #brand in value;
    } catch {
      return false;
    }
  }

  /** Creates a fault for `definition`, capturing a stack only when {@link FaultOptions.stack} says so. */
  static create(definition: CodeDefinition, options: FaultOptions = {}): FaultError {
    const wantStack = options.stack ?? TAXONOMY[definition.category].serverFault;
    if (wantStack) return new FaultError(definition, options);
    const limit = Error.stackTraceLimit;
    // A client fault keeps its first frames (where it was raised) for the log; `stack: false` keeps none.
    Error.stackTraceLimit = options.stack === false ? 0 : CLIENT_STACK_FRAMES;
    try {
      return new FaultError(definition, options);
    } finally {
      Error.stackTraceLimit = limit;
    }
  }

  /** A fault with the category's built-in code and message, e.g. `FaultError.of('not_found')`. */
  static of(category: Category, options: FaultOptions = {}): FaultError {
    return FaultError.create(builtinDefinition(category), options);
  }
}

const builtinDefinitions = new Map<Category, CodeDefinition>();

/** The definition of a category's built-in code (`NOT_FOUND`, `INTERNAL`, …). */
export function builtinDefinition(category: Category): CodeDefinition {
  let definition = builtinDefinitions.get(category);
  if (definition === undefined) {
    const spec = TAXONOMY[category];
    definition = Object.freeze({ code: spec.code, category, message: spec.message, type: 'about:blank' });
    builtinDefinitions.set(category, definition);
  }
  return definition;
}
