/**
 * Floor-like gRPC servers for issue 22, item 4 (how the request id travels): plain grpc-js
 * handlers answering every call with a status built by hand, each a candidate shape of the
 * trailers, so `bench:grpc-instructions` and `bench:grpc-bytes` compare them with the floor
 * (`grpc-plain-error-trailers`, Faultline's exact trailers through grpc-js's `Metadata`) and with
 * Faultline's own answer. Every mode makes the same pg-like error and a fresh UUID per call.
 *
 * - `grpc-floor-id-only`: only `x-request-id` (no rich status): what the details cost.
 * - `grpc-floor-strings`: Faultline's exact trailers as two strings (the id and the details'
 *   base64, spliced per call from a template's base64 around the id) through a `Metadata`
 *   subclass that answers grpc-js's clone and `toHttp2Headers` from them, as `@faultline/grpc` does.
 * - `grpc-floor-short`: as `grpc-floor-strings`, but the details carry the id once (RequestInfo
 *   only; ErrorInfo without its `requestId` metadata entry): a shorter encoding.
 * - `grpc-floor-never-indexed`: as `grpc-floor-strings`, both trailers marked never-indexed
 *   (`http2.sensitiveHeaders`): HPACK keeps them out of both ends' dynamic tables.
 */
import { randomUUID } from 'node:crypto';
import { sensitiveHeaders } from 'node:http2';
import { encodeStatusDetails } from '@faultline/core/adapter';
import { Metadata, type UntypedServiceImplementation } from '@grpc/grpc-js';
import { pgError } from './pg-error.js';

/** The floor-like gRPC modes. */
export const GRPC_FLOOR_MODES = [
  'grpc-floor-id-only',
  'grpc-floor-strings',
  'grpc-floor-short',
  'grpc-floor-never-indexed',
] as const;
/** A floor-like gRPC mode. */
export type GrpcFloorMode = (typeof GRPC_FLOOR_MODES)[number];

/** A status's trailers as two strings; grpc-js clones it and asks the clone for its HTTP/2 headers. */
class StringTrailers extends Metadata {
  constructor(
    private readonly id: string,
    private readonly details: string | undefined,
    private readonly sensitive: boolean,
  ) {
    super();
  }
  override clone(): Metadata {
    return new StringTrailers(this.id, this.details, this.sensitive);
  }
  override toHttp2Headers(): ReturnType<Metadata['toHttp2Headers']> {
    const headers: Record<string | symbol, unknown> = { 'x-request-id': this.id };
    if (this.details !== undefined) headers['grpc-status-details-bin'] = this.details;
    if (this.sensitive) headers[sensitiveHeaders] = ['x-request-id', 'grpc-status-details-bin'];
    return headers as ReturnType<Metadata['toHttp2Headers']>;
  }
}

/** One protobuf length-delimited field. */
function field(tag: number, payload: Buffer): Buffer {
  const length: number[] = [];
  let rest = payload.length;
  while (rest > 0x7f) {
    length.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  length.push(rest);
  return Buffer.concat([Buffer.from([(tag << 3) | 2, ...length]), payload]);
}

/** `google.rpc.Status` of `code`/`message` with ErrorInfo (no metadata) and RequestInfo of `id`. */
function shortDetails(code: number, message: string, reason: string, domain: string, id: string): Buffer {
  const any = (name: string, value: Buffer) =>
    field(3, Buffer.concat([field(1, Buffer.from(`type.googleapis.com/google.rpc.${name}`)), field(2, value)]));
  const errorInfo = Buffer.concat([field(1, Buffer.from(reason)), field(2, Buffer.from(domain))]);
  const requestInfo = field(1, Buffer.from(id));
  return Buffer.concat([
    Buffer.from([0x08, code]),
    field(2, Buffer.from(message)),
    any('ErrorInfo', errorInfo),
    any('RequestInfo', requestInfo),
  ]);
}

/**
 * The details' base64 spliced around the id: the template's bytes are cut at 3-byte boundaries
 * around each id, the constant parts encoded once, and a call encodes only the windows holding
 * the id (as `@faultline/grpc`'s `details-base64.ts` does).
 */
function splicer(template: Buffer, sampleId: string): (id: string) => string {
  const offsets: number[] = [];
  for (let at = template.indexOf(sampleId); at !== -1; at = template.indexOf(sampleId, at + 1)) offsets.push(at);
  const windows = offsets.map((o) => [o - (o % 3), Math.min(template.length, Math.ceil((o + 36) / 3) * 3)] as const);
  const constants: string[] = [];
  let from = 0;
  for (const [start, end] of windows) {
    constants.push(template.toString('base64', from, start));
    from = end;
  }
  constants.push(template.toString('base64', from));
  const scratch = Buffer.from(template);
  return (id) => {
    for (const offset of offsets) scratch.write(id, offset, 'latin1');
    let text = constants[0] ?? '';
    for (let i = 0; i < windows.length; i += 1) {
      const window = windows[i] as readonly [number, number];
      text += scratch.toString('base64', window[0], window[1]) + (constants[i + 1] ?? '');
    }
    return text;
  };
}

/** The handler of `mode`. */
export async function floorImplementation(mode: GrpcFloorMode): Promise<UntypedServiceImplementation> {
  const { capture } = await import('@faultline/core');
  const sample = capture(pgError());
  const full = Buffer.from(encodeStatusDetails(sample, 'faultline'));
  const details =
    mode === 'grpc-floor-id-only'
      ? undefined
      : splicer(
          mode === 'grpc-floor-short'
            ? shortDetails(sample.grpcCode, sample.message, sample.code, 'faultline', sample.id)
            : full,
          sample.id,
        );
  const sensitive = mode === 'grpc-floor-never-indexed';
  return {
    get(_call: unknown, callback: (error: unknown) => void) {
      pgError(); // the same allocation as every other error mode
      const id = randomUUID();
      const metadata = new StringTrailers(id, details?.(id), sensitive);
      callback({ code: sample.grpcCode, details: sample.message, metadata });
    },
  } as unknown as UntypedServiceImplementation;
}
