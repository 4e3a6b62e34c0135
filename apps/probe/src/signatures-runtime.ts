/**
 * Signatures of runtime texts that are not a stack frame of the first set: Rust panics, exception
 * messages sent without their stack (`TypeError: Cannot read properties of undefined`, `KeyError:
 * 'id'`), and framework debug pages and fields (Spring's Whitelabel page, Django's and Werkzeug's
 * debug pages, ASP.NET's error page, Symfony's `X-Debug-Exception` and profiler token).
 */
import type { Signature } from './signatures.js';

/** Runtime texts, checked after the stacks and drivers (an exception with its stack is reported as the stack). */
export const RUNTIME_SIGNATURES: readonly Signature[] = [
  {
    rule: 'leak/stack-rust',
    severity: 'high',
    description: 'Rust panic or source location',
    pattern:
      /\bthread '[^'\n]{1,128}' panicked at|\bsrc\/[\w/.-]{1,256}\.rs:\d+:\d+|called `(?:Option|Result)::unwrap\(\)` on an? `(?:None|Err)/,
  },
  {
    rule: 'leak/exception',
    severity: 'medium',
    description: 'runtime exception message',
    // The class and its message (`ReferenceError: x is not defined`), or a runtime's own wording; the
    // bare class name (`"error":"TypeError"`) is not one. Dart's and Swift's own wording too (`Null check
    // operator used on a null value`). Reported once with its stack, as the stack.
    pattern:
      /\b(?:TypeError|ReferenceError|RangeError|SyntaxError|EvalError|URIError|InternalError|AggregateError|KeyError|AttributeError|ValueError|IndexError|NameError|ZeroDivisionError|ImportError|ModuleNotFoundError|UnboundLocalError|AssertionError|RecursionError|NotImplementedError|FileNotFoundError|PermissionError|UnicodeDecodeError|JSONDecodeError): \S|Cannot read propert(?:y|ies) of (?:undefined|null)|(?<![\w$.])[\w$.]{1,128} is not a function\b|'NoneType' object (?:has no attribute|is not subscriptable|is not iterable)|Null check operator used on a null value|\btype '[^'\n]{1,128}' is not a subtype of type '|NoSuchMethodError: (?:The (?:method|getter|setter) '|Class ')|Unexpectedly found nil while (?:implicitly )?unwrapping an Optional/,
    subsumedBy: 'leak/stack-',
  },
  {
    rule: 'leak/exception',
    severity: 'medium',
    description: 'runtime exception message naming internal types',
    // A runtime's or library's own words naming the server's types and fields: Go's `encoding/json`
    // (`cannot unmarshal string into Go struct field Order.qty of type int`), pydantic's `1 validation error
    // for Order`, Java's helpful NullPointerException (`Cannot invoke "String.length()" because …`),
    // axum's and actix's JSON extractors (serde's text), an AWS Lambda error object (`"errorType":…`).
    pattern:
      /\bcannot unmarshal \w{1,32} into Go (?:struct field|value of type) [\w.[\]*]{1,128}|\bjson: unknown field "|\b\d{1,4} validation errors? for [A-Z]\w{0,64}\b|\bCannot (?:invoke "[^"\n]{1,256}"|(?:read|assign) field "[^"\n]{1,128}"|load from \w{1,16} array|store to \w{1,16} array|read the array length|throw exception) because "|Failed to deserialize the JSON body into the target type|\bJson deserialize error: |"errorType"\s{0,4}:\s{0,4}"(?:Runtime\.\w{1,64}|[A-Z]\w{0,64}(?:Error|Exception))"/,
    subsumedBy: 'leak/stack-',
  },
  {
    rule: 'leak/debug',
    severity: 'medium',
    description: 'framework debug page or debug field',
    // A default or debug error page shows the framework, its settings and often the failing code (Django's
    // debug page without its DEBUG notice still has its `Django Version:` and `Python Executable:` rows); a
    // Symfony debug field names the exception, and its profiler token opens every request's details;
    // an `X-Exception-*` or `X-Debug-Trace` field (a HEAD answer is all fields) names the failure.
    pattern:
      /Whitelabel Error Page|There was an unexpected error \(type=|\bDEBUG = True\b|You're seeing this error because you have|Using the URLconf defined in|Django tried these URL patterns|\bDjango Version:|\bPython Executable:|Werkzeug Debugger|The debugger caught an exception in your WSGI application|Server Error in '[^'\n]{0,256}' Application|An unhandled exception occurred while processing the request|Action Controller: Exception caught|Whoops! There was an error|class=['"]xdebug-error|\[GIN-debug\]|(?:^|\n)(?:x-debug-(?:exception|exception-file|token|token-link|trace|stack|stacktrace|file|line|error|message|sql|query)|x-exception(?:-[\w-]{1,64})?) *: *\S/i,
  },
];
