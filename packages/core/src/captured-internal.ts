/** The internal side of a fault made by `capture`, with its type label read only when asked for. */
import type { FaultInternal } from './fault.js';
import { typeLabel } from './safe-access.js';

/**
 * The internal side of a captured fault. The type label reads the value's constructor and name
 * (about a third of a microsecond): it is computed when a log record or span first asks for it,
 * never on a response path that writes no record.
 */
export class CapturedInternal implements FaultInternal {
  #errorType: string | undefined;
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
    this.#errorType ??= typeLabel(this.thrown);
    return this.#errorType;
  }
}
