/**
 * The error type is the name a thrown value chose (its constructor's, or its own `name`). The
 * NDJSON record redacts it (`error_type`, `error.type`); the OTel exception log record wrote it as
 * it was (`exception.type`), so a token set as an error's name reached the log exporter.
 */
import { describe, expect, it } from 'vitest';
import { THREADS, writeFaults } from './support/hostile-records.js';
import { useOtelSdk } from './support/otel-sdk.js';

const { logRecords: exported } = useOtelSdk();

const TOKEN = 'ghp_16C7e42F292c6912E7710c838347Ae178B4a';

describe.each(THREADS)('the OTel exception record of a fault written on the %s thread', (thread) => {
  it('redacts an error type that is a secret, as the NDJSON record does', async () => {
    const thrown = new Error('named');
    thrown.name = TOKEN;
    const written = await writeFaults(thread, [{ thrown, attributes: { kept: 'yes' } }]);
    expect(written.recordLines[0]).toBeDefined();
    expect(written.recordLines[0]).not.toContain('16C7e42F292c');
    const exceptions = exported
      .getFinishedLogRecords()
      .filter((record) => record.attributes['exception.type'] !== undefined);
    expect(exceptions.length).toBeGreaterThan(0);
    expect(JSON.stringify(exceptions.map((record) => record.attributes))).not.toContain('16C7e42F292c');
  }, 30_000);
});
