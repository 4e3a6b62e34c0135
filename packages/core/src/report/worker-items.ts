/**
 * The items a worker holds: batches the response thread posted on the items port, pulled one at a
 * time, the next only once the current one is written. What waits (a queue's worth) waits there
 * serialized: held as objects here, scavenges copied and promoted it (#27).
 */
import { type MessagePort, receiveMessageOnPort } from 'node:worker_threads';
import type { WireItem } from './item-wire.js';

/** The worker's held items, oldest first. */
export class HeldItems {
  readonly #port: MessagePort;
  /** The batch being written, and the next of its items to write. */
  #batch: WireItem[] | undefined;
  #at = 0;

  /** Items are pulled off `port` (this thread's end of the items channel). */
  constructor(port: MessagePort) {
    this.#port = port;
  }

  /** The batch being written; the next is pulled off the port once it is done. */
  #current(): WireItem[] | undefined {
    while (this.#batch === undefined || this.#at >= this.#batch.length) {
      this.#batch = receiveMessageOnPort(this.#port)?.message as WireItem[] | undefined;
      this.#at = 0;
      if (this.#batch === undefined) return undefined;
    }
    return this.#batch;
  }

  /** True while an item is held. */
  get holding(): boolean {
    return this.#current() !== undefined;
  }

  /** Takes the oldest held item; `undefined` when none is held. */
  take(): WireItem | undefined {
    const items = this.#current();
    if (items === undefined) return undefined;
    const wire = items[this.#at] as WireItem;
    this.#at += 1;
    if (this.#at >= items.length) this.#batch = undefined;
    return wire;
  }

  /** Gives up every held item, unread; returns the fault items among them (notices are none). */
  abandon(): number {
    let faults = 0;
    for (let items = this.#current(); items !== undefined; items = this.#current()) {
      for (let i = this.#at; i < items.length; i += 1) if ((items[i] as WireItem)[0] !== 'n') faults += 1;
      this.#batch = undefined;
    }
    return faults;
  }
}
