/**
 * Picking a translation of a code's title and message from an `Accept-Language` header (RFC 9110
 * §12.5.4): the client's languages by quality, each matched exactly or by its primary subtag
 * (`de-CH` takes `de`). Bounded: at most 20 entries of the header are read.
 */

/** The best translation tag for `acceptLanguage` among `available`, or undefined (use the default). */
export function pickLocale(
  acceptLanguage: unknown,
  available: Readonly<Record<string, unknown>> | undefined,
): string | undefined {
  if (available === undefined || typeof acceptLanguage !== 'string' || acceptLanguage === '') return undefined;
  const tags = Object.keys(available);
  if (tags.length === 0) return undefined;
  const byLower = new Map(tags.map((tag) => [tag.toLowerCase(), tag]));
  const wanted = acceptLanguage
    .slice(0, 512)
    .split(',', 20)
    .map((part, index) => {
      const [range = '', ...parameters] = part.trim().split(';');
      const q = parameters.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find((v) => v !== undefined);
      return { range: range.trim().toLowerCase(), q: q === undefined ? 1 : Number(q), index };
    })
    .filter((entry) => entry.q > 0 && /^[a-z]{1,8}(?:-[a-z0-9]{1,8})*$/.test(entry.range))
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { range } of wanted) {
    const exact = byLower.get(range);
    if (exact !== undefined) return exact;
    const primary = byLower.get(range.split('-')[0] as string);
    if (primary !== undefined) return primary;
  }
  return undefined;
}
