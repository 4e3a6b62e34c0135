/**
 * The calls of a server's Faultline services still waiting for their answer, so that a shutdown
 * running out of time can answer them (`shutdownGracefully`). An intrusive ring: a unary call's run
 * (the object its wrapper makes anyway) carries the two links, so listing it allocates nothing; a
 * streaming call gets one small {@link StreamEntry}. Adding and removing are O(1). A call leaves
 * the list on every way it ends: its answer (message or fault), and grpc-js's 'cancelled' event,
 * which it emits on every call once its status was sent, or once the client cancelled, its
 * deadline passed or its connection dropped. Nothing else holds the calls.
 */
import { flag, SERVER_SHUTDOWN } from './call-fault.js';

/** A call in a server's list: its links (owned by the list) and how it is cut short. */
export interface InFlightCall {
  /** The previous call of the list (the list's head for the first); undefined when not listed. */
  prevInFlight: InFlightCall | undefined;
  /** The next call of the list (the list's head for the last); undefined when not listed. */
  nextInFlight: InFlightCall | undefined;
  /** Answers the call with the shutdown's fault, unless it was answered already. */
  cut(): void;
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

  /** Empties the list, cutting every call that was in it; returns how many there were. Never throws. */
  cutAll(): number {
    const list = this.entries();
    for (const entry of list) {
      untrack(entry);
      try {
        entry.cut();
      } catch {
        // The call ended meanwhile: the forced shutdown that follows closes what is left of it.
      }
    }
    return list.length;
  }
}

/**
 * A streaming call's entry (server streaming, client streaming, bidi): its wrapper's `fail`, and
 * the call, whose writable side may have ended already (the handler's `end()`, its OK status on
 * the way): such a call is left to finish.
 */
export class StreamEntry implements InFlightCall {
  prevInFlight: InFlightCall | undefined = undefined;
  nextInFlight: InFlightCall | undefined = undefined;

  constructor(
    private readonly call: object,
    private readonly fail: (error: unknown) => void,
  ) {}

  cut(): void {
    if (!flag(this.call, 'writableEnded')) this.fail(SERVER_SHUTDOWN);
  }
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
