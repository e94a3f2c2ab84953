// Turns `pulumi stack output --json` into KEY=value lines for $GITHUB_ENV, so the deploy scripts
// read plain variables. The names are the stack's contract; a missing one stops the deploy here
// rather than as an empty argument to an aws call three steps later.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** Stack output name -> environment variable the deploy scripts read. */
export const STACK_OUTPUT_ENV = {
  queueUrl: 'QUEUE_URL',
  dlqUrl: 'DLQ_URL',
  clusterName: 'CLUSTER_NAME',
  serviceName: 'SERVICE_NAME',
  migrationTaskDefinitionArn: 'MIGRATION_TASK_DEFINITION_ARN',
  migrationTaskFamily: 'MIGRATION_TASK_FAMILY',
  privateSubnetIds: 'PRIVATE_SUBNET_IDS',
  migrationSecurityGroupId: 'MIGRATION_SECURITY_GROUP_ID',
  ecrRepositoryUrl: 'ECR_REPOSITORY_URL',
  logGroupName: 'LOG_GROUP_NAME',
} as const;

export class StackOutputsError extends Error {
  override readonly name = 'StackOutputsError';
}

function asValue(name: string, value: unknown): string {
  if (Array.isArray(value)) {
    if (value.length === 0 || !value.every((v) => typeof v === 'string' && v !== '')) {
      throw new StackOutputsError(`stack output ${name} must be a non-empty list of strings`);
    }
    return value.join(',');
  }
  if (typeof value !== 'string' || value === '') {
    throw new StackOutputsError(`stack output ${name} is missing or empty`);
  }
  return value;
}

export function stackOutputsToEnv(outputs: Record<string, unknown>): string[] {
  return Object.entries(STACK_OUTPUT_ENV).map(([output, variable]) => {
    const value = asValue(output, outputs[output]);
    // $GITHUB_ENV is line based: a newline in a value could inject another variable.
    if (/[\r\n]/.test(value)) throw new StackOutputsError(`stack output ${output} contains a line break`);
    return `${variable}=${value}`;
  });
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx .github/scripts/stack-outputs-to-env.ts <outputs.json>');
    process.exit(2);
  }
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (parsed === null || typeof parsed !== 'object') throw new StackOutputsError('stack outputs are not a JSON object');
    console.log(stackOutputsToEnv(parsed as Record<string, unknown>).join('\n'));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  }
}
