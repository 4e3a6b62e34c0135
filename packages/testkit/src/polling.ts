/** Waiting in tests for something that happens asynchronously (a record written, a hook run). */

/**
 * Resolves once `test()` is true, checked every 10 ms, or after `ms` whatever it says: the
 * assertion that follows tells which.
 */
export async function until(test: () => boolean, ms = 2000): Promise<void> {
  for (let waited = 0; waited < ms && !test(); waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
}
