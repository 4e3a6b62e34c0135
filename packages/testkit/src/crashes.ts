/** Catching what a test's server lets escape: uncaught exceptions and unhandled rejections. */

/** A recorder of the process's uncaught exceptions and unhandled rejections while started. */
export interface CrashWatch {
  /** What escaped, in order (empty when the server kept everything in hand). */
  readonly crashes: unknown[];
  /** Starts listening (in `beforeAll`). */
  start(): void;
  /** Stops listening (in `afterAll`). */
  stop(): void;
}

/** A {@link CrashWatch}, not yet started. */
export function crashWatch(): CrashWatch {
  const crashes: unknown[] = [];
  const onCrash = (error: unknown) => crashes.push(error);
  return {
    crashes,
    start() {
      process.on('uncaughtException', onCrash);
      process.on('unhandledRejection', onCrash);
    },
    stop() {
      process.removeListener('uncaughtException', onCrash);
      process.removeListener('unhandledRejection', onCrash);
    },
  };
}
