// `npm run chaos -- [options]`: runs the chaos suite and prints its report; exits 1 on any loss,
// order violation, duplicate beyond docs/reliability.md's allowance or refused webhook, 2 on a
// usage error. See chaos/README.md.
import { type ChaosReport, runChaos } from './chaos.js';
import { parseChaosArgs, USAGE } from './plan.js';

export function formatReport(report: ChaosReport): string {
  const lines: string[] = [];
  const row = (name: string, f: ChaosReport['total']) =>
    `${name.padEnd(12)} ${String(f.acknowledged).padStart(8)} ${String(f.delivered).padStart(9)} ${String(f.lost).padStart(5)} ${String(f.duplicated).padStart(10)} ${String(f.orderViolations).padStart(6)}`;
  lines.push(
    `${'device'.padEnd(12)} ${'acked'.padStart(8)} ${'delivered'.padStart(9)} ${'lost'.padStart(5)} ${'duplicated'.padStart(10)} ${'order'.padStart(6)}`,
  );
  for (const d of report.devices) lines.push(row(d.device, d));
  lines.push(row('TOTAL', report.total));
  const o = report.options;
  lines.push(
    `events ${o.events}, devices ${o.devices}, workers ${o.workers}, faults ${o.faults}, seed ${o.seed}, max ${o.maxSeconds} s`,
    `kills: ${report.kills.worker} worker, ${report.kills.stack} stack, ${report.kills.emulator} emulator (SIGKILL)`,
    `unacknowledged ${report.unacknowledged}, refused ${report.refused}, driver timeouts ${report.timeouts}, parked in the outbox ${report.parked}`,
    `duplicates ${report.total.duplicated} (allowed ${report.allowedDuplicates}: calls in flight at a kill or timed out; SendConnectorEvent has no idempotency token)`,
    `outbox left ${report.outboxLeft}, outbox dead-letter queue ${report.deadLettered}, wall ${report.wallSeconds} s`,
  );
  if (report.lostExamples.length > 0) lines.push(`lost: ${report.lostExamples.join(' ')}`);
  if (report.orderExamples.length > 0) lines.push(`order: ${report.orderExamples.join('; ')}`);
  lines.push(report.failures.length === 0 ? 'PASS' : `FAIL: ${report.failures.join('; ')}`);
  return lines.join('\n');
}

const isMain =
  process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/'));
if (isMain) {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`${USAGE}\nSee chaos/README.md for what a run does and what its figures rest on.`);
    process.exit(0);
  }
  let options: ReturnType<typeof parseChaosArgs>;
  try {
    options = parseChaosArgs(argv);
  } catch (error) {
    console.error(`chaos: ${(error as Error).message}\n${USAGE}`);
    process.exit(2);
  }
  const started = new Date().toISOString();
  const report = await runChaos(options, (line) =>
    console.error(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}`),
  );
  console.log(`chaos run ${started}`);
  console.log(formatReport(report));
  process.exit(report.failures.length === 0 ? 0 : 1);
}
