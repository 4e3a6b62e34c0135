/**
 * What WebSocket libraries hand over, as text: a browser gives strings (and `ArrayBuffer` for
 * binary frames), ws 8 gives `Buffer` (also for close reasons), `ArrayBuffer` or `Buffer[]`.
 */

/** Frame data as ws and browsers pass it. */
export type WsData = string | Uint8Array | ArrayBuffer | readonly Uint8Array[];

/**
 * UTF-8 text of `data`, or undefined when it is longer than `maxBytes` or not data at all. A
 * `Buffer[]` in more parts than `maxBytes` is not read either: ws never hands over an empty
 * fragment, so such an array holds empty parts someone made, and counting millions of them
 * would hold the caller's thread.
 */
export function textOf(data: unknown, maxBytes: number): string | undefined {
  if (typeof data === 'string') return data.length <= maxBytes ? data : undefined;
  let bytes: Uint8Array;
  if (data instanceof Uint8Array) bytes = data;
  else if (data instanceof ArrayBuffer) bytes = new Uint8Array(data);
  else if (Array.isArray(data) && data.length <= maxBytes && data.every((part) => part instanceof Uint8Array)) {
    const total = data.reduce((sum: number, part: Uint8Array) => sum + part.byteLength, 0);
    if (total > maxBytes) return undefined;
    bytes = new Uint8Array(total);
    let at = 0;
    for (const part of data as Uint8Array[]) {
      bytes.set(part, at);
      at += part.byteLength;
    }
  } else return undefined;
  return bytes.byteLength <= maxBytes ? new TextDecoder().decode(bytes) : undefined;
}
