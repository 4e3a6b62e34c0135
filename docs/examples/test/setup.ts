/** Builds the extracted examples (incremental `tsc -b`) before any test runs them. */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { EXAMPLES } from './run.js';

export default function setup(): void {
  const tsc = join(EXAMPLES, '..', '..', 'node_modules', '.bin', 'tsc');
  execFileSync(tsc, ['-b'], { cwd: EXAMPLES, stdio: 'inherit', timeout: 180_000 });
}
