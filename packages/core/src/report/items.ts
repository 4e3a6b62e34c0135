/**
 * What the response thread hands over for each record: plain data only (structured-clone-safe),
 * read from the fault and its thrown value with the safe accessors and bounded there. A full
 * record carries a snapshot of the thrown value (raw stack string included); a repeat carries
 * its id and context; a notice carries its line. Redaction, stack formatting, fingerprints and
 * serialization happen where the items are written (this thread or a worker).
 */
import { thrownTypeLabel } from '../captured-internal.js';
import type { Fault } from '../fault.js';
import { FaultError } from '../fault-error.js';
import { markCut } from '../redact/cut.js';
import type { Redactor } from '../redact/redactor.js';
import type { SnapNode } from '../redact/snapshot.js';
import type { Protocol } from './telemetry.js';
import type { ReportContext } from './types.js';

/**
 * The request context of a record, raw; method and route marked for a cut to length that happens
 * once they are redacted (`markCut`: a secret the cut went through would be written in part).
 */
export interface CtxItem {
  readonly protocol?: Protocol;
  readonly method?: string;
  readonly route?: string;
  readonly traceId?: string;
  readonly attributes?: SnapNode;
}

/** Most characters of a record's method (an HTTP method, or a gRPC method path), redacted first. */
const MAX_METHOD = 256;
/** Most characters of a record's route, redacted first. */
const MAX_ROUTE = 512;

/** A first occurrence: written in full. */
export interface FullItem {
  readonly k: 'f';
  /** The repeat window's handle of this fingerprint. */
  readonly h: number;
  /** Code, reason and error signature: the fingerprint's first half. */
  readonly key: string;
  readonly id: string;
  readonly code: string;
  readonly category: string;
  readonly status: number;
  readonly server: boolean;
  readonly errorType: string;
  readonly classifier: string;
  readonly reason: string;
  readonly source: string | undefined;
  readonly rejected: string | undefined;
  readonly ctx: CtxItem | undefined;
  readonly thrown: SnapNode;
  readonly meta: SnapNode | undefined;
  /** Sequence number when the OTel exception record is wanted back, else -1. */
  readonly otel: number;
}

/** A repeat of a first occurrence within the window: one id in a compact line. */
export interface RepeatItem {
  readonly k: 'r';
  readonly h: number;
  readonly first: string;
  readonly id: string;
  readonly code: string;
  readonly status: number;
  readonly server: boolean;
  readonly ctx: CtxItem | undefined;
  /** The incoming id refused for this request (already escaped), kept even when the fault repeats. */
  readonly rejected: string | undefined;
}

/** A pipeline notice (dropped records). */
export interface NoticeItem {
  readonly k: 'n';
  readonly record: Record<string, unknown>;
  readonly message: string;
}

/** One thing to write. */
export type Item = FullItem | RepeatItem | NoticeItem;

/**
 * The context's fields as plain data. `attributes`: the snapshot of `ctx.attributes` the reporter
 * took when the fault was reported (the object may have changed since).
 */
export function ctxItem(ctx: ReportContext | undefined, attributes: SnapNode | undefined): CtxItem | undefined {
  if (ctx === undefined) return undefined;
  const out: { -readonly [K in keyof CtxItem]: CtxItem[K] } = {};
  if (ctx.protocol !== undefined) out.protocol = ctx.protocol;
  const method = methodOf(ctx);
  if (method !== undefined) out.method = method;
  const route = routeOf(ctx);
  if (route !== undefined) out.route = route;
  const traceId = traceIdOf(ctx);
  if (traceId !== undefined) out.traceId = traceId;
  if (attributes !== undefined) out.attributes = attributes;
  return out;
}

/** The context's method as a record keeps it (cut, marked), or `undefined`. */
const methodOf = (ctx: ReportContext): string | undefined =>
  typeof ctx.method === 'string' ? markCut(ctx.method, MAX_METHOD) : undefined;
/** The context's route as a record keeps it (cut, marked), or `undefined`. */
const routeOf = (ctx: ReportContext): string | undefined =>
  typeof ctx.route === 'string' ? markCut(ctx.route, MAX_ROUTE) : undefined;
/** The context's trace id as a record keeps it, or `undefined`. */
const traceIdOf = (ctx: ReportContext): string | undefined =>
  typeof ctx.traceId === 'string' ? ctx.traceId.slice(0, 64) : undefined;

/** The full item of `fault` (reads the thrown value, its stack included). */
export function fullItem(
  fault: Fault,
  ctx: ReportContext | undefined,
  attributes: SnapNode | undefined,
  h: number,
  key: string,
  redactor: Redactor,
  otel: number,
): FullItem {
  const thrown = fault.internal.thrown;
  // The label the repeat check read for this fault: read once (constructor, name, an identifier test).
  const thrownType = thrownTypeLabel(fault.internal);
  return {
    k: 'f',
    h,
    key,
    id: fault.id,
    code: fault.code,
    category: fault.category,
    status: fault.status,
    server: fault.serverFault,
    errorType: fault.internal.errorType,
    classifier: fault.internal.classifier,
    reason: fault.internal.reason,
    source: fault.internal.source,
    rejected: fault.internal.rejectedRequestId,
    ctx: ctxItem(ctx, attributes),
    thrown: redactor.snapshot(thrown, thrownType),
    meta: FaultError.is(thrown) && thrown.meta !== undefined ? redactor.snapshot(thrown.meta) : undefined,
    otel,
  };
}

/** A {@link RepeatItem} whose fields are rewritten for each repeat (see {@link RepeatScratch}). */
type Writable<T> = { -readonly [K in keyof T]: T[K] };
/** A {@link CtxItem} with every field present, `undefined` when absent. */
type ScratchCtx = { -readonly [K in keyof CtxItem]-?: CtxItem[K] | undefined };

/**
 * One repeat item and its context, reused for every repeat written at once on this thread
 * (`Intake.repeatNow`): the writer reads them while it batches the repeat and keeps neither, and
 * a fresh pair for each (about 150 bytes) was most of what a repeat allocated. Every field is
 * always present (`undefined` when absent): readers test fields against `undefined`, never `in`.
 * The caller keeps `busy` set while the item filled last is being written (and makes a fresh item
 * with {@link repeatItem} meanwhile).
 */
export class RepeatScratch {
  readonly #ctx: ScratchCtx = {
    protocol: undefined,
    method: undefined,
    route: undefined,
    traceId: undefined,
    attributes: undefined,
  };
  readonly #item: Writable<RepeatItem> = {
    k: 'r',
    h: 0,
    first: '',
    id: '',
    code: '',
    status: 0,
    server: false,
    ctx: undefined,
    rejected: undefined,
  };
  /** True while the item filled last is being written. */
  busy = false;

  /** The repeat item of `fault`, in the reused objects (not while {@link busy}). */
  fill(
    fault: Fault,
    ctx: ReportContext | undefined,
    attributes: SnapNode | undefined,
    h: number,
    first: string,
  ): RepeatItem {
    const item = this.#item;
    item.h = h;
    item.first = first;
    item.id = fault.id;
    item.code = fault.code;
    item.status = fault.status;
    item.server = fault.serverFault;
    item.rejected = fault.internal.rejectedRequestId;
    if (ctx === undefined) item.ctx = undefined;
    else {
      const out = this.#ctx;
      out.protocol = ctx.protocol;
      out.method = methodOf(ctx);
      out.route = routeOf(ctx);
      out.traceId = traceIdOf(ctx);
      out.attributes = attributes;
      // Absent fields are `undefined`, which every reader treats as absent.
      item.ctx = out as CtxItem;
    }
    return item;
  }

  /** Lets go of what the item filled last refers to (its attributes may be large). */
  clear(): void {
    this.#ctx.attributes = undefined;
  }
}

/** The repeat item of `fault`. */
export function repeatItem(
  fault: Fault,
  ctx: ReportContext | undefined,
  attributes: SnapNode | undefined,
  h: number,
  first: string,
): RepeatItem {
  return {
    k: 'r',
    h,
    first,
    id: fault.id,
    code: fault.code,
    status: fault.status,
    server: fault.serverFault,
    ctx: ctxItem(ctx, attributes),
    rejected: fault.internal.rejectedRequestId,
  };
}
