/**
 * Core's heavy parts load only when used (#21): importing `@faultline/core` or
 * `@faultline/core/adapter` and classifying a received gRPC status loads no protobuf, no
 * rotating-file-stream and, with no SDK registered, no OpenTelemetry package at all; `@faultline/core/grpc` loads protobuf and reads
 * the downstream's stable code from the rich status.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { encodeStatusDetails } from '../src/grpc/status-encode.js';
import { capture, defineCatalog } from './support/source.js';

const run = promisify(execFile);
const child = fileURLToPath(new URL('./fixtures/entry-child.mjs', import.meta.url));
const errors = defineCatalog({ ENTRY_SKU_UNKNOWN: { category: 'validation', message: 'The SKU is unknown.' } });
const blob = Buffer.from(encodeStatusDetails(capture(errors.ENTRY_SKU_UNKNOWN()), 'orders')).toString('base64');

async function load(entry: string): Promise<{ urls: string[]; result: { category: string; code: string } }> {
  const log = join(mkdtempSync(join(tmpdir(), 'faultline-entry-')), 'loads.txt');
  const { stdout } = await run(process.execPath, [child, entry, blob], {
    env: { ...process.env, FAULTLINE_LOAD_LOG: log },
    timeout: 20_000,
  });
  return { urls: readFileSync(log, 'utf8').split('\n'), result: JSON.parse(stdout.trim().split('\n').at(-1) ?? '') };
}

/** No OpenTelemetry package either: without an SDK registered, not even the API is imported (otel-api.ts). */
const HEAVY = ['@bufbuild/protobuf', 'rotating-file-stream', '@opentelemetry/'];

describe('core entries', () => {
  it.each(['@faultline/core', '@faultline/core/adapter'])(
    '%s loads no heavy part, and classifies a received status by code',
    async (entry) => {
      const { urls, result } = await load(entry);
      expect(urls.some((url) => url.includes('/packages/core/'))).toBe(true);
      for (const heavy of HEAVY) expect(urls.filter((url) => url.includes(heavy))).toEqual([]);
      expect(result).toEqual({ category: 'validation', code: 'VALIDATION_FAILED' });
    },
  );

  it('@faultline/core/grpc loads protobuf and keeps the downstream stable code', async () => {
    const { urls, result } = await load('@faultline/core/grpc');
    expect(urls.some((url) => url.includes('@bufbuild/protobuf'))).toBe(true);
    expect(result).toEqual({ category: 'validation', code: 'ENTRY_SKU_UNKNOWN' });
  });
});
