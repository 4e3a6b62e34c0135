/**
 * The frames of one WebSocket session as the probe keeps them for its checks: bounded by their
 * total size, not by their count, so that a leak after a burst of small frames (a welcome, presence
 * updates) is still read, while a flood of large frames still fits in a fixed memory.
 */

/** The most text kept from one session's frames. */
export const FRAMES_BYTES = 1024 * 1024;
/** The most text kept from one frame. */
export const FRAME_BYTES = 65_536;

/** Adds `text` (cut at {@link FRAME_BYTES}) to `frames` while their total stays within {@link FRAMES_BYTES}. */
export function keepFrame(frames: string[], text: string): void {
  const kept = frames.reduce((total, frame) => total + frame.length, 0);
  if (kept >= FRAMES_BYTES) return;
  frames.push(text.slice(0, Math.min(FRAME_BYTES, FRAMES_BYTES - kept)));
}

/** ws's error code for a message over `maxPayload`: the target sent a message no client accepts. */
export const OVERSIZED = 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
