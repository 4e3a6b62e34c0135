/**
 * The body of one HTTP/1.1 answer, framed as its head says (RFC 9112 §6.3): none (HEAD, 204, 304),
 * `Content-Length` bytes, chunked, or until the connection closes. Bytes go through the framing once,
 * as they arrive, into a {@link BodyReader}; the answer is decoded once, when the exchange ends.
 */
import { BodyReader, type Decoded } from './body.js';
import { Bytes } from './bytes.js';
import { ChunkedDecoder } from './chunked.js';
import { addField } from './fields.js';

/** The most bytes past a body's end that are kept and checked. */
const SURPLUS_BYTES = 65_536;

/** A parsed final head. */
export interface Head {
  readonly status: number;
  /** The status line's reason phrase. */
  readonly reason?: string;
  readonly headers: Record<string, string>;
}

/** RFC 9110 §9.3.2, §15.3.5, §15.4.5: an answer to HEAD, a 204 and a 304 have no body, whatever their fields say. */
function noBody(status: number, head: boolean): boolean {
  return head || status === 204 || status === 304;
}

/** The body of one answer as it arrives. */
export class H1Body {
  readonly #reader: BodyReader;
  readonly #chunked: ChunkedDecoder | undefined;
  readonly #length: number | undefined;
  #received = 0;
  readonly #empty: boolean;
  /** Bytes that came after the body's end with it (a 204's or a HEAD answer's body sent anyway), bounded. */
  readonly #surplus = new Bytes();

  /**
   * @param bodiless the request was HEAD.
   * @param interim the fields of the interim (1xx) answers before this one, named `103 link` (read like the others).
   */
  constructor(
    readonly head: Head,
    bodiless: boolean,
    readonly interim: Readonly<Record<string, string>> = {},
  ) {
    this.#reader = new BodyReader(head.headers);
    this.#empty = noBody(head.status, bodiless);
    const chunked = /chunked/i.test(head.headers['transfer-encoding'] ?? '');
    this.#chunked = this.#empty || !chunked ? undefined : new ChunkedDecoder((data) => this.#reader.push(data));
    const length = head.headers['content-length'];
    this.#length = this.#empty || chunked || length === undefined ? undefined : Number(length);
  }

  /** The answer has no body whatever its fields say (HEAD, 204, 304): what follows its head is surplus. */
  get bodiless(): boolean {
    return this.#empty;
  }

  /** True when the head says where the body ends (Content-Length or chunked), not at the connection's close. */
  get framed(): boolean {
    return this.#chunked !== undefined || this.#length !== undefined;
  }

  /** The body ended as framed (or has none). */
  get complete(): boolean {
    if (this.#empty) return true;
    if (this.#chunked !== undefined) return this.#chunked.complete && this.#chunked.error === undefined;
    return this.#length !== undefined && this.#received >= this.#length;
  }

  /** Why the body cannot be read though it is still arriving (over the read limit, broken framing). */
  get broken(): string | undefined {
    return this.#reader.overLimit ?? this.#chunked?.error;
  }

  /** Nothing more to read: the body ended, or cannot be read. */
  get done(): boolean {
    return this.complete || this.broken !== undefined;
  }

  /** Reads `bytes` (what follows the head); what follows the body's end is kept apart (see {@link surplus}). */
  push(bytes: Buffer): void {
    if (bytes.length === 0) return;
    if (this.done) this.#keep(bytes);
    else if (this.#chunked !== undefined) this.#chunked.push(bytes);
    else if (this.#length !== undefined) {
      const part = bytes.subarray(0, this.#length - this.#received);
      this.#received += part.length;
      this.#reader.push(part);
      this.#keep(bytes.subarray(part.length));
    } else {
      this.#received += bytes.length;
      this.#reader.push(bytes);
    }
  }

  /** Keeps `bytes` past the body's end, up to {@link SURPLUS_BYTES} in all. */
  #keep(bytes: Buffer): void {
    const room = SURPLUS_BYTES - this.#surplus.view.length;
    if (room > 0 && bytes.length > 0) this.#surplus.append(Buffer.from(bytes.subarray(0, room)));
  }

  /**
   * What came past the body's end in the packets that carried the answer: a body a 204, a 304 or a
   * HEAD answer carries anyway, or bytes past its Content-Length. A client that reads the connection
   * (a proxy, a script on a raw socket) reads them, so they are checked with the answer.
   */
  get surplus(): string {
    return this.#surplus.view.toString('utf8');
  }

  /**
   * The answer, decoded once: the head's fields with any trailer and interim fields added (read
   * like them). `late`: the run's deadline passed (what is left of a long body's middle is not checked).
   */
  finish(late = false): Decoded {
    const added = { ...(this.#chunked?.trailers ?? {}), ...this.interim };
    let headers = this.head.headers;
    if (Object.keys(added).length > 0) {
      headers = { ...headers };
      for (const [name, value] of Object.entries(added)) addField(headers, name, value);
    }
    const decoded = this.#reader.finish(this.head.status, headers, this.head.reason, late);
    const surplus = this.surplus;
    if (surplus === '' || !('answer' in decoded)) return decoded;
    const { body } = decoded.answer;
    return { ...decoded, answer: { ...decoded.answer, body: body === '' ? surplus : `${body}\n\n${surplus}` } };
  }
}
