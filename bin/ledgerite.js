#!/usr/bin/env node
// Entry point for `npx ledgerite …`: the compiled CLI in dist/ (built by `npm run build`, on `npm ci` and before packing).
try {
  await import('../dist/cli.js')
} catch (err) {
  // A clone whose dist/ was never built (installed with --ignore-scripts): say what to do instead of a stack trace.
  if (err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/cli.js')) {
    process.stderr.write('ledgerite: dist/ is missing; run `npm run build` first (or `npm run dev` to run the sources).\n')
    process.exit(2)
  }
  throw err
}
