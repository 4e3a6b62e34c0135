/**
 * `mkdir -p` for a log file's directory (and the gateway generator's output). Node's own recursive
 * `mkdirSync` (Node 20, 22 and 24 alike) never returns for a path under `/proc`: a reporter given
 * `destination: '/proc/x/faults.log'` spun the process at full CPU before it served a request, and
 * the edge CLI with `--out /proc/x` until killed. Here each missing directory is made in turn, from
 * the deepest one that exists, so a directory that cannot be made is an error at once.
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

/** The `code` of a Node file-system error, if any. */
function codeOf(error: unknown): unknown {
  return typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
}

/** Makes `path` and its missing parents (like `mkdir -p`); throws Node's error when one cannot be made. */
export function makeDirectory(path: string): void {
  const missing: string[] = [];
  for (let current = resolve(path); ; current = dirname(current)) {
    try {
      if (statSync(current).isDirectory()) break;
      throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${current}'`), { code: 'ENOTDIR' });
    } catch (error) {
      if (codeOf(error) !== 'ENOENT') throw error;
    }
    missing.push(current);
    if (dirname(current) === current) break;
  }
  for (const directory of missing.reverse()) {
    try {
      mkdirSync(directory);
    } catch (error) {
      if (codeOf(error) !== 'EEXIST') throw error;
    }
  }
}
