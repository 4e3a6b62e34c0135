/**
 * Request decoding that cannot fail past Faultline. grpc-js answers a request it cannot
 * deserialize, or one over its size limit, from deep inside the call, where no interceptor sees
 * the status. Wrapped deserializers never throw: they return a marker the wrapped handler turns
 * into a sanitized `validation` or `payload_too_large` fault, logged with the real cause.
 */
import type { ServiceDefinition } from '@grpc/grpc-js';

/** What a wrapped deserializer returns instead of throwing. */
export class RequestDecodeFailure {
  constructor(
    readonly reason: 'deserialize' | 'too_large',
    readonly cause: unknown,
    readonly size: number,
  ) {}
}

/** True for the marker returned by a wrapped deserializer. */
export function isDecodeFailure(value: unknown): value is RequestDecodeFailure {
  return value instanceof RequestDecodeFailure;
}

/** Options of {@link guardDefinition}. */
export interface RequestGuardOptions {
  /**
   * Largest request message in bytes (default 4 MiB, grpc-js's default). Set the server's
   * `grpc.max_receive_message_length` above it (twice it, say) so this limit, and its sanitized
   * answer, applies; keep that bounded: grpc-js inflates compressed messages up to it (-1: whole).
   */
  readonly maxReceiveMessageLength?: number;
}

/**
 * A copy of `definition` whose request deserializers never throw and enforce the size limit, for
 * `server.addService` with `wrapService`'s handlers, which answer a request that failed to decode
 * (an unwrapped handler would get the failure as its request). `addFaultlineService` uses it.
 */
export function guardDefinition(definition: ServiceDefinition, options: RequestGuardOptions = {}): ServiceDefinition {
  const limit = options.maxReceiveMessageLength ?? 4 * 1024 * 1024;
  const guarded: Record<string, unknown> = {};
  for (const [name, method] of Object.entries(definition)) {
    const deserialize = method.requestDeserialize;
    guarded[name] = {
      ...method,
      requestDeserialize: (bytes: Buffer) => {
        if (limit >= 0 && bytes.byteLength > limit)
          return new RequestDecodeFailure('too_large', undefined, bytes.byteLength);
        try {
          return deserialize(bytes);
        } catch (error) {
          return new RequestDecodeFailure('deserialize', error, bytes.byteLength);
        }
      },
    };
  }
  return guarded as ServiceDefinition;
}
