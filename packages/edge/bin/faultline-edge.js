#!/usr/bin/env node
// The `faultline-edge` command (`npx @faultline/edge`). Committed outside dist/ so npm links it at
// install time even in a fresh checkout, before the build has written dist/cli.js.
import('../dist/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('faultline-edge: dist/cli.js is missing: build the package first (npm run build)\n');
  } else {
    process.stderr.write(`faultline-edge: ${error?.stack ?? error}\n`);
  }
  process.exitCode = 1;
});
