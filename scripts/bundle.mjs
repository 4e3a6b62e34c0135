#!/usr/bin/env node
/**
 * Bundles the JavaScript of the package in the current directory (run by its `build` script,
 * after `tsc -b` wrote the declarations): one file per public entry, named as `exports` says,
 * plus shared chunks and a chunk per `import()`, all at the top of `dist/`, with source maps
 * pointing at `src/`. Everything outside the package (dependencies, other Faultline packages,
 * Node built-ins) stays an import.
 *
 * Why: a service that loads Faultline as ~90 small modules pays for each one (module records,
 * loader bookkeeping and the allocation that grows V8's young generation during start-up).
 * Measured with `--single-threaded` (deterministic): Fastify plus `@faultline/fastify` was
 * +5.0 MB RSS over Fastify alone as separate modules, +2.6 MB bundled (issue 21).
 *
 * Usage: `node ../../scripts/bundle.mjs [--shared=entry,entry] [name=src/extra-entry.ts ...]`
 * (extra entries that no export names, such as core's reporter worker).
 *
 * `--shared=index,adapter`: every module of the package that those entries import statically
 * goes into one chunk (`shared-*.js`), the entries themselves staying small files that re-export
 * it; what only an `import()` or another entry reaches keeps its own chunks (core's protobuf
 * codec stays lazy), and each extra entry is bundled alone, with its own copy of what it uses
 * (core's worker runs in its own thread and loads nothing else). Without it, rolldown splits the
 * shared code by which entries use it: `@faultline/fastify` loaded seven of core's modules at
 * start-up, whose source texts and module records V8 counted as 180 KB more bytes surviving its
 * collections than one module's (issue 21: those bytes decide whether the young generation
 * doubles; as far as measured, a source text over 128 KB is allocated as a large object and
 * promoted without a copy, where smaller ones are copied first and counted twice).
 */
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { rolldown } from 'rolldown';

const pkg = JSON.parse(readFileSync('package.json', 'utf8'));

/** `{ "index": "./src/index.ts", ... }` from the `exports` map (source condition → dist file name). */
function entriesOf(exportsMap) {
  const input = {};
  for (const target of Object.values(exportsMap ?? {})) {
    if (typeof target !== 'object' || target === null) continue;
    const source = target['@faultline/source'];
    const output = target.default;
    if (typeof source !== 'string' || typeof output !== 'string') continue;
    const name = /^\.\/dist\/(.+)\.js$/.exec(output)?.[1];
    if (name === undefined || name.includes('/'))
      throw new Error(`bundle: ${output} must be a file at the top of dist/`);
    input[name] = source;
  }
  if (Object.keys(input).length === 0) throw new Error('bundle: no entries in package.json exports');
  return input;
}

/** Removes the JavaScript and its maps from `dir` (the declarations stay). */
function removeJavaScript(dir) {
  let names;
  try {
    names = readdirSync(dir);
  } catch {
    return;
  }
  for (const name of names) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) removeJavaScript(path);
    else if (name.endsWith('.js') || name.endsWith('.js.map')) rmSync(path);
  }
}

/** The extra entries (`name=src/file.ts` arguments) as `{ name: source }`. */
function extrasOf(args) {
  const extras = {};
  for (const extra of args.filter((arg) => !arg.startsWith('--'))) {
    const [name, source] = extra.split('=');
    if (!name || !source) throw new Error(`bundle: expected name=src/file.ts, got ${extra}`);
    extras[name] = source;
  }
  return extras;
}
/** The `--shared=a,b` entries, if any. */
const sharedEntries = process.argv
  .find((arg) => arg.startsWith('--shared='))
  ?.slice('--shared='.length)
  .split(',')
  .filter((name) => name !== '');

/** The package's modules `files` reach by static imports, themselves included. */
function staticClosure(files, ctx) {
  const reached = new Set();
  const todo = files.map((file) => ctx.getModuleInfo(join(process.cwd(), file))?.id).filter(Boolean);
  while (todo.length > 0) {
    const next = todo.pop();
    if (reached.has(next)) continue;
    reached.add(next);
    for (const imported of ctx.getModuleInfo(next)?.importedIds ?? [])
      if (isAbsolute(imported) && !imported.includes('/node_modules/')) todo.push(imported);
  }
  return reached;
}

/**
 * The chunk group of `--shared`: every package module the `roots` entries reach by static imports
 * (the entries themselves excepted) goes into the chunk `shared`.
 */
function sharedGroup(roots) {
  let shared;
  return {
    name: (id, ctx) => {
      if (shared === undefined) {
        shared = staticClosure(roots, ctx);
        for (const file of roots) shared.delete(ctx.getModuleInfo(join(process.cwd(), file))?.id);
      }
      return shared.has(id) ? 'shared' : null;
    },
    debugName: 'shared',
  };
}

/** How every bundle is written (besides its chunking). */
const OUTPUT = {
  dir: 'dist',
  format: 'esm',
  entryFileNames: '[name].js',
  chunkFileNames: '[name]-[hash].js',
  sourcemap: true,
  // The package ships src/, which the maps name: no second copy inside them.
  sourcemapExcludeSources: true,
  // V8 keeps each module's source text in the heap, as two bytes per character once it holds one
  // non-ASCII character: the JSDoc stays in the declarations and the sources the maps point at.
  comments: { legal: true, annotation: true, jsdoc: false },
  charset: 'ascii',
  // The source text is allocated young, survives start-up and is promoted: V8 counts it twice toward
  // growing the young generation (issue 21). No whitespace and short local names cut core's text by
  // 30% (180 -> 126 KB); top-level, function and class names stay (stack traces, `.name`), and the
  // code is not rewritten (no compression).
  minify: { compress: false, mangle: { toplevel: false, keepNames: true }, codegen: { removeWhitespace: true } },
};

/** Bundles `input` (entry name -> source file) and writes it to dist/ with `output`'s chunking. */
async function write(input, output) {
  const bundle = await rolldown({
    input,
    platform: 'node',
    tsconfig: 'tsconfig.json',
    // Only the package's own files are bundled.
    external: (id, importer) => importer !== undefined && !id.startsWith('.') && !isAbsolute(id),
    transform: { target: 'es2023' },
  });
  await bundle.write({ ...OUTPUT, ...output });
  await bundle.close();
}

const extras = extrasOf(process.argv.slice(2));
const input = entriesOf(pkg.exports);
removeJavaScript('dist');
if (sharedEntries === undefined) await write({ ...input, ...extras }, {});
else {
  for (const name of sharedEntries)
    if (input[name] === undefined) throw new Error(`bundle: --shared names ${name}, which is no entry`);
  await write(input, { codeSplitting: { groups: [sharedGroup(sharedEntries.map((name) => input[name]))] } });
  // Each extra entry (core's worker: its own thread, its own module graph) is one module with the
  // code it needs, not an importer of the shared chunk and all it loads.
  for (const [name, source] of Object.entries(extras)) await write({ [name]: source }, { codeSplitting: false });
}
