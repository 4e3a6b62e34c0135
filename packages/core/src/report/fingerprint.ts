/**
 * Storm fingerprints: code + error type + the top stack frames, normalised (directories, column
 * numbers and anonymous-closure noise removed), hashed to a short id. Two records with one
 * fingerprint are the same failure from the same place.
 */
import { createHash } from 'node:crypto';
import type { Fault } from '../fault.js';
import { safeGet } from '../safe-access.js';

const FRAME = /^\s*at (?:(.+?) \()?(?:.*[/\\])?([^/\\():]+):(\d+):\d+\)?$/;
const TOP_FRAMES = 3;

/** Normalises the first `TOP_FRAMES` frames of a V8 stack to `fn@file:line`. */
export function topFrames(stack: string): string[] {
  const frames: string[] = [];
  for (const line of stack.split('\n')) {
    const match = FRAME.exec(line);
    if (match === null) continue;
    frames.push(`${match[1] ?? '<anonymous>'}@${match[2]}:${match[3]}`);
    if (frames.length === TOP_FRAMES) break;
  }
  return frames;
}

/** The fingerprint of a fault: 16 hex characters. Reads the stack, so call it off the response path. */
export function fingerprint(fault: Fault): string {
  const thrown = fault.internal.thrown;
  let frames: string[] = [];
  if (typeof thrown === 'object' && thrown !== null) {
    const stack = safeGet(thrown, 'stack');
    if (typeof stack === 'string') frames = topFrames(stack.slice(0, 16_384));
  }
  return createHash('sha1')
    .update(
      `${fault.code}\u0000${fault.internal.errorType}\u0000${fault.internal.reason}\u0000${frames.join('\u0000')}`,
    )
    .digest('hex')
    .slice(0, 16);
}
