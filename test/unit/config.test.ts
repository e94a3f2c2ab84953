import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../service/config.js';
import { ConfigError } from '../../service/errors.js';

const base = {
  AWS_REGION: 'eu-west-1',
  QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/logins',
  DLQ_URL: 'https://sqs.eu-west-1.amazonaws.com/123456789012/logins-dlq',
  DATABASE_URL: 'postgres://u:p@localhost:5432/db',
  MASKING_KEY: 'ab'.repeat(64),
};

function failure(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('configuration', () => {
  it('applies the documented defaults', () => {
    const config = loadConfig(base);
    expect(config).toMatchObject({
      receiveConcurrency: 48,
      receiveBatchSize: 10,
      waitTimeSeconds: 20,
      visibilityTimeoutSeconds: 60,
      healthPort: 8080,
      shutdownTimeoutMs: 25_000,
      masking: { mode: 'encrypt', keys: { kind: 'hex' } },
      database: { tls: 'disable', poolSize: 4, source: { kind: 'url' } },
      endpoint: undefined,
    });
    expect(config.shutdownTimeoutMs).toBeLessThan(30_000);
  });

  it.each(['QUEUE_URL', 'DLQ_URL', 'AWS_REGION', 'DATABASE_URL', 'MASKING_KEY'])('names %s when it is missing', (name) => {
    const env: Record<string, string | undefined> = { ...base, [name]: undefined };
    expect(failure(env).variable).toBe(name);
  });

  it.each([
    ['RECEIVE_BATCH_SIZE', '11', 'between 1 and 10'],
    ['RECEIVE_CONCURRENCY', 'four', 'whole number'],
    ['WAIT_TIME_SECONDS', '21', 'between 0 and 20'],
    ['MASKING_MODE', 'rot13', 'one of encrypt, hash'],
    ['QUEUE_URL', 'not a url', 'not a valid URL'],
    ['DATABASE_URL', 'mysql://x@y/z', 'postgres://'],
    ['HEALTH_PORT', '70000', 'between 0 and 65535'],
  ])('refuses %s=%j, saying why', (name, value, why) => {
    const error = failure({ ...base, [name]: value });
    expect(error.variable).toBe(name);
    expect(error.message).toContain(why);
  });

  it('refuses two sources of masking keys at once', () => {
    expect(failure({ ...base, MASKING_KEY_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:1:secret:k' }).message).toContain('only one source');
  });

  it('reads the RDS form: host, secret, user, and TLS verified by default', () => {
    const config = loadConfig({
      ...base,
      DATABASE_URL: undefined,
      DATABASE_HOST: 'db.example.internal',
      DATABASE_SECRET_ID: 'arn:aws:secretsmanager:eu-west-1:1:secret:rds',
      DATABASE_USER: 'login_admin',
    });
    expect(config.database).toMatchObject({ tls: 'verify-full', source: { kind: 'parts', host: 'db.example.internal', port: 5432, user: 'login_admin' } });
  });
});
