/**
 * A connection's id: the client's `X-Request-Id` on the upgrade when the id policy keeps it, else
 * a fresh UUID. Resolved once, at the handshake (the 101 carries it) or when the connection
 * starts, and linked to every record of the connection.
 */
import type { IncomingMessage } from 'node:http';
import {
  type RecordFaultOptions,
  type Reporter,
  type RequestIdPolicy,
  type ResolvedCorrelationId,
  resolveCorrelationId,
} from '@faultline/core/adapter';

/**
 * The peer address an incoming id is checked against: read only when `trustedProxies` makes it
 * matter. Reading `socket.remoteAddress` makes Node store a `{ address, family, port }` object on
 * the socket for the rest of its life, which then survives every scavenge with the connection.
 */
export function peerOf(request: IncomingMessage, policy: RequestIdPolicy): string | undefined {
  return policy.trusted === undefined ? undefined : request.socket?.remoteAddress;
}

/** Connection ids by upgrade request, resolved once for the 101 and the connection. */
export class ConnectionIds {
  readonly #policy: RequestIdPolicy;
  readonly #atHandshake = new WeakMap<IncomingMessage, ResolvedCorrelationId>();

  constructor(policy: RequestIdPolicy) {
    this.#policy = policy;
  }

  /** The id of `request`'s connection, resolved now and kept for {@link of} (the 101's header). */
  atHandshake(request: IncomingMessage): string {
    let resolved = this.#atHandshake.get(request);
    if (resolved === undefined) {
      resolved = this.#resolve(request);
      this.#atHandshake.set(request, resolved);
    }
    return resolved.id;
  }

  /** The id of `request`'s connection (the one its 101 carried, when it went through the handshake hook). */
  of(request: IncomingMessage): ResolvedCorrelationId {
    return this.#atHandshake.get(request) ?? this.#resolve(request);
  }

  #resolve(request: IncomingMessage): ResolvedCorrelationId {
    return resolveCorrelationId(request.headers['x-request-id'], this.#policy, peerOf(request, this.#policy));
  }
}

/**
 * How a connection's faults are recorded: linked to the connection's id in the log record. The
 * attributes are frozen: the reporter then snapshots and redacts them once per connection, not
 * once per fault.
 */
export function connectionRecord(
  reporter: Reporter,
  connectionId: string,
  refusedId: string | undefined,
): RecordFaultOptions {
  return {
    protocol: 'ws',
    reporter,
    attributes: Object.freeze(
      refusedId === undefined
        ? { connection_id: connectionId }
        : { connection_id: connectionId, rejected_connection_id: refusedId },
    ),
  };
}
