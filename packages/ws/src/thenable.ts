/** Telling a handler's or hook's promise from any other value it returns, whatever that value is. */
import { isObjectLike, safeGet } from '@faultline/core/adapter';

/** True for a value with a callable `then`; a throwing getter or Proxy trap counts as no. */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return isObjectLike(value) && typeof safeGet(value, 'then') === 'function';
}
