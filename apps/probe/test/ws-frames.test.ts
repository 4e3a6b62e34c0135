/** The frames a WebSocket session keeps: bounded by bytes and by count, what is not checked counted. */
import { describe, expect, it } from 'vitest';
import { FRAME_BYTES, Frames, MAX_FRAMES, MIDDLES_BYTES } from '../src/ws/frames.js';

describe('kept frames', () => {
  it('a flood of tiny frames keeps at most MAX_FRAMES; the bytes past it are counted unscanned', () => {
    const frames = new Frames();
    for (let i = 0; i < MAX_FRAMES + 5000; i += 1) frames.add(Buffer.from('x'));
    expect(frames.texts.length).toBe(MAX_FRAMES);
    expect(frames.unscanned).toBe(5000);
  });

  it('a long frame keeps its head and its tail; its middle is checked, and kept where it leaks', () => {
    const frames = new Frames();
    const stack = 'at /srv/app.js:1:1';
    const filler = Buffer.alloc(FRAME_BYTES * 2, 'a');
    frames.add(Buffer.concat([filler, Buffer.from(` ${stack} `), filler]));
    frames.add(Buffer.concat([filler, filler]));
    expect(frames.unscanned).toBe(0);
    expect(frames.texts[0]).toContain(stack);
    // Without a leak in its middle, only head and tail are kept.
    expect(frames.texts[1]?.length).toBe(2 * FRAME_BYTES + 2);
  });

  it('the middles checked in a session are bounded; the rest is counted', () => {
    const frames = new Frames();
    const frame = Buffer.alloc(1024 * 1024, 'a');
    const middle = frame.length - 2 * FRAME_BYTES;
    const checked = Math.floor(MIDDLES_BYTES / middle);
    for (let i = 0; i <= checked; i += 1) frames.add(frame);
    expect(frames.unscanned).toBe(middle);
  });
});
