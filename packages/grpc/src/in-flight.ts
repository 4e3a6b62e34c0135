/**
 * The calls of a server's Faultline services still waiting for their answer, so that a shutdown
 * running out of time can answer them (`shutdownGracefully`). An intrusive ring: a unary call's run
 * (the object its wrapper makes anyway) carries the two links, so listing it allocates nothing; a
 * streaming call gets one small {@link StreamEntry}. Adding and removing are O(1). A call leaves
 * the list on every way it ends: its answer (message or fault), and grpc-js's 'cancelled' event,
 * which it emits on every call once its status was sent, or once the client cancelled, its
 * deadline passed or its connection dropped; a listed call's `emit` is an accessor, so that event
 * still takes it off when its handler assigned an `emit` of its own. Nothing else holds the calls.
 */
import { flag, SERVER_SHUTDOWN } from './call-fault.js';

/** A call in a server's list: its links (owned by the list) and how it is cut short. */
export interface InFlightCall {
  /** The previous call of the list (the list's head for the first); undefined when not listed. */
  prevInFlight: InFlightCall | undefined;
  /** The next call of the list (the list's head for the last); undefined when not listed. */
  nextInFlight: InFlightCall | undefined;
  /**
   * Answers the call with the shutdown's fault, unless it was answered already. `forced`: the
   * connections close next, so a streaming call whose handler ended it, but whose status is still
   * queued, is cut (and recorded) too.
   */
  cut(forced?: boolean): void;
}

/** Takes `entry` out of its list, if it is in one. O(1); never throws. */
export function untrack(entry: InFlightCall | undefined): void {
  const prev = entry?.prevInFlight;
  if (entry === undefined || prev === undefined) return;
  const next = entry.nextInFlight as InFlightCall;
  prev.nextInFlight = next;
  next.prevInFlight = prev;
  entry.prevInFlight = undefined;
  entry.nextInFlight = undefined;
}

/** The head of a list (a ring: the last call links back to it). Never cut. */
class ListHead implements InFlightCall {
  prevInFlight: InFlightCall | undefined = this;
  nextInFlight: InFlightCall | undefined = this;
  cut(): void {}
}

/** The unanswered calls of one server's Faultline services. */
export class InFlightCalls {
  readonly #head = new ListHead();

  /** Lists `entry` (not listed yet). O(1). */
  add(entry: InFlightCall): void {
    const head = this.#head;
    const last = head.prevInFlight as InFlightCall;
    entry.prevInFlight = last;
    entry.nextInFlight = head;
    last.nextInFlight = entry;
    head.prevInFlight = entry;
  }

  /** The listed calls, oldest first (a copy). */
  entries(): InFlightCall[] {
    const list: InFlightCall[] = [];
    const head = this.#head;
    for (let entry = head.nextInFlight; entry !== head && entry !== undefined; entry = entry.nextInFlight)
      list.push(entry);
    return list;
  }

  /**
   * Cuts every listed call (`forced`: see {@link InFlightCall.cut}); a call leaves the list as it
   * is answered, so what stays is what was left to finish (a stream its handler ended). Returns
   * how many calls were listed. Never throws.
   */
  cutAll(forced = false): number {
    const list = this.entries();
    for (const entry of list) {
      try {
        entry.cut(forced);
      } catch {
        // The call ended meanwhile: the forced shutdown that follows closes what is left of it.
        untrack(entry);
      }
    }
    return list.length;
  }
}

/**
 * A streaming call's entry (server streaming, client streaming, bidi): its wrapper's `fail`, and
 * the call, whose writable side may have ended already (the handler's `end()`, its OK status on
 * the way): such a call is left to finish, until the forced cut. Still listed then, its status
 * was not written (a client that does not read holds it behind the messages it has not taken,
 * and HTTP/2 sends trailers after them): the connection's close cuts it without an id the client
 * could see, so the cut is recorded (source `grpc.shutdown`), as every other call's.
 */
export class StreamEntry implements InFlightCall {
  prevInFlight: InFlightCall | undefined = undefined;
  nextInFlight: InFlightCall | undefined = undefined;

  constructor(
    private readonly call: object,
    private readonly fail: (error: unknown) => void,
  ) {}

  cut(forced = false): void {
    if (forced || !flag(this.call, 'writableEnded')) this.fail(SERVER_SHUTDOWN);
  }
}

/** An emitter's `emit`. */
export type Emit = (event: string | symbol, ...args: unknown[]) => boolean;

/**
 * `emit` wrapped so that 'cancelled' first takes `entry` off its list: what a listed call's `emit`
 * becomes when the handler assigns its own (which may not forward the event to the one it replaced).
 */
export function untrackingOnCancel(entry: InFlightCall, emit: (...args: unknown[]) => unknown): Emit {
  return function untrackingEmit(this: unknown, event: string | symbol): boolean {
    if (event === 'cancelled') untrack(entry);
    // biome-ignore lint/complexity/noArguments: forwards every argument as it came, without copying them
    return Reflect.apply(emit, this, arguments) as boolean;
  };
}

/** Where a listed streaming call keeps its current `emit` and its entry (read by {@link LISTED_EMIT}). */
const kEmit = Symbol('faultline.emit');
const kEntry = Symbol('faultline.entry');

/** A streaming call whose `emit` {@link keepListedEmit} made an accessor. */
interface ListedEmitter {
  [kEmit]: unknown;
  [kEntry]: InFlightCall;
}

/**
 * The `emit` accessor of a listed streaming call: one descriptor (and getter and setter) for every
 * call, the state on the call, so that every call keeps one shape (per-call closures would give
 * each call object a map of its own).
 */
const LISTED_EMIT: PropertyDescriptor = {
  configurable: true,
  enumerable: true,
  get(this: ListedEmitter): unknown {
    return this[kEmit];
  },
  set(this: ListedEmitter, value: unknown): void {
    this[kEmit] =
      typeof value === 'function' ? untrackingOnCancel(this[kEntry], value as (...a: unknown[]) => unknown) : value;
  },
};

/**
 * Makes `call.emit` an accessor holding `emit` (a streaming call's guard), so that a handler
 * assigning its own `emit` cannot keep the call listed after it ended: the function it assigns is
 * kept wrapped by {@link untrackingOnCancel}, and reading `call.emit` gives that wrapper.
 */
export function keepListedEmit(call: object, emit: Emit, entry: InFlightCall): void {
  const listed = call as ListedEmitter;
  listed[kEmit] = emit;
  listed[kEntry] = entry;
  Object.defineProperty(call, 'emit', LISTED_EMIT);
}

const servers = new WeakMap<object, InFlightCalls>();

/** The list of `server`'s calls, made on first use (by `addFaultlineService`). */
export function callsOf(server: object): InFlightCalls {
  let calls = servers.get(server);
  if (calls === undefined) {
    calls = new InFlightCalls();
    servers.set(server, calls);
  }
  return calls;
}

/** The list of `server`'s calls, if any Faultline service was added to it. Never throws. */
export function trackedCalls(server: unknown): InFlightCalls | undefined {
  return typeof server === 'object' && server !== null ? servers.get(server) : undefined;
}

/** How many calls of `server` are listed (for tests: a call that ended must not be). */
export function inFlightCount(server: unknown): number {
  return trackedCalls(server)?.entries().length ?? 0;
}
