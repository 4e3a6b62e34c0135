#!/usr/bin/env node
/**
 * The examples of the documentation are written once, in the markdown, and extracted here so the
 * compiler and the tests see exactly what a reader sees. A fenced block preceded by
 * `<!-- example: src/name.ts -->` is the file `docs/examples/src/name.ts` (any path under docs/examples/).
 *
 *   node docs/examples/extract.mjs --write   writes every marked block to its file
 *   node docs/examples/extract.mjs --check   fails when a file and its block differ, when a file under
 *                                       examples/src has no block, when one name carries two
 *                                       different texts, or when a ```ts block has no marker
 *
 * A ```ts block preceded by `<!-- fragment -->` is a deliberate excerpt (free names, no imports):
 * it is neither extracted nor flagged, and the check counts such blocks so they stay few.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const examples = dirname(fileURLToPath(import.meta.url));
const root = resolve(examples, '../..');

/** Markdown files owned by other work whose unmarked ```ts blocks are tolerated (marked ones are still extracted). */
const UNMARKED_ALLOWED = new Set(['docs/guides/jsonapi.md', 'docs/performance.md']);

/** Folders under docs/ that hold no documentation of ours: dependencies, tools, TypeDoc's generated site. */
const SKIPPED_DIRS = new Set(['node_modules', 'tools', 'api', 'dist']);

/** Every markdown file whose examples are extracted. */
export function markdownFiles() {
  const files = ['README.md', 'CONTRIBUTING.md'];
  for (const group of ['packages', 'apps']) {
    if (!existsSync(join(root, group))) continue;
    for (const name of readdirSync(join(root, group))) files.push(`${group}/${name}/README.md`);
  }
  const walk = (dir) => {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const path = `${dir}/${entry.name}`;
      if (entry.isDirectory() && !SKIPPED_DIRS.has(entry.name)) walk(path);
      else if (entry.name.endsWith('.md')) files.push(path);
    }
  };
  if (existsSync(join(root, 'docs'))) walk('docs');
  return files.filter((file) => existsSync(join(root, file)));
}

const MARKER = /^<!-- example: ([\w./-]+) -->$/;
const FRAGMENT = '<!-- fragment -->';
const FENCE = /^(`{3,})(\S*)/;

/** The marked blocks of one markdown text, and its unmarked ```ts blocks (as line numbers). */
export function blocksOf(text) {
  const lines = text.split('\n');
  const blocks = [];
  const unmarked = [];
  let fragments = 0;
  for (let i = 0; i < lines.length; i++) {
    const fence = FENCE.exec(lines[i]);
    if (fence === null) continue;
    const marker = i > 0 ? MARKER.exec(lines[i - 1].trim()) : null;
    const end = lines.findIndex((line, j) => j > i && line.startsWith(fence[1]) && line.trim() === fence[1]);
    if (end === -1) throw new Error(`unterminated code fence at line ${i + 1}`);
    const body = `${lines.slice(i + 1, end).join('\n')}\n`;
    if (marker !== null) blocks.push({ name: marker[1], body, line: i + 1 });
    else if (i > 0 && lines[i - 1].trim() === FRAGMENT) fragments++;
    else if (fence[2] === 'ts' || fence[2] === 'typescript') unmarked.push(i + 1);
    i = end;
  }
  return { blocks, unmarked, fragments };
}

/** Every example, by name, with where it was found; and the problems seen while collecting. */
export function collect() {
  const byName = new Map();
  const problems = [];
  let fragments = 0;
  for (const file of markdownFiles()) {
    const { blocks, unmarked, fragments: excerpts } = blocksOf(readFileSync(join(root, file), 'utf8'));
    fragments += excerpts;
    if (!UNMARKED_ALLOWED.has(file)) {
      for (const line of unmarked) problems.push(`${file}:${line}: a ts block without <!-- example: src/….ts -->`);
    }
    for (const block of blocks) {
      if (block.name.includes('..') || block.name.startsWith('/')) {
        problems.push(`${file}:${block.line}: example path must stay under examples/`);
        continue;
      }
      const seen = byName.get(block.name);
      if (seen === undefined) byName.set(block.name, { body: block.body, where: `${file}:${block.line}` });
      else if (seen.body !== block.body) {
        problems.push(`${file}:${block.line}: ${block.name} differs from the same example at ${seen.where}`);
      }
    }
  }
  return { byName, problems, fragments };
}

/** Files under examples/src that the markdown must account for. */
function sourceFiles(dir = join(examples, 'src')) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [relative(examples, join(dir, entry.name))],
  );
}

/** The differences between the markdown and the files (empty when in sync). */
export function check() {
  const { byName, problems } = collect();
  for (const [name, { body, where }] of byName) {
    const path = join(examples, name);
    if (!existsSync(path))
      problems.push(`${where}: ${name} is not extracted (run npm run extract -w @faultline/examples)`);
    else if (readFileSync(path, 'utf8') !== body) {
      problems.push(`${where}: examples/${name} differs from the markdown (edit the markdown, then extract)`);
    }
  }
  for (const file of sourceFiles()) {
    if (!byName.has(file.split('\\').join('/')))
      problems.push(`docs/examples/${file} has no block in any markdown file`);
  }
  return problems;
}

/** Writes every marked block to its file. */
export function write() {
  const { byName, problems } = collect();
  for (const [name, { body }] of byName) {
    const path = join(examples, name);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, body);
  }
  return problems;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode !== '--write' && mode !== '--check') {
    process.stderr.write('usage: extract.mjs --write | --check\n');
    process.exit(2);
  }
  const problems = mode === '--write' ? write() : check();
  for (const problem of problems) process.stderr.write(`${problem}\n`);
  if (problems.length > 0) process.exit(1);
  const { byName, fragments } = collect();
  process.stdout.write(`examples: ${byName.size} in sync with the markdown (${fragments} fragments not compiled)\n`);
}
