/**
 * What WebSocket libraries hand over, as text: a browser gives strings (and `ArrayBuffer` for
 * binary frames), ws 8 gives `Buffer` (also for close reasons), `ArrayBuffer` or `Buffer[]`.
 */

/** Frame data as ws and browsers pass it. */
export type WsData = string | Uint8Array | ArrayBuffer | readonly Uint8Array[];

/**
 * True when `text` takes at most `maxBytes` in UTF-8 (a lone surrogate as U+FFFD's 3 bytes, as
 * `TextEncoder` writes it). Bytes are never fewer than UTF-16 units, and at most 3 per unit, so
 * only a text between the two bounds is counted, and the count stops past `maxBytes`.
 */
function fitsUtf8(text: string, maxBytes: number): boolean {
  if (text.length > maxBytes) return false;
  if (text.length * 3 <= maxBytes) return true;
  let bytes = 0;
  for (let i = 0; i < text.length && bytes <= maxBytes; i += 1) {
    const unit = text.charCodeAt(i);
    if (unit < 0x80) bytes += 1;
    else if (unit < 0x800) bytes += 2;
    else if (unit >= 0xd800 && unit < 0xdc00 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      bytes += 4; // a surrogate pair
      i += 1;
    } else bytes += 3;
  }
  return bytes <= maxBytes;
}

/**
 * UTF-8 text of `data`, or undefined when it is longer than `maxBytes` in UTF-8 (a string
 * too, as a browser hands over a close reason or a text frame) or not data at all. A `Buffer[]`
 * in more parts than `maxBytes` is not read either: ws never hands over an empty fragment, so
 * such an array holds empty parts someone made, and counting millions of them would hold the
 * caller's thread.
 */
export function textOf(data: unknown, maxBytes: number): string | undefined {
  if (typeof data === 'string') return fitsUtf8(data, maxBytes) ? data : undefined;
  let bytes = bytesOf(data);
  if (bytes === undefined) {
    if (!Array.isArray(data) || data.length > maxBytes) return undefined;
    const parts: Uint8Array[] = [];
    let total = 0;
    for (const item of data as unknown[]) {
      const part = bytesOf(item);
      if (part === undefined) return undefined;
      total += part.byteLength;
      if (total > maxBytes) return undefined;
      parts.push(part);
    }
    bytes = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      bytes.set(part, at);
      at += part.byteLength;
    }
  }
  return bytes.byteLength <= maxBytes ? new TextDecoder().decode(bytes) : undefined;
}

/** The getter `name` of `proto` (a built-in accessor, which checks what its receiver really is). */
function getter(proto: object, name: string): (this: unknown) => unknown {
  return Object.getOwnPropertyDescriptor(proto, name)?.get ?? (() => undefined);
}
const TYPED_ARRAY: object = Object.getPrototypeOf(Uint8Array.prototype);
const viewBuffer = getter(TYPED_ARRAY, 'buffer');
const viewOffset = getter(TYPED_ARRAY, 'byteOffset');
const viewLength = getter(TYPED_ARRAY, 'byteLength');
const bufferLength = getter(ArrayBuffer.prototype, 'byteLength');

/**
 * The bytes of a typed array (a Buffer included) or an `ArrayBuffer`, made in this realm or
 * another (an iframe's, a `vm` context's, where `instanceof` says no), read through the built-in
 * getters: those check what the value really is, so a look-alike object or a Proxy is not bytes.
 * `undefined` for anything else (a DataView, a SharedArrayBuffer, a detached buffer).
 */
export function bytesOf(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  try {
    if (ArrayBuffer.isView(value))
      return new Uint8Array(
        viewBuffer.call(value) as ArrayBuffer,
        viewOffset.call(value) as number,
        viewLength.call(value) as number,
      );
    bufferLength.call(value);
    return new Uint8Array(value as ArrayBuffer);
  } catch {
    return undefined;
  }
}
