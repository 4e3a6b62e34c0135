/**
 * `google.rpc.Status` bytes written field by field with @bufbuild/protobuf's wire writer, so a
 * hostile test server can send what no well-behaved encoder would (100 KB reasons, `__proto__`
 * metadata keys, negative delays, mismatched codes).
 */
import { BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

const TYPE = 'type.googleapis.com/google.rpc.';

/** What one hostile status carries; every member optional. */
export interface HostileStatus {
  code: number;
  message?: string;
  reason?: string;
  domain?: string;
  metadata?: Record<string, string>;
  requestId?: string;
  retryDelaySeconds?: bigint | number;
  violations?: { field: string; description: string }[];
}

function any(name: string, write: (w: BinaryWriter) => void): Uint8Array {
  const inner = new BinaryWriter();
  write(inner);
  return new BinaryWriter()
    .tag(1, WireType.LengthDelimited)
    .string(`${TYPE}${name}`)
    .tag(2, WireType.LengthDelimited)
    .bytes(inner.finish())
    .finish();
}

/** Encodes `status` as a `grpc-status-details-bin` value. */
export function statusBytes(status: HostileStatus): Buffer {
  const details: Uint8Array[] = [];
  if (status.reason !== undefined) {
    details.push(
      any('ErrorInfo', (w) => {
        w.tag(1, WireType.LengthDelimited).string(status.reason ?? '');
        w.tag(2, WireType.LengthDelimited).string(status.domain ?? 'example.com');
        for (const [key, value] of Object.entries(status.metadata ?? {})) {
          w.tag(3, WireType.LengthDelimited).fork();
          w.tag(1, WireType.LengthDelimited).string(key).tag(2, WireType.LengthDelimited).string(value);
          w.join();
        }
      }),
    );
  }
  if (status.requestId !== undefined) {
    details.push(any('RequestInfo', (w) => w.tag(1, WireType.LengthDelimited).string(status.requestId ?? '')));
  }
  if (status.retryDelaySeconds !== undefined) {
    const seconds = status.retryDelaySeconds;
    details.push(
      any('RetryInfo', (w) => w.tag(1, WireType.LengthDelimited).fork().tag(1, WireType.Varint).int64(seconds).join()),
    );
  }
  if (status.violations !== undefined) {
    const violations = status.violations;
    details.push(
      any('BadRequest', (w) => {
        for (const v of violations) {
          w.tag(1, WireType.LengthDelimited).fork();
          w.tag(1, WireType.LengthDelimited).string(v.field).tag(2, WireType.LengthDelimited).string(v.description);
          w.join();
        }
      }),
    );
  }
  const w = new BinaryWriter().tag(1, WireType.Varint).int32(status.code);
  if (status.message !== undefined) w.tag(2, WireType.LengthDelimited).string(status.message);
  for (const d of details) w.tag(3, WireType.LengthDelimited).bytes(d);
  return Buffer.from(w.finish());
}
