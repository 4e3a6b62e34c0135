/**
 * Stack frames and uncaught-exception texts of the runtimes the first stack signatures do not know:
 * Elixir and Erlang (BEAM), Swift, Dart, and a few more (Perl, Lua, Haskell, OCaml, Zig, C++). Each
 * shape is one a runtime or its web framework writes and ordinary data does not: a source file with
 * its line, a runtime's own header.
 */
import type { Signature } from './signatures.js';

/** Stacks of other runtimes, checked with the first stack signatures (before SQL, drivers and paths). */
export const OTHER_STACK_SIGNATURES: readonly Signature[] = [
  {
    rule: 'leak/stack-elixir',
    severity: 'high',
    description: 'Elixir or Erlang exception or stack frame',
    // `** (RuntimeError) boom`, `** (exit) …`; a frame `(my_app 0.1.0) lib/my_app/orders.ex:12: …` or
    // `lib/my_app/orders.ex:12`; Erlang's `{file,"src/m.erl"},{line,42}` and `** exception error:`; a
    // Phoenix, Ecto, Plug or Postgrex exception; a GenServer's crash report; a process id (`#PID<0.123.0>`).
    pattern:
      /\*\* \((?:(?:[A-Z]\w{0,64}\.){0,8}[A-Z]\w{0,64}(?:Error|Exception)|exit|EXIT|throw|stop)\)|\([a-z_]\w{0,64} \d+\.\d+[\w.+-]{0,32}\) [\w./-]{1,512}\.(?:exs?|[eh]rl):\d+|(?<![\w.-])(?:[\w.-]{1,128}\/){1,16}[\w.-]{1,128}\.(?:exs?|[eh]rl):\d+\b|\{file,\s?"[^"\n]{1,256}"\},\s?\{line,\s?\d+\}|\*\* exception (?:error|exit|throw):|\b(?:Phoenix|Ecto|Plug|Postgrex|DBConnection|Absinthe)\.(?:[A-Z]\w{0,64}\.){0,4}[A-Z]\w{0,64}(?:Error|Exception)\b|\bGenServer [\w.:<>#-]{1,128} terminating\b|#PID<\d{1,10}\.\d{1,10}\.\d{1,10}>/,
  },
  {
    rule: 'leak/stack-swift',
    severity: 'high',
    description: 'Swift fatal error, source location or decoding error',
    // `Fatal error: … file App/Main.swift, line 12`, `Main.swift:42: Fatal error: …`, and the text of a
    // Codable error (`DecodingError.keyNotFound(CodingKeys(stringValue: "id", …`) a Vapor app sends.
    pattern:
      /(?<![\w-])[\w-]{1,128}\.swift(?::\d+|, line \d+)\b|\bDecodingError\.(?:keyNotFound|typeMismatch|valueNotFound|dataCorrupted)\(|\bCodingKeys\(stringValue: "/,
  },
  {
    rule: 'leak/stack-dart',
    severity: 'high',
    description: 'Dart stack frame or uncaught exception',
    // `#0  OrderService.get (package:shop/orders.dart:42:7)`, `(dart:core/errors.dart:12)`, a file URL,
    // the stack_trace package's terse frame (`package:shop/orders.dart 42:7  OrderService.get`);
    // the VM's `Unhandled exception:` header.
    pattern:
      /(?:\b(?:package|dart):|\bfile:\/\/|(?<![\w./@-])\/)[\w./@-]{0,512}\.dart(?::\d+(?::\d+)?| \d+:\d+)|\bUnhandled exception:\r?\n\S/,
  },
  {
    rule: 'leak/stack-other',
    severity: 'high',
    description: 'stack frame or uncaught error of another runtime (Perl, Lua, Haskell, OCaml, Zig, C++)',
    pattern:
      /\bat [\w./-]{1,512}\.p[lm] line \d+\b|\bstack traceback:\s|(?<![\w/.-])[\w/.-]{1,512}\.lua:\d+: |\bCallStack \(from HasCallStack\)|\b(?:Raised at|Re-raised at|Called from) [\w.]{1,256} in file "[^"\n]{1,256}", line \d+|\.zig:\d+:\d+: 0x[0-9a-f]+ in |\bterminate called after throwing an instance of '/,
  },
];
