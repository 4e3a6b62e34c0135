/** Express ships no types and the tests use it structurally (see helpers.ts): declare both majors as opaque. */
declare module 'express4' {
  const express: unknown;
  export default express;
}
