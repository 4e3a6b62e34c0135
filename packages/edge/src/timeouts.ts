/**
 * The timeouts both generators take: how long a client may take to send its request head, how
 * long a WebSocket tunnel may stay without a byte either way, and the backend timeouts' defaults.
 */

/** Client-side timeouts (part of `NginxOptions` and `HaproxyOptions`). */
export interface ClientTimeoutOptions {
  /**
   * Seconds a client gets to send its whole request head (default 10,
   * 1-3600): past it HAProxy answers 408 and nginx closes the connection (it logs 408 with an id,
   * sending nothing).
   */
  readonly headerTimeout?: number;
  /**
   * Seconds a WebSocket tunnel may stay idle (no byte either way) before the gateway closes it
   * (default 3600, an hour; 1-86400). nginx has one read timeout per location: it
   * also bounds the wait for the backend's answer to the handshake (past it, 504).
   */
  readonly tunnelTimeout?: number;
}

/** Seconds to wait for a backend to connect when `connectTimeout` is not given. */
export const DEFAULT_CONNECT_TIMEOUT = 5;

/** Seconds to wait for a backend's answer when `readTimeout` is not given (also a graceful stop's bound). */
export const DEFAULT_READ_TIMEOUT = 30;

/** The request head's bound when none is given. */
export const DEFAULT_HEADER_TIMEOUT = 10;

/** The tunnels' idle bound when none is given: an hour. */
export const DEFAULT_TUNNEL_TIMEOUT = 3600;
