/**
 * The HTTP `Retry-After` header (RFC 9110 10.2.3), read from an untrusted server by its grammar
 * alone: delay-seconds or an HTTP-date (RFC 9110 5.6.7: IMF-fixdate and the obsolete RFC 850 and
 * asctime forms). Nothing goes through `Date.parse`, whose leniency differs between engines (V8
 * reads `3600.` or `in 2099` as years).
 */
import { DECODE_LIMITS } from '../untrusted.js';
import { trimOws } from './field-value.js';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MONTH = `(${MONTHS.join('|')})`;
const TIME = '(\\d{2}):(\\d{2}):(\\d{2})';
/** `Sun, 06 Nov 1994 08:49:37 GMT` */
const IMF_FIXDATE = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun), (\\d{2}) ${MONTH} (\\d{4}) ${TIME} GMT$`);
/** `Sunday, 06-Nov-94 08:49:37 GMT` */
const RFC_850 = new RegExp(
  `^(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday), (\\d{2})-${MONTH}-(\\d{2}) ${TIME} GMT$`,
);
/** `Sun Nov  6 08:49:37 1994` */
const ASCTIME = new RegExp(`^(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) ${MONTH} ( \\d|\\d{2}) ${TIME} (\\d{4})$`);

/** Milliseconds since the epoch of a valid UTC date and time, else undefined (31 Feb, 25:00, …). */
function utc(year: number, month: string, day: string, time: readonly string[]): number | undefined {
  const [hour = 99, minute = 99, second = 99] = time.map(Number);
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  const m = MONTHS.indexOf(month);
  const date = new Date(Date.UTC(2000, m, Number(day), hour, minute, Math.min(second, 59)));
  // Date.UTC maps years 0-99 to 1900-1999: the full year is set on its own.
  date.setUTCFullYear(year, m, Number(day));
  return date.getUTCMonth() === m && date.getUTCDate() === Number(day) ? date.getTime() : undefined;
}

/** The time an HTTP-date names, in milliseconds since the epoch, or undefined when `text` is not one. */
function httpDate(text: string, now: number): number | undefined {
  const imf = IMF_FIXDATE.exec(text);
  if (imf !== null) {
    const [, day = '', month = '', year = '', ...time] = imf;
    return utc(Number(year), month, day, time as string[]);
  }
  const rfc850 = RFC_850.exec(text);
  if (rfc850 !== null) {
    const [, day = '', month = '', yy = '', ...time] = rfc850;
    // RFC 9110: a two-digit year more than 50 years ahead is the most recent past year with those digits.
    const thisYear = new Date(now).getUTCFullYear();
    const year = thisYear - (thisYear % 100) + Number(yy);
    return utc(year > thisYear + 50 ? year - 100 : year, month, day, time as string[]);
  }
  const asctime = ASCTIME.exec(text);
  if (asctime === null) return undefined;
  const [, month = '', day = '', h = '', m = '', s = '', year = ''] = asctime;
  return utc(Number(year), month, day.trim(), [h, m, s]);
}

/**
 * Seconds from a Retry-After header: delay-seconds (any number of digits), or an HTTP-date in any
 * of RFC 9110's three forms, rounded up; at most a day (a longer delay is capped). Undefined when
 * the value is longer than 64 characters, follows neither form, or names a past date.
 */
export function retryAfterSeconds(value: string | null | undefined, now = Date.now()): number | undefined {
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const text = trimOws(value);
  if (/^\d+$/.test(text)) return Math.min(Number(text), DECODE_LIMITS.retryAfter);
  const at = httpDate(text, now);
  if (at === undefined) return undefined;
  const seconds = Math.ceil((at - now) / 1000);
  // `+ 0` turns the -0 of a date less than a second ago into 0.
  return seconds >= 0 ? Math.min(seconds + 0, DECODE_LIMITS.retryAfter) : undefined;
}
