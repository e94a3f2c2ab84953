// The SDK copies the client's resolved config on every call; sqs-client.ts keeps that object in V8's
// fast mode so the copies stay cheap. V8 only reports the mode with --allow-natives-syntax, so each
// check runs in a child Node process with that flag.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SETTINGS = `{ region: 'us-east-1', endpoint: 'http://127.0.0.1:9', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } }`;

/** Whether V8 holds `client.config` in fast mode, after `build` (module code) has made `client`. */
function configInFastMode(build: string): boolean {
  const script = `${build}
    process.stdout.write(String(eval('%HasFastProperties(client.config)')));
    client.destroy();`;
  const out = execFileSync(process.execPath, ['--allow-natives-syntax', '--import', 'tsx', '--input-type=module', '--eval', script], {
    cwd: ROOT,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return out.trim() === 'true';
}

describe('the config of an SQS client, which the SDK copies on every call', () => {
  it('is in dictionary mode as the SDK builds it, where each copy is slow', () => {
    expect(configInFastMode(`import { SQSClient } from '@aws-sdk/client-sqs'; const client = new SQSClient(${SETTINGS});`)).toBe(false);
  });

  it('is in fast mode in every client createSqsClient builds', () => {
    expect(configInFastMode(`import { createSqsClient } from './service/sqs-client.ts'; const client = createSqsClient(${SETTINGS});`)).toBe(true);
  });
});
