/** One bounded client call of each method kind, for the OpenTelemetry tests. */
import type * as GrpcJs from '@grpc/grpc-js';
import type { Metadata, ServiceError } from '@grpc/grpc-js';
import { startCall } from './start-call.js';

/** A method kind. */
export type Kind = 'unary' | 'serverStream' | 'clientStream' | 'bidi';

/** The server side of any call, as the failing handlers use it. */
export type AnyCall = {
  metadata: Metadata;
  emit(event: string, ...args: unknown[]): boolean;
  destroy(error?: unknown): void;
  once(event: string, fn: (...args: unknown[]) => void): void;
  on(event: string, fn: (...args: unknown[]) => void): void;
  write?(message: unknown): boolean;
};

/** A generic client, its methods looked up by name. */
export type Client = Record<string, (...args: unknown[]) => unknown> & { close(): void };

/**
 * Runs one call of `kind` with case `index` failing as `style`; resolves with the error it ended
 * with. A 3 s deadline, and a 4 s timer besides, turn a hang into a failure.
 */
export function call(grpc: typeof GrpcJs, client: Client, kind: Kind, index: number, style: string, input: unknown) {
  const metadata = new grpc.Metadata();
  metadata.set('x-case', String(index));
  metadata.set('x-style', style);
  const options = { deadline: Date.now() + 3000 };
  return new Promise<ServiceError>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${kind}/${style} hung`)), 4000);
    const done = (error: ServiceError | null) => {
      clearTimeout(timer);
      if (error) resolve(error);
      else reject(new Error('call succeeded'));
    };
    startCall(client, kind, input, metadata, options, done);
  });
}
