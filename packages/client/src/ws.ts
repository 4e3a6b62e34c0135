/**
 * Decoding WebSocket faults: an error frame (`{"error":{…}}`, the connection stays open) or a
 * close (`code` and reason `<CODE> <request_id>`). Never throws.
 */
import { CATEGORIES, TAXONOMY } from '@faultline/core/taxonomy';
import {
  type CatalogLike,
  categoryOfCode,
  paramsOf,
  type RemoteFault,
  remoteFault,
  uuidOrUndefined,
} from './remote-fault.js';

/** A close event (browser `CloseEvent`, or ws's `code` and reason). */
export interface CloseLike {
  readonly code: number;
  readonly reason: string;
}

/** The category of a close code: the taxonomy's match, else internal. */
function categoryOfClose(code: number) {
  for (const category of CATEGORIES) if (TAXONOMY[category].wsClose === code) return category;
  return 'internal' as const;
}

/** Decodes an error frame (text) or a close into a {@link RemoteFault}; `undefined` for a normal close or a frame that is not an error. */
export function decodeWsFault<Code extends string = never>(
  input: string | CloseLike,
  catalog?: CatalogLike<Code>,
): RemoteFault<Code> | undefined {
  if (typeof input === 'string') {
    let parsed: unknown;
    try {
      parsed = JSON.parse(input);
    } catch {
      return undefined;
    }
    const error = (parsed as { error?: Record<string, unknown> })?.error;
    if (typeof error !== 'object' || error === null || typeof error.code !== 'string') return undefined;
    const status = typeof error.status === 'number' ? error.status : undefined;
    return remoteFault({
      protocol: 'ws',
      category: categoryOfCode(error.code, 'internal', catalog),
      code: error.code,
      status,
      message: typeof error.message === 'string' ? error.message : undefined,
      requestId: uuidOrUndefined(error.request_id),
      params: paramsOf(error.params),
      conforming: true,
    });
  }
  if (input.code === 1000 || input.code === 1005) return undefined;
  const [code, id] = input.reason.split(' ');
  const named = code !== undefined && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : undefined;
  const category = categoryOfCode(named ?? '', categoryOfClose(input.code), catalog);
  return remoteFault({
    protocol: 'ws',
    category,
    code: named,
    requestId: uuidOrUndefined(id),
    conforming: named !== undefined,
  });
}
