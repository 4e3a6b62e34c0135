/**
 * The shape of a snapshot (snapshot.ts): the plain, JSON-safe and structured-clone-safe copy of a
 * thrown value that the redactor's second half reads, on any thread.
 */

/**
 * A literal the walk produced (`[Circular]`, a date, a type label): written as it is but for the
 * value patterns (a type label is a name the value chose, and could be a token).
 */
export interface SnapLabel {
  readonly l: string;
}

/** A plain object: raw keys (marked to be cut at 128 characters, see cut.ts) to their values. */
export interface SnapObject {
  readonly o: { [key: string]: SnapNode };
}

/** An error: its type label, raw message and stack, own fields, cause and aggregated errors. */
export interface SnapError {
  readonly e: {
    readonly type: string;
    readonly message?: string;
    readonly stack?: string;
    readonly props: { [key: string]: SnapNode };
    readonly cause?: SnapNode;
    readonly errors?: SnapNode[];
  };
}

/** One node of a snapshot: user text is a plain string, user numbers and booleans as they are. */
export type SnapNode = string | number | boolean | null | SnapNode[] | SnapLabel | SnapObject | SnapError;

/** The bounds of a walk (the redactor's options). */
export interface SnapshotBounds {
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly maxKeys: number;
  readonly maxNodes: number;
  /**
   * Most characters of text in one walk: strings, keys and labels together (each string is cut
   * to `maxStringLength` too). Without it, `maxNodes` strings of `maxStringLength` made one record
   * of many megabytes.
   */
  readonly maxTotalLength: number;
  /** True for a key whose value is never read (written `[REDACTED]`). */
  readonly sensitiveKey: (key: string) => boolean;
}
