/**
 * rotating-file-stream writes each chunk with one `FileHandle.write` and never looks at how many
 * bytes it took: a disk that filled up (or a file size limit) took part of a line and the line
 * counted written, cut, with the lines after it failing. Each handle it opens is made to write the
 * whole chunk or fail (the rest is written again; a write that takes nothing fails with the error
 * the kernel gives the next try).
 */
import type { Writable } from 'node:stream';

type HandleWrite = (
  chunk: Buffer,
  offset?: number,
  length?: number,
) => Promise<{ bytesWritten: number; buffer: Buffer }>;

/** Makes the file handles `stream` (a rotating-file-stream) opens write whole chunks. */
export function wholeWrites(stream: Writable): void {
  stream.on('open', () => {
    const file = (stream as { file?: { write?: unknown } }).file;
    if (typeof file?.write !== 'function') return;
    const write = (file.write as HandleWrite).bind(file);
    file.write = async (chunk: Buffer, offset = 0, length = chunk.length - offset) => {
      let done = 0;
      while (done < length) {
        const { bytesWritten } = await write(chunk, offset + done, length - done);
        if (bytesWritten <= 0) throw Object.assign(new Error('no bytes written'), { code: 'EIO' });
        done += bytesWritten;
      }
      return { bytesWritten: done, buffer: chunk };
    };
  });
}
