/** A gRPC method definition whose messages are raw bytes, for leaky targets that answer by hand. */

const raw = (b: Buffer) => b;

/** The definition of unary (or server-streaming) method `path`, its messages passed as they are. */
export function rawMethod(path: string, responseStream = false) {
  return {
    path,
    requestStream: false,
    responseStream,
    requestSerialize: raw,
    requestDeserialize: raw,
    responseSerialize: raw,
    responseDeserialize: raw,
  };
}
