/** SARIF 2.1.0 output, for code-scanning dashboards. */
import type { Finding, Severity } from '../findings.js';
import type { RunResult } from '../run.js';

const LEVEL: Readonly<Record<Severity, 'error' | 'warning' | 'note'>> = {
  high: 'error',
  medium: 'warning',
  low: 'note',
  info: 'note',
};

/** The run as a SARIF 2.1.0 log. */
export function toSarif(result: RunResult, version: string): object {
  const rules = new Map<string, Finding>();
  for (const finding of result.findings) if (!rules.has(finding.rule)) rules.set(finding.rule, finding);
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'faultline-probe',
            version,
            informationUri: 'https://www.npmjs.com/package/@faultline/probe',
            rules: [...rules.keys()].map((id) => ({
              id,
              shortDescription: { text: id.replace('/', ': ') },
              defaultConfiguration: { level: LEVEL[(rules.get(id) as Finding).severity] },
            })),
          },
        },
        invocations: [{ executionSuccessful: !result.timedOut }],
        results: result.findings.map((finding) => ({
          ruleId: finding.rule,
          level: LEVEL[finding.severity],
          message: {
            text: `${finding.message} (probe: ${finding.probe})${finding.evidence === undefined ? '' : ` Evidence: ${finding.evidence}`}`,
          },
          locations: [
            {
              physicalLocation: { artifactLocation: { uri: result.target } },
              logicalLocations: [{ name: finding.location }],
            },
          ],
          properties: { severity: finding.severity, probe: finding.probe },
        })),
      },
    ],
  };
}
