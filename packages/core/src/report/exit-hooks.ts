/**
 * Flushing every live reporter when the process ends. On SIGTERM/SIGINT each reporter shuts down
 * within its bound (asynchronous sinks such as syslog over TLS get to send, then what is left is
 * written synchronously or counted lost), and the signal is re-raised when nobody else listens
 * for it, so the process still ends. `beforeExit` and `exit` flush synchronously.
 */

/** What the hooks need of a reporter. */
export interface Flushable {
  /** Writes what is queued synchronously, within the reporter's bound. */
  flushSync(): void;
  /** Drains into the sink, lets asynchronous sinks send, then flushes; all within the reporter's bound. */
  shutdown(): Promise<void>;
}

const live = new Set<Flushable>();
let installed = false;

function flushAllSync(): void {
  for (const reporter of live) reporter.flushSync();
}

function install(): void {
  if (installed) return;
  installed = true;
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    const onSignal = () => {
      const alone = process.listenerCount(signal) === 1;
      // Alone on this signal: restore the default behaviour now, so a second signal ends the process at once.
      if (alone) process.removeListener(signal, onSignal);
      void Promise.allSettled([...live].map((reporter) => reporter.shutdown())).then(() => {
        if (alone) process.kill(process.pid, signal);
      });
    };
    process.on(signal, onSignal);
  }
  process.on('beforeExit', flushAllSync);
  process.on('exit', flushAllSync);
}

/** Flushes `reporter` when the process ends, until {@link forgetAtExit}. */
export function flushAtExit(reporter: Flushable): void {
  live.add(reporter);
  install();
}

/** Stops flushing `reporter` at exit (it was closed). */
export function forgetAtExit(reporter: Flushable): void {
  live.delete(reporter);
}
