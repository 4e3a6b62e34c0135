/**
 * A client-streaming call answers once, through its callback. grpc-js 1.14 hands the handler a
 * Duplex, though: its `write(v)` sends a message besides the callback's (the client then reports
 * its own UNIMPLEMENTED "Too many responses received"), its `end()` sends OK without a message
 * (the client's UNIMPLEMENTED "No message received"), and a written message that fails to
 * serialize gets grpc-js's own INTERNAL: no `x-request-id`, no rich status, no record. Here both
 * are replaced: before the answer, either fails the call (the message is never sent, nor
 * serialized); after it, either does nothing (the answer, or its fault, is on its way).
 */
import { EndedWithoutAnswer } from './call-guard.js';
import { refuseWrite } from './write-callback.js';

/** What the replaced `write` and `end` ask of the call's wrapper. */
export interface ClientStreamAnswer {
  /** Ends the call with the value's fault (exactly once: the wrapper decides). */
  fail(error: unknown): void;
  /** True once the handler answered through its callback, or the call failed. */
  answered(): boolean;
}

/** The parts of a client-streaming call {@link guardClientStreamAnswer} replaces. */
export interface AnswerableCall {
  write(chunk: unknown, encoding?: unknown, callback?: unknown): boolean;
  end(...args: unknown[]): unknown;
}

/** Stands in for `call.write(v)` on a client-streaming call: its message goes through its callback, once. */
export class WrittenToClientStreamingCall extends Error {
  constructor() {
    super('client-streaming call written with call.write(); it answers once, through its callback');
    this.name = 'WrittenToClientStreamingCall';
  }
}

const kAnswer = Symbol('faultline.clientStreamAnswer');

/** The answer state {@link guardClientStreamAnswer} gave `call`, if any. */
function answerOf(call: object): ClientStreamAnswer | undefined {
  return (call as { [kAnswer]?: ClientStreamAnswer })[kAnswer];
}

/**
 * The call's `write` (one function for every call): fails the call unless it was answered, never
 * sends the message, returns false; a write callback gets the error on the next tick, as Node's
 * own failed writes do.
 */
function answerOnlyWrite(this: object, _chunk: unknown, encoding?: unknown, callback?: unknown): boolean {
  const answer = answerOf(this);
  const error = new WrittenToClientStreamingCall();
  if (answer !== undefined && !answer.answered()) answer.fail(error);
  return refuseWrite(encoding, callback, error);
}

/**
 * The call's `end` (one function for every call): fails the call unless it was answered (grpc-js's
 * `end(metadata)` would send OK with those trailers and no message). Returns the call.
 */
function answerOnlyEnd(this: object): unknown {
  const answer = answerOf(this);
  if (answer !== undefined && !answer.answered()) answer.fail(new EndedWithoutAnswer('client-streaming'));
  return this;
}

/**
 * Replaces `write` and `end` of a client-streaming `call` (see the module's description); `answer`
 * is the call's wrapper, reached through a symbol property, so the two functions are shared by
 * every call.
 */
export function guardClientStreamAnswer(call: AnswerableCall, answer: ClientStreamAnswer): void {
  (call as { [kAnswer]?: ClientStreamAnswer })[kAnswer] = answer;
  call.write = answerOnlyWrite;
  call.end = answerOnlyEnd;
}
