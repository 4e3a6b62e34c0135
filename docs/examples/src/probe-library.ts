import { parseTarget, runProbe } from '@faultline/probe';

const result = await runProbe(parseTarget('http://127.0.0.1:3000', false), { timeoutMs: 30_000 });
console.log(result.verdict, result.findings.length, result.discovered);
