import { describe, expect, it } from 'vitest';
import { checkAnswer } from '../src/answer.js';
import { SIGNATURES } from '../src/signatures.js';

/**
 * An answer is read synchronously, so a signature that backtracks over a hostile body holds the
 * whole probe, past its deadline. Each of these runs of near-matches (320 KB: the first 256 KB
 * and the last 64 KB of a body, what the probe checks) took 2 s to 105 s with an unbounded
 * quantifier; bounded, the signatures scan each in milliseconds.
 */
const SEEDS = [
  'at ',
  'at a.',
  'at a.b ',
  'at A.B.',
  'at A.B.C(',
  'at <anonymous>',
  'a/',
  'nginx/',
  'a-',
  'xoxb-',
  'com.a.',
  'org.',
  'java.',
  'password',
  'a_password',
  'aPassword',
  'SECRET',
  'MongoA',
  'File "a',
  '\\\\a\\b',
  'arn:aws:a:a:',
  'a.a@',
  'eyJaaaaaaaaa.',
  'SELECT a ',
  'Caused by: a.',
  'undefined method `a',
  'fd00:',
  'src/a',
  'a is not ',
  "thread 'a",
  'Key (a',
  'ip-10-1',
  '=/a',
  'select a, ',
  'select "a',
  'insert into a ',
  'jdbc:ab:',
  'mongodb://a.',
  '/app/a.',
  '.(*A).',
];

const SIZE = 320 * 1024;

/**
 * Milliseconds of this process's CPU since `since`: the scans are synchronous, so their CPU time is
 * their cost, whatever else the machine runs (wall time under a load of 10 on two cores was 5 times it).
 */
function cpuMsSince(since: NodeJS.CpuUsage): number {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / 1000;
}

describe('reading a hostile answer takes time linear in its length', () => {
  for (const seed of SEEDS) {
    it(`${JSON.stringify(seed)} repeated over ${SIZE} bytes`, () => {
      const body = seed.repeat(Math.ceil(SIZE / seed.length)).slice(0, SIZE);
      for (const signature of SIGNATURES) {
        const started = process.cpuUsage();
        new RegExp(signature.pattern.source, signature.pattern.flags).test(body);
        // The quadratic patterns took 2 s and more; bounded ones take milliseconds.
        expect(cpuMsSince(started), signature.description).toBeLessThan(1000);
      }
      const started = process.cpuUsage();
      checkAnswer({ status: 500, headers: { 'x-debug': body.slice(0, 8192) }, body }, { probe: 'unit', location: '/' });
      expect(cpuMsSince(started)).toBeLessThan(3000);
    });
  }
});
