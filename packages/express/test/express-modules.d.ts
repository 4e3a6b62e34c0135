/** Express ships no types and the tests use it structurally (see helpers.ts): declare both majors as opaque. */
declare module 'express4' {
  const express: unknown;
  export default express;
}

/** compression ships no types: the tests use it as an opaque middleware factory. */
declare module 'compression' {
  const compression: (options?: { threshold?: number }) => unknown;
  export default compression;
}
