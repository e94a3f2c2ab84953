import crypto from 'node:crypto';
import { X509Certificate } from 'node:crypto';
import fs from 'node:fs';
import { SecretsManagerClient, type GetSecretValueCommandOutput } from '@aws-sdk/client-secrets-manager';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { readDatabaseConfig, type DatabaseConfig } from '../../service/config.js';
import { createPool, DEFAULT_CA_FILE } from '../../service/db-pool.js';
import { ConfigError, DatabaseUnavailableError } from '../../service/errors.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { HANDSHAKE_DONE, makeTestPki, startTlsPostgresStandIn, type TestPki } from './tls-server.js';

/** A real SDK client whose `send` answers from `secret()`: there is no Secrets Manager emulator here. */
function secretsClient(secret: () => object) {
  const client = new SecretsManagerClient({ region: 'eu-west-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
  const send = vi
    .spyOn(client, 'send')
    .mockImplementation(async () => ({ $metadata: {}, SecretString: JSON.stringify(secret()) }) satisfies GetSecretValueCommandOutput);
  return { client, send };
}

function partsConfig(url: URL, overrides: Partial<Extract<DatabaseConfig['source'], { kind: 'parts' }>>): DatabaseConfig {
  return {
    source: { kind: 'parts', host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), ...overrides },
    tls: 'disable',
    caFile: undefined,
    poolSize: 4,
  };
}

async function connectError(pool: pg.Pool): Promise<Error> {
  const error = await pool.connect().then(
    (client) => {
      client.release();
      return undefined;
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(Error);
  return error as Error;
}

describe('createPool with DATABASE_HOST and DATABASE_SECRET_ID', () => {
  let db: TestDatabase;
  let url: URL;
  const role = `pool_test_${crypto.randomBytes(4).toString('hex')}`;
  let password = crypto.randomBytes(12).toString('hex');

  beforeAll(async () => {
    db = await createTestDatabase({ migrate: false });
    url = new URL(db.url);
    await db.pool.query(`CREATE ROLE ${role} LOGIN PASSWORD '${password}'`);
  });
  afterAll(async () => {
    await db.pool.query(`DROP ROLE IF EXISTS ${role}`);
    await db.drop();
  });

  /** Backends on the test database other than the test's own admin pool. */
  async function serverSideConnections(): Promise<number> {
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM pg_stat_activity
       WHERE backend_type = 'client backend' AND pid <> pg_backend_pid() AND (usename IS NULL OR usename = $1)`,
      [role],
    );
    return rows[0]!.n;
  }

  it('connects with the secret, reading it again for every new connection', async () => {
    const { client, send } = secretsClient(() => ({ username: role, password, engine: 'postgres' }));
    const pool = createPool(partsConfig(url, { secretId: 'rds!db-123', user: role }), { secretsClient: client });
    try {
      const [a, b] = await Promise.all([pool.connect(), pool.connect()]);
      expect((await a.query('SELECT current_user AS u')).rows[0].u).toBe(role);
      expect(send).toHaveBeenCalledTimes(2);

      // RDS rotates the password; the connections already open live on, the next one uses the new one.
      password = crypto.randomBytes(12).toString('hex');
      await db.pool.query(`ALTER ROLE ${role} PASSWORD '${password}'`);
      const c = await pool.connect();
      expect((await c.query('SELECT 1 AS one')).rows[0].one).toBe(1);
      expect(send).toHaveBeenCalledTimes(3);
      for (const held of [a, b, c]) held.release();
    } finally {
      await pool.end();
    }
  });

  it('fails to connect with a stale password, which is what re-reading the secret avoids', async () => {
    const pool = createPool(partsConfig(url, { user: role, password: 'stale-password' }));
    try {
      expect((await connectError(pool)).message).toMatch(/password authentication failed/);
    } finally {
      await pool.end();
    }
  });

  it('refuses a secret for another user, saying so', async () => {
    const { client } = secretsClient(() => ({ username: 'someone_else', password }));
    const pool = createPool(partsConfig(url, { secretId: 'rds!db-123', user: role }), { secretsClient: client });
    try {
      const error = await connectError(pool);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error.message).toBe(`secret rds!db-123 is for user someone_else, but DATABASE_USER is ${role}`);
      // pg itself would leave that attempt's socket open, half-authenticated, for the server's
      // authentication_timeout; ours closes it.
      await expect.poll(() => serverSideConnections(), { timeout: 2_000 }).toBe(0);
    } finally {
      await pool.end();
    }
  });

  it('reports a secret without a password as the database being unavailable, without echoing it', async () => {
    const { client } = secretsClient(() => ({ username: role, pass: password }));
    const pool = createPool(partsConfig(url, { secretId: 'rds!db-123', user: role }), { secretsClient: client });
    try {
      const error = await connectError(pool);
      expect(error).toBeInstanceOf(DatabaseUnavailableError);
      expect(error.message).toBe('database password unavailable: secret rds!db-123 has no "password" string');
      expect(error.message).not.toContain(password);
    } finally {
      await pool.end();
    }
  });
});

describe('createPool with DATABASE_TLS=verify-full', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki.remove());

  async function attempt(server: { key: string; cert: string }, config: Partial<DatabaseConfig>, host = '127.0.0.1'): Promise<string> {
    const standIn = await startTlsPostgresStandIn(server.key, server.cert);
    const pool = createPool({
      ...partsConfig(new URL(`postgres://${host}:${standIn.port}/app`), { user: 'app', password: 'unused' }),
      tls: 'verify-full',
      ...config,
    });
    try {
      return (await connectError(pool)).message;
    } finally {
      await pool.end();
      await standIn.stop();
    }
  }

  it('completes the handshake with a server whose certificate chains to the trusted CA and names the host', async () => {
    expect(await attempt(pki, { caFile: pki.caFile })).toBe(HANDSHAKE_DONE);
  });

  it('refuses a certificate from a CA outside the bundle', async () => {
    expect(await attempt(pki, { caFile: pki.otherCaFile })).toMatch(/self-signed certificate in certificate chain|unable to (get|verify)/);
  });

  it('trusts only the shipped RDS bundle by default, so a test CA is refused', async () => {
    expect(await attempt(pki, { caFile: undefined })).toMatch(/self-signed certificate in certificate chain|unable to (get|verify)/);
  });

  it('refuses a trusted certificate issued for another host name', async () => {
    expect(await attempt({ key: pki.wrongHostKey, cert: pki.wrongHostCert }, { caFile: pki.caFile })).toMatch(
      /does not match certificate's altnames|Hostname\/IP does not match/,
    );
  });

  it('stops with a ConfigError when the CA bundle cannot be read', () => {
    expect(() => createPool({ ...partsConfig(new URL('postgres://127.0.0.1:5432/app'), { user: 'a', password: 'b' }), tls: 'verify-full', caFile: '/nonexistent/ca.pem' })).toThrow(
      ConfigError,
    );
  });
});

describe('the shipped RDS CA bundle', () => {
  it('parses into certificates that include the regional RSA2048 G1 roots the stack uses', () => {
    const pem = fs.readFileSync(DEFAULT_CA_FILE, 'utf8');
    const certificates = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
    expect(certificates.length).toBe(115);
    const subjects = certificates.map((c) => new X509Certificate(c).subject);
    for (const region of ['us-east-1', 'eu-west-1', 'eu-central-1', 'ap-southeast-2']) {
      expect(subjects.some((s) => s.includes(`CN=Amazon RDS ${region} Root CA RSA2048 G1`))).toBe(true);
    }
  });
});

describe('readDatabaseConfig for the secret form', () => {
  const env = { DATABASE_HOST: 'db.internal', DATABASE_SECRET_ID: 'rds!db-123' };

  it('requires DATABASE_USER, which PostgreSQL needs before it asks for the password', () => {
    expect(() => readDatabaseConfig(env)).toThrow(/DATABASE_USER: is required with DATABASE_SECRET_ID/);
  });

  it('defaults to verify-full with the shipped bundle, and takes DATABASE_CA_FILE', () => {
    expect(readDatabaseConfig({ ...env, DATABASE_USER: 'app' })).toMatchObject({ tls: 'verify-full', caFile: undefined });
    expect(readDatabaseConfig({ ...env, DATABASE_USER: 'app', DATABASE_CA_FILE: '/etc/ca.pem' }).caFile).toBe('/etc/ca.pem');
  });
});
