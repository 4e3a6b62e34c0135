/**
 * Items as they cross to the worker: positional arrays instead of objects, the thrown error's
 * fields inlined. Structured clone writes no keys for an array, so a batch costs the response
 * thread about half what objects cost, and a third of `JSON.stringify` plus posting the string
 * (measured on 50,000 distinct-shape items: 1.5 µs per item against 3.2 µs and 5.5 µs).
 */
import type { SnapError, SnapNode } from '../redact/snapshot.js';
import type { CtxItem, FullItem, Item, RepeatItem } from './items.js';

/** The error of a full item inlined: type, message, stack, props, cause, errors. */
type WireError = [
  string,
  string | undefined,
  string | undefined,
  { [key: string]: SnapNode },
  SnapNode | undefined,
  SnapNode[] | undefined,
];

/**
 * A context inlined (see {@link toWire}): 1 when there is one, then its protocol, method, route,
 * trace id and attributes (`undefined` when absent). An object on the wire cost each thread a
 * key per field (a cloned object's keys are written, read back and looked up in V8's string table).
 */
type WireCtx = [
  0 | 1,
  CtxItem['protocol'],
  CtxItem['method'],
  CtxItem['route'],
  CtxItem['traceId'],
  CtxItem['attributes'],
];

/** One item on the wire (see {@link toWire}). */
export type WireItem =
  | [
      'f',
      number,
      string,
      string,
      string,
      string,
      number,
      boolean,
      string,
      string,
      string,
      string | undefined,
      string | undefined,
      ...WireCtx,
      /** 1: `thrown` is a {@link WireError}; 0: the snapshot as is. */
      0 | 1,
      WireError | SnapNode,
      SnapNode | undefined,
      number,
    ]
  | ['r', number, string, string, string, number, boolean, string | undefined, ...WireCtx]
  | ['n', Record<string, unknown>, string];

function isError(node: SnapNode): node is SnapError {
  return typeof node === 'object' && node !== null && !Array.isArray(node) && 'e' in node;
}

/** The wire form of `item`. */
export function toWire(item: Item): WireItem {
  switch (item.k) {
    case 'f': {
      const t = item.thrown;
      const inline = isError(t);
      const thrown: WireError | SnapNode = inline
        ? [t.e.type, t.e.message, t.e.stack, t.e.props, t.e.cause, t.e.errors]
        : t;
      return [
        'f',
        item.h,
        item.key,
        item.id,
        item.code,
        item.category,
        item.status,
        item.server,
        item.errorType,
        item.classifier,
        item.reason,
        item.source,
        item.rejected,
        ...wireCtx(item.ctx),
        inline ? 1 : 0,
        thrown,
        item.meta,
        item.otel,
      ];
    }
    case 'r':
      return [
        'r',
        item.h,
        item.first,
        item.id,
        item.code,
        item.status,
        item.server,
        item.rejected,
        ...wireCtx(item.ctx),
      ];
    case 'n':
      return ['n', item.record, item.message];
  }
}

/** The wire form of `ctx`. */
function wireCtx(ctx: CtxItem | undefined): WireCtx {
  return ctx === undefined
    ? [0, undefined, undefined, undefined, undefined, undefined]
    : [1, ctx.protocol, ctx.method, ctx.route, ctx.traceId, ctx.attributes];
}

/**
 * The context at `at` in `wire`: every field present, `undefined` when absent (readers test
 * fields against `undefined`, never `in`; see `RepeatScratch`).
 */
function ctxOf(wire: readonly unknown[], at: number): CtxItem | undefined {
  if (wire[at] !== 1) return undefined;
  return {
    protocol: wire[at + 1],
    method: wire[at + 2],
    route: wire[at + 3],
    traceId: wire[at + 4],
    attributes: wire[at + 5],
  } as CtxItem;
}

/** The snapshot error of a {@link WireError}, with only the fields it had. */
function errorOf(w: WireError): SnapNode {
  const e: { -readonly [K in keyof SnapError['e']]: unknown } = { type: w[0], props: w[3] };
  if (w[1] !== undefined) e.message = w[1];
  if (w[2] !== undefined) e.stack = w[2];
  if (w[4] !== undefined) e.cause = w[4];
  if (w[5] !== undefined) e.errors = w[5];
  return { e } as SnapNode;
}

/** The item `wire` stands for (throws on a malformed one: the caller counts it). */
export function fromWire(wire: WireItem): Item {
  switch (wire[0]) {
    case 'f': {
      const full: FullItem = {
        k: 'f',
        h: wire[1],
        key: wire[2],
        id: wire[3],
        code: wire[4],
        category: wire[5],
        status: wire[6],
        server: wire[7],
        errorType: wire[8],
        classifier: wire[9],
        reason: wire[10],
        source: wire[11],
        rejected: wire[12],
        ctx: ctxOf(wire, 13),
        thrown: wire[19] === 1 ? errorOf(wire[20] as WireError) : (wire[20] as SnapNode),
        meta: wire[21],
        otel: wire[22],
      };
      return full;
    }
    case 'r': {
      const repeat: RepeatItem = {
        k: 'r',
        h: wire[1],
        first: wire[2],
        id: wire[3],
        code: wire[4],
        status: wire[5],
        server: wire[6],
        rejected: wire[7],
        ctx: ctxOf(wire, 8),
      };
      return repeat;
    }
    case 'n':
      return { k: 'n', record: wire[1], message: wire[2] };
  }
  throw new TypeError('unknown item');
}
