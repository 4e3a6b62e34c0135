/**
 * The JavaScript core ships is minified (scripts/bundle.mjs, #21): V8 keeps each module's source
 * text in the young generation until it is promoted, so every byte of it counts twice toward the
 * survivor budget that decides whether a service's young generation doubles. Whitespace and local
 * names go; top-level, function and class names stay, so `.name` and stack traces still read.
 * Reads the built files (`npm run build`), as entries.test.ts does.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const files = readdirSync(dist).filter((name) => name.endsWith('.js'));

describe('core bundle', () => {
  it('ships each JavaScript file without indentation or comments, printable ASCII only, mapped to src/', () => {
    expect(files.length).toBeGreaterThan(3);
    for (const name of files) {
      const text = readFileSync(`${dist}${name}`, 'utf8');
      expect({ name, indented: text.match(/^[\t ]+\S.*$/gm)?.slice(0, 2) }).toEqual({ name, indented: undefined });
      expect({ name, comments: text.match(/^\/\/ src\/.*$|\/\*\*\s/gm) }).toEqual({ name, comments: null });
      expect(/[^ -~\t\n]/.test(text), name).toBe(false);
      if (!text.includes('//# sourceMappingURL=')) continue;
      const map = JSON.parse(readFileSync(`${dist}${name}.map`, 'utf8')) as { sources: string[] };
      expect(
        map.sources.filter((source) => !source.startsWith('../src/')),
        name,
      ).toEqual([]);
    }
  });

  it('loads one shared module behind each public entry, the worker none, protobuf only on demand', () => {
    /** The dist files `name` loads by static imports, itself included. */
    const closure = (name: string): string[] => {
      const seen = new Set<string>();
      const todo = [name];
      while (todo.length > 0) {
        const next = todo.pop() as string;
        if (seen.has(next)) continue;
        seen.add(next);
        const text = readFileSync(`${dist}${next}`, 'utf8');
        for (const m of text.matchAll(/(?:from|import)\s*"\.\/([^"]+\.js)"/g)) todo.push(m[1] as string);
      }
      return [...seen].map((file) => file.replace(/-[\w-]{8}\.js$/, '.js')).sort();
    };
    // Seven modules before (issue 21): V8 counted their source texts and records as 180 KB more
    // bytes surviving its collections at start-up than one module's.
    expect(closure('adapter.js')).toEqual(['adapter.js', 'index.js', 'shared.js']);
    expect(closure('index.js')).toEqual(['index.js', 'shared.js']);
    // The reporter's worker runs in its own thread: it loads no module of the main thread's.
    expect(closure('worker.js')).toEqual(['worker.js']);
    for (const name of closure('adapter.js').map((file) => files.find((f) => f.startsWith(file.slice(0, -3))) ?? file))
      expect(readFileSync(`${dist}${name}`, 'utf8'), name).not.toMatch(/@bufbuild\/protobuf|@opentelemetry\/sdk/);
  });

  it('keeps the names of classes and functions that errors and stack traces show', async () => {
    const core = (await import(pathToFileURL(`${dist}index.js`).href)) as typeof import('../src/index.js');
    expect(core.FaultError.name).toBe('FaultError');
    expect(core.CatalogDefinitionError.name).toBe('CatalogDefinitionError');
    // The function names V8 itself gives the frames (what a production stack shows): vitest's own
    // stack rewriting maps them through the source maps, and the names it maps to vary.
    const original = Error.prepareStackTrace;
    Error.prepareStackTrace = (_error, frames) => frames.map((frame) => frame.getFunctionName()).join(' ');
    let thrown: unknown;
    let names = '';
    try {
      core.defineCatalog({ BAD: { category: 'validation', message: '' } });
    } catch (error) {
      thrown = error;
      names = String((error as Error).stack);
    } finally {
      Error.prepareStackTrace = original;
    }
    expect(thrown).toBeInstanceOf(core.CatalogDefinitionError);
    expect((thrown as Error).name).toBe('CatalogDefinitionError');
    expect(names).toMatch(/^validateEntry defineCatalog /);
  });
});
