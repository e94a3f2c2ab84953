// `npm run redrive -- [--dry-run] [--max N]`: count the DLQ by reason, or move its messages back to
// the login queue. Prints counts only: message bodies hold raw PII.
import { readRedriveConfig, REDRIVE_USAGE } from './dlq-config.js';
import { redriveDlq, type RedriveReport } from './dlq-redrive.js';
import { ConfigError } from './errors.js';
import { createSqsClient } from './sqs-client.js';
import { runIfEntryPoint } from './run-cli.js';

export function formatReport(report: RedriveReport): string {
  const reasons = Object.entries(report.byReason)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .map(([reason, count]) => `  ${reason}: ${count}`);
  const head = report.dryRun
    ? `dry run: ${report.examined} message(s) in the DLQ, all left in place`
    : `redrive: ${report.moved} moved to the login queue, ${report.failed} failed, ${report.sentNotDeleted} sent but not deleted from the DLQ (of ${report.examined} examined)`;
  return [head, ...(reasons.length > 0 ? ['by reason:', ...reasons] : [])].join('\n');
}

export async function main(argv: string[], env: Record<string, string | undefined> = process.env): Promise<number> {
  let config;
  try {
    config = readRedriveConfig(env, argv);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`configuration error: ${error.message}\n${REDRIVE_USAGE}`);
      return 2;
    }
    throw error;
  }
  const sqs = createSqsClient({
    region: config.region,
    endpoint: config.endpoint,
    maxSockets: 4,
    // An emulator accepts any key; in AWS the default chain (role, SSO, profile) is used.
    credentials: config.endpoint && !env.AWS_ACCESS_KEY_ID ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined,
  });
  try {
    const report = await redriveDlq({ sqs, queueUrl: config.queueUrl, dlqUrl: config.dlqUrl, dryRun: config.dryRun, max: config.max });
    console.log(formatReport(report));
    return report.failed > 0 || report.sentNotDeleted > 0 ? 1 : 0;
  } finally {
    sqs.destroy();
  }
}

runIfEntryPoint(import.meta.url, 'redrive', main, { forceExit: true });
