/** The frames a WebSocket session keeps: bounded by bytes and by count, what is not kept counted. */
import { describe, expect, it } from 'vitest';
import { FRAME_BYTES, Frames, MAX_FRAMES } from '../src/ws/frames.js';

describe('kept frames', () => {
  it('a flood of tiny frames keeps at most MAX_FRAMES; the bytes past it are counted unscanned', () => {
    const frames = new Frames();
    for (let i = 0; i < MAX_FRAMES + 5000; i += 1) frames.add(Buffer.from('x'));
    expect(frames.texts.length).toBe(MAX_FRAMES);
    expect(frames.unscanned).toBe(5000);
  });

  it('a long frame keeps its head and its tail; its middle is counted', () => {
    const frames = new Frames();
    const stack = 'at /srv/app.js:1:1';
    const total = 3 * FRAME_BYTES;
    frames.add(Buffer.concat([Buffer.alloc(total - stack.length, 'a'), Buffer.from(stack)]));
    expect(frames.unscanned).toBe(total - 2 * FRAME_BYTES);
    expect(frames.texts[0]?.endsWith(stack)).toBe(true);
    expect(frames.texts[0]?.length).toBe(2 * FRAME_BYTES + 2);
  });
});
