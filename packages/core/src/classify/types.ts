/** The contract every classifier implements. */
import type { FieldViolation } from '../field-violation.js';
import type { ObjectLike } from '../safe-access.js';
import type { Category } from '../taxonomy.js';

/** What a classifier concluded about one error object. */
export interface Classification {
  /** The category the error belongs to. */
  readonly category: Category;
  /** Short machine-readable reason for the logs (e.g. `pg:23505`); never shown to clients. */
  readonly reason: string;
  /** A catalog or built-in code to use instead of the category default (must be defined). */
  readonly code?: string;
  /** The operation may succeed if retried (e.g. serialization failure): gRPC ABORTED for conflicts. */
  readonly retryable?: boolean;
  /** Public field violations, built only from sanitised pointers and generic text. */
  readonly fieldViolations?: readonly FieldViolation[];
  /** Seconds the client should wait before retrying, when the error says so (rate limiters). */
  readonly retryAfter?: number;
  /**
   * A validation library's verdict that may concern server-side data (a DB row, an upstream
   * answer): it is the client's fault only when its pointers resolve in the request's input
   * (`CaptureContext.input`); otherwise `capture` makes it `internal`.
   */
  readonly inputBound?: boolean;
  /**
   * The library reports a missing field as a type failure on an absent value (zod's
   * `invalid_type`): such a violation under a parent that resolves in the input is answered as
   * "required".
   */
  readonly missingAsType?: boolean;
  /**
   * The document the library validated, when it says (Yup's `value`, Joi's `_original`): the
   * verdict is the client's only when that document is one of the request's inputs.
   */
  readonly document?: unknown;
}

/**
 * Recognises one family of errors structurally (by fields, never by trusting foreign status
 * codes or messages) and maps it to a category. Must use the safe-access helpers; a classifier
 * that throws anyway is skipped.
 */
export interface Classifier {
  /** A short name for logs (e.g. `pg`). */
  readonly name: string;
  /** Returns a classification, or `undefined` when the error is not of this family. */
  classify(error: ObjectLike): Classification | undefined;
}
