/** The internal side of a fault made by `capture`, with its type label read only when asked for. */
import type { FaultInternal } from './fault.js';
import { typeLabel } from './safe-access.js';

/**
 * The internal side of a captured fault. The type label reads the value's constructor and name
 * (about a third of a microsecond): it is computed when a log record or span first asks for it,
 * never on a response path that writes no record, and once per fault however many readers ask
 * (the repeat check, the record's `error_type`, the snapshot of the thrown value).
 */
export class CapturedInternal implements FaultInternal {
  #errorType: string | undefined;
  #thrownType: string | undefined;
  constructor(
    readonly thrown: unknown,
    errorType: string | undefined,
    readonly classifier: string,
    readonly reason: string,
    readonly source: string | undefined,
    readonly rejectedRequestId: string | undefined,
  ) {
    this.#errorType = errorType;
  }

  get errorType(): string {
    this.#errorType ??= this.thrownType;
    return this.#errorType;
  }

  /**
   * `typeLabel(thrown)`, read once. Not always {@link errorType}: a FaultError thrown as itself
   * has the error type `FaultError` whatever its subclass, while its label is the subclass's name.
   */
  get thrownType(): string {
    this.#thrownType ??= typeLabel(this.thrown);
    return this.#thrownType;
  }
}

/**
 * The type label of `internal.thrown` (what `typeLabel` returns for it): the one a captured fault
 * remembered, else read now (an internal side built elsewhere).
 */
export function thrownTypeLabel(internal: FaultInternal): string {
  return internal instanceof CapturedInternal ? internal.thrownType : typeLabel(internal.thrown);
}
