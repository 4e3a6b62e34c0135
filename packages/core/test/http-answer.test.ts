/**
 * The HTTP answer's headers: every answer carries exactly the headers `problemHeaders` gives (plus
 * `Vary: Accept` when negotiating and `Content-Language` when translated), with the id apart; most
 * answers share one frozen headers object instead of allocating their own.
 */
import { describe, expect, it } from 'vitest';
import { httpAnswer } from '../src/answer/http-answer.js';
import { answerHeaders, type BodyFormat, problemHeaders } from '../src/answer/http-headers.js';
import { resolveResponder } from '../src/answer/responder.js';
import { capture, defineCatalog, FaultError } from '../src/index.js';

const FORMATS: readonly BodyFormat[] = ['problem', 'envelope', 'jsonapi'];

const errors = defineCatalog({
  HA_TRANSLATED: {
    category: 'validation',
    message: 'Too many items.',
    translations: { de: { title: 'Ungültige Anfrage', message: 'Zu viele Einträge.' } },
  },
});

/** `problemHeaders` without the id, as every answer's headers were written before the id moved out. */
function expected(headers: Record<string, string>, extra: Record<string, string> = {}) {
  const { 'x-request-id': _id, ...rest } = headers;
  return { ...rest, ...extra };
}

describe('answer headers', () => {
  const thrown = [
    FaultError.of('not_found'),
    FaultError.of('conflict'),
    FaultError.of('internal'),
    FaultError.of('unauthenticated'),
    FaultError.of('rate_limited', { retryAfter: 30 }),
    FaultError.of('unavailable'),
    FaultError.of('method_not_allowed'),
  ];

  it.each(FORMATS)('%s: the same headers as problemHeaders, the id apart', (format) => {
    const responder = resolveResponder({ format }, undefined);
    for (const error of thrown) {
      const fault = capture(error);
      const answer = httpAnswer(fault, responder, undefined, {}, 'GET, HEAD');
      expect(answer.requestId).toBe(fault.id);
      expect({ ...answer.headers }).toEqual(expected(problemHeaders(fault, format, responder, 'GET, HEAD')));
    }
  });

  it('401: a thrown challenge gives only its scheme and an RFC 6750 error code, never its own text', () => {
    const challengeOf = (header: string | undefined, wwwAuthenticate?: string) => {
      const thrown = Object.assign(new Error('upstream auth failed'), {
        status: 401,
        expose: true,
        ...(header === undefined ? {} : { headers: { 'WWW-Authenticate': header } }),
      });
      return problemHeaders(capture(thrown), 'problem', wwwAuthenticate === undefined ? {} : { wwwAuthenticate })[
        'www-authenticate'
      ];
    };
    const leaky =
      'Bearer realm="vault.internal.corp", error="invalid_token", error_description="token eyJx.eyJy.sig expired"';
    expect(challengeOf(leaky)).toBe('Bearer error="invalid_token"');
    expect(challengeOf(leaky, 'Bearer realm="orders"')).toBe('Bearer realm="orders", error="invalid_token"');
    expect(challengeOf('Basic realm="db.internal:5432"')).toBe('Basic');
    expect(challengeOf('Basic realm="db.internal"', 'Basic realm="api"')).toBe('Basic realm="api"');
    expect(challengeOf('bearer error=insufficient_scope scope="admin:internal"')).toBe(
      'Bearer error="insufficient_scope"',
    );
    expect(challengeOf('Bearer error="made_up_code"')).toBe('Bearer');
    expect(challengeOf(undefined, 'Bearer realm="orders"')).toBe('Bearer realm="orders"');
    expect(challengeOf('"quoted" junk\r\nSet-Cookie: a=b')).toBe('Bearer');
    expect(challengeOf(`${'A'.repeat(40)} realm="x"`)).toBe('Bearer');
  });

  it('negotiate adds Vary: Accept, a translation Content-Language', () => {
    const responder = resolveResponder({ format: 'negotiate' }, undefined);
    for (const error of [...thrown, errors.HA_TRANSLATED()]) {
      const fault = capture(error);
      const answer = httpAnswer(fault, responder, undefined, { accept: 'application/json', 'accept-language': 'de' });
      const extra: Record<string, string> = { vary: 'Accept' };
      if (fault.code === 'HA_TRANSLATED') extra['content-language'] = 'de';
      expect({ ...answer.headers }).toEqual(expected(problemHeaders(fault, 'envelope', responder), extra));
    }
  });

  it('answers whose headers do not depend on the fault share one frozen object', () => {
    const options = resolveResponder({}, undefined);
    const a = answerHeaders(capture(FaultError.of('not_found')), 'problem', options, undefined, false, undefined);
    const b = answerHeaders(capture(FaultError.of('conflict')), 'problem', options, undefined, false, undefined);
    expect(a).toBe(b);
    expect(Object.isFrozen(a)).toBe(true);
    const vary = answerHeaders(capture(FaultError.of('conflict')), 'problem', options, undefined, true, undefined);
    expect(vary).not.toBe(a);
    expect(vary.vary).toBe('Accept');
  });

  it('per-fault headers get an object of their own', () => {
    const options = resolveResponder({}, undefined);
    const shared = answerHeaders(capture(FaultError.of('conflict')), 'problem', options, undefined, false, undefined);
    const limited = answerHeaders(
      capture(FaultError.of('rate_limited', { retryAfter: 30 })),
      'problem',
      options,
      undefined,
      false,
      undefined,
    );
    expect(limited).not.toBe(shared);
    expect(limited['retry-after']).toBe('30');
    expect(shared).not.toHaveProperty('retry-after');
    const translated = answerHeaders(capture(FaultError.of('conflict')), 'problem', options, undefined, false, 'de');
    expect(translated['content-language']).toBe('de');
    expect(shared).not.toHaveProperty('content-language');
  });
});
