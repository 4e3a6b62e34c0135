#!/usr/bin/env node
// The committed entry of `faultline-probe`: it exists right after `npm ci` (dist/ does not yet),
// so npm links the bin in a fresh checkout; it runs the built CLI.
import('../dist/cli.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/cli.js')) {
    process.stderr.write('faultline-probe: not built yet: run `npm run build` in the checkout first\n');
    process.exit(2);
  }
  throw error;
});
