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
        invocations: [
          {
            executionSuccessful: !result.incomplete && result.verdict !== 'inconclusive',
            properties: {
              verdict: result.verdict,
              requests: result.requests,
              answered: result.answered,
              unanswered: result.unanswered,
            },
            // None of the application reached: the run is no evidence that its own errors are safe.
            ...(result.coverage.gap === undefined
              ? {}
              : { toolExecutionNotifications: [{ level: 'warning', message: { text: result.coverage.gap } }] }),
          },
        ],
        // With a baseline, only what is new is reported.
        results: result.findings
          .filter((f) => f.baselineState !== 'unchanged')
          .map((finding) => ({
            ruleId: finding.rule,
            level: LEVEL[finding.severity],
            message: {
              text: `${finding.message} (probe: ${finding.probe})${finding.evidence === undefined ? '' : ` Evidence: ${finding.evidence}`}`,
            },
            locations: [
              {
                physicalLocation: { artifactLocation: { uri: result.target } },
                logicalLocations: (finding.locations ?? [finding.location]).map((name) => ({ name })),
              },
            ],
            partialFingerprints: { faultlineProbeKey: finding.key ?? `${finding.rule} ${finding.location}` },
            ...(finding.baselineState === undefined ? {} : { baselineState: finding.baselineState }),
            properties: { severity: finding.severity, probe: finding.probe },
          })),
      },
    ],
  };
}
