/**
 * A leaky target on node:http whose texts the probe missed before: stacks and driver errors written
 * as hex (lower and upper case, after `0x`, in pairs apart as Node's `<Buffer …>` writes them) or as
 * a list of byte values (a Buffer as JSON, Go's `%v`, Java's signed bytes), a Kubernetes pod name
 * without a port (in the body and in a field), and the stacks of runtimes the probe did not know
 * (Elixir and Erlang, Swift, Dart, Deno's remote modules, C# async state machines, Kotlin coroutine
 * boundaries, Cats Effect fibers, Akka, Clojure, Perl, Lua, Haskell, C++); then (round 5) a StatefulSet
 * pod with its headless service, a container id, base64 of brotli (in a JSON field) and of raw deflate
 * (in a field), and octal and `\u{…}` escapes. Each path answers a few texts (a line each, or a field:
 * `x-blob: …`), at most one of a rule (and no exception beside a stack), on every request.
 */
import { createServer } from 'node:http';
import { brotliCompressSync, deflateRawSync } from 'node:zlib';
import { type LeakyTarget, portOf } from './planted.js';
import { groupedLeaks, type LeakText, type RuntimeLeak } from './red-team-runtimes.js';

const M = 'medium' as const;
const hex = (text: string) => Buffer.from(text).toString('hex');
const bytes = (text: string) => [...Buffer.from(text)];
/** Base64 of brotli and of raw deflate (no header tells either), octal (`\\101`) and `\\u{41}` escapes. */
const brotli64 = (text: string) => brotliCompressSync(Buffer.from(text)).toString('base64');
const deflate64 = (text: string) => deflateRawSync(Buffer.from(text)).toString('base64');
const octal = (text: string) => [...Buffer.from(text)].map((b) => `\\${b.toString(8).padStart(3, '0')}`).join('');
const braced = (text: string) => [...text].map((c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`).join('');
/** A line that is a response field (`x-blob: …`) rather than a body line. */
const FIELD = /^(x-blob): (.*)$/;

/** [rule, body line, needle, severity (high when absent)]: every text here was missed before. */
const TEXTS: readonly LeakText[] = [
  [
    'leak/stack-node',
    JSON.stringify({ debug: hex('Error: boom\n    at handler (/srv/api/src/orders.js:12:5)') }),
    'at handler',
  ],
  ['leak/sql', JSON.stringify({ query: hex('SELECT id, email FROM users WHERE id = $1').toUpperCase() }), 'SELECT id'],
  ['leak/driver-pg', JSON.stringify({ cause: `0x${hex('relation "refunds" does not exist')}` }), 'refunds'],
  [
    'leak/driver-mysql',
    `cause: <Buffer ${hex("ER_DUP_ENTRY: Duplicate entry 'a@b.co' for key 'users.email'").replace(/(..)(?!$)/g, '$1 ')}>`,
    'Duplicate entry',
  ],
  [
    'leak/driver-mongo',
    JSON.stringify({ raw: { type: 'Buffer', data: bytes('E11000 duplicate key error collection: shop.users') } }),
    'E11000',
  ],
  [
    'leak/driver-redis',
    `reply: [${bytes('WRONGTYPE Operation against a key holding the wrong kind of value').join(' ')}]`,
    'WRONGTYPE',
  ],
  [
    'leak/driver-mysql',
    `bytes=[${[...Buffer.from("Unknown column 'größe' in 'field list'")].map((n) => (n > 127 ? n - 256 : n)).join(', ')}]`,
    'Unknown column',
  ],
  ['leak/private-ip', 'upstream orders-7d9f8b6c5-x2k4q refused the connection', 'orders-7d9f8b6c5-x2k4q', M],
  ['leak/private-ip', JSON.stringify({ servedBy: 'payments-5f6d7c8b9-q9z2w' }), 'payments-5f6d7c8b9', M],
  [
    'leak/stack-elixir',
    '** (RuntimeError) boom\n    (my_app 0.1.0) lib/my_app/orders.ex:12: MyApp.Orders.get/1',
    'orders.ex:12',
  ],
  ['leak/stack-elixir', '{function_clause,[{orders,get,1,[{file,"src/orders.erl"},{line,42}]}]}', 'orders.erl'],
  ['leak/stack-elixir', '** (Ecto.NoResultsError) expected at least one result but got none', 'Ecto.NoResults'],
  [
    'leak/stack-swift',
    'Fatal error: Unexpectedly found nil while unwrapping an Optional value: file App/Main.swift, line 12',
    'Main.swift',
  ],
  [
    'leak/stack-swift',
    'DecodingError.keyNotFound(CodingKeys(stringValue: "id", intValue: nil), Context(codingPath: []))',
    'keyNotFound',
  ],
  ['leak/stack-dart', '#0      OrderService.get (package:shop/orders.dart:42:7)', 'orders.dart'],
  ['leak/stack-dart', 'package:shelf/src/server_handler.dart 42:7   handleRequest', 'server_handler.dart'],
  ['leak/stack-node', '    at https://deno.land/x/oak@v12.6.1/router.ts:1180:13', 'deno.land'],
  ['leak/stack-dotnet', '   at App.Services.OrderService.<GetAsync>d__4.MoveNext()', 'MoveNext'],
  ['leak/stack-java', '\tat _COROUTINE._BOUNDARY._(CoroutineDebugging.kt:46)', '_BOUNDARY'],
  [
    'leak/stack-java',
    'akka.pattern.AskTimeoutException: Ask timed out on [Actor[akka://orders/user/repo#1]] after [5000 ms]',
    'AskTimeout',
  ],
  ['leak/stack-java', 'at app.core$handler.invokeStatic(core.clj:12)', 'core.clj'],
  ['leak/stack-java', '\tat flatMap @ com.acme.Main$.$anonfun$run$1(Main.scala:10)', 'flatMap @'],
  ['leak/exception', 'Null check operator used on a null value', 'Null check', M],
  ['leak/stack-other', 'Died at /srv/app/lib/App/Orders.pm line 42.', 'Orders.pm'],
  ['leak/stack-other', "lua: app.lua:12: attempt to index a nil value (global 'x')", 'app.lua:12'],
  [
    'leak/stack-other',
    'CallStack (from HasCallStack):\n  error, called at src/Lib.hs:12:5 in main:Lib',
    'HasCallStack',
  ],
  ['leak/stack-other', "terminate called after throwing an instance of 'std::runtime_error'", 'terminate called'],
  // Round 5: StatefulSet pods and container ids, base64 of brotli and of raw deflate, octal and `\u{…}` escapes.
  ['leak/private-ip', 'not the leader for partition 3: kafka-2.kafka-headless', 'kafka-2.kafka-headless', M],
  ['leak/private-ip', `container docker://${'3f4e5a6b7c8d9e0f'.repeat(4)} exited with code 137`, 'docker://3f4e', M],
  [
    'leak/stack-node',
    JSON.stringify({ trace: brotli64('Error: nope\n    at refundHandler (/srv/api/src/refunds.js:7:3)') }),
    'at refundHandler',
  ],
  ['leak/stack-node', `msg: "${braced('TypeError: x\n    at loadUser (/srv/api/src/users.js:3:9)')}"`, 'at loadUser'],
  ['leak/sql', `x-blob: ${deflate64('SELECT total, card FROM invoices WHERE id = 7')}`, 'SELECT total'],
  ['leak/driver-pg', `detail: "${octal('relation "invoices" does not exist')}"`, 'invoices'],
];

/** Whether `a` and `b` cannot share a path: one rule, or an exception and a stack (it is reported as the stack). */
const clash = (a: string, b: string) =>
  a === b ||
  (a === 'leak/exception' && b.startsWith('leak/stack-')) ||
  (b === 'leak/exception' && a.startsWith('leak/stack-'));

/** Every planted leak, each with the path that answers it. */
export const ENCODED_RUNTIME_LEAKS: readonly RuntimeLeak[] = groupedLeaks(TEXTS, '/encoded', clash);
const LINES = new Map(ENCODED_RUNTIME_LEAKS.map((leak, i) => [leak, TEXTS[i]?.[1] ?? '']));

/** The target: each group path answers its texts (a line each) with a 500; clean problem JSON elsewhere. */
export async function redTeamEncodedRuntimes(): Promise<LeakyTarget> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('error', () => undefined);
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const lines = ENCODED_RUNTIME_LEAKS.filter((t) => path === t.where || path.startsWith(`${t.where}/`)).map(
      (t) => LINES.get(t) ?? '',
    );
    const texts = lines.filter((line) => !FIELD.test(line));
    const fields: Record<string, string> = {};
    for (const field of lines.map((line) => FIELD.exec(line)))
      if (field !== null) fields[field[1] ?? ''] = field[2] ?? '';
    res.writeHead(lines.length === 0 ? 404 : 500, {
      ...fields,
      'content-type': lines.length === 0 ? 'application/problem+json' : 'text/plain',
      'x-content-type-options': 'nosniff',
      'cache-control': 'no-store',
      'x-request-id': crypto.randomUUID(),
    });
    res.end(lines.length === 0 ? '{"type":"about:blank","title":"Not Found","status":404}' : texts.join('\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    name: 'red team encoded texts and runtimes',
    url: `http://127.0.0.1:${portOf(server)}`,
    planted: ENCODED_RUNTIME_LEAKS,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
