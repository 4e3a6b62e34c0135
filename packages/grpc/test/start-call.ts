/**
 * One call of the generic client's method kinds, for the corpus and OpenTelemetry tests: starts a
 * call of `kind` (`unary`, `serverStream`, `clientStream` or `bidi`) with `input`, and calls `done`
 * with the error it ends with, or `null` when it succeeds.
 */
import { Metadata, type ServiceError } from '@grpc/grpc-js';

/** A generic client, its methods looked up by name. */
export type GenericClient = Record<string, (...args: unknown[]) => unknown>;

/** Starts the call; `done` gets its error, or `null` for a success. */
export function startCall(
  client: GenericClient,
  kind: string,
  input: unknown,
  metadata: Metadata,
  options: { deadline: number },
  done: (error: ServiceError | null) => void,
): void {
  if (kind === 'unary') {
    (client.unary as (...a: unknown[]) => unknown)(input, metadata, options, done);
  } else if (kind === 'clientStream') {
    const stream = (client.clientStream as (...a: unknown[]) => { write(m: unknown): void; end(): void })(
      metadata,
      options,
      done,
    );
    stream.write(input);
    stream.end();
  } else {
    const stream = (
      kind === 'serverStream'
        ? (client.serverStream as (...a: unknown[]) => unknown)(input, metadata, options)
        : (client.bidi as (...a: unknown[]) => unknown)(metadata, options)
    ) as { on(e: string, f: (x: unknown) => void): void; write?(m: unknown): void; end?(): void };
    stream.on('data', () => undefined);
    stream.on('error', (error) => done(error as ServiceError));
    stream.on('end', () => undefined);
    if (kind === 'bidi') {
      stream.write?.(input);
      stream.end?.();
    }
  }
}

/**
 * One call of `kind` with `input` and `headers` as its metadata, under a deadline of `ms` (which
 * ends a hang); resolves with the error it ends with, or `null` when it succeeds.
 */
export function callWith(
  client: GenericClient,
  kind: string,
  headers: Readonly<Record<string, string>>,
  ms = 5000,
  input: unknown = { n: 1 },
): Promise<ServiceError | null> {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(headers)) metadata.set(key, value);
  return new Promise((resolve) => startCall(client, kind, input, metadata, { deadline: Date.now() + ms }, resolve));
}
