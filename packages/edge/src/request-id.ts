/**
 * Which incoming `X-Request-ID` the gateway keeps: by default only a UUID v4 (the version the
 * gateway and the services make), compared in lower case; an operator whose clients or upstream
 * gateways make other RFC 9562 versions (v7 is common) lists them. Anything else is replaced.
 */

/** An RFC 9562 UUID version (1-8). */
export type UuidVersion = 1 | 2 | 3 | 4 | 5 | 6 | 7 | 8;

/** The versions kept by default: v4 only. */
export const DEFAULT_ID_VERSIONS: readonly UuidVersion[] = [4];

/** True when `value` is a list of 1 to 8 distinct RFC 9562 versions (whole numbers 1-8). */
export function isIdVersions(value: unknown): value is readonly UuidVersion[] {
  return (
    Array.isArray(value) &&
    value.length >= 1 &&
    value.length <= 8 &&
    new Set(value).size === value.length &&
    value.every((v) => Number.isInteger(v) && v >= 1 && v <= 8)
  );
}

/**
 * The regular-expression source (anchored, lower case, variant 10xx) matching a canonical UUID of
 * one of `versions`, for nginx `map`, HAProxy `-m reg` and the njs check alike. The versions must
 * have passed {@link isIdVersions}.
 */
export function idPattern(versions: readonly UuidVersion[] = DEFAULT_ID_VERSIONS): string {
  const digits = [...new Set(versions)].sort().join('');
  return `^[0-9a-f]{8}-[0-9a-f]{4}-[${digits}][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`;
}
