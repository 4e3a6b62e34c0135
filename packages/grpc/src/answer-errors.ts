/**
 * What a handler's misuse of its unary (or client-streaming) call is recorded as: the stand-ins
 * for an answer without a message, a `write` on a unary call, and an `end()` before the answer.
 */

/** Stands in for `callback(null)` without a response message: the handler answered nothing. */
export class AnsweredWithoutMessage extends Error {
  constructor() {
    super('unary callback called without an error or a response message');
    this.name = 'AnsweredWithoutMessage';
  }
}

/** Stands in for `call.write(v)` on a unary call: its message goes through its callback, once. */
export class WrittenToUnaryCall extends Error {
  constructor() {
    super('unary call written with call.write(); a unary call answers once, through its callback');
    this.name = 'WrittenToUnaryCall';
  }
}

/** Stands in for `call.end()` on a unary (or client-streaming: `kind`) call not answered yet. */
export class EndedWithoutAnswer extends Error {
  constructor(kind: 'unary' | 'client-streaming' = 'unary') {
    super(`${kind} call ended with call.end() before an answer through its callback`);
    this.name = 'EndedWithoutAnswer';
  }
}
