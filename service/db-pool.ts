// One place turns DatabaseConfig into a pg Pool: a URL (local, CI), or host/port/name with the
// password read from the RDS-managed secret at each new connection, over TLS that verifies the
// server certificate against the RDS CA bundle.
import fs from 'node:fs';
import path from 'node:path';
import type { ConnectionOptions } from 'node:tls';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import type { DatabaseConfig } from './config.js';
import { ConfigError, DatabaseUnavailableError } from './errors.js';
import { createSecretsManagerClient, readDatabaseCredentials, type SecretsClient } from './secrets.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const BUNDLE = path.join('certs', 'rds-global-bundle.pem');
/** certs/ sits at the package root: one level above service/ under tsx, two above dist/service/ when compiled. */
export const DEFAULT_CA_FILE =
  [path.resolve(here, '..', BUNDLE), path.resolve(here, '..', '..', BUNDLE)].find((file) => fs.existsSync(file)) ??
  path.resolve(here, '..', BUNDLE);

export interface PoolDeps {
  /** Reads DATABASE_SECRET_ID; defaults to a client for the environment's region and credentials. */
  secretsClient?: SecretsClient;
}

function tlsOptions(config: DatabaseConfig): ConnectionOptions | false {
  if (config.tls === 'disable') return false;
  const file = config.caFile ?? DEFAULT_CA_FILE;
  let ca: string;
  try {
    ca = fs.readFileSync(file, 'utf8');
  } catch (cause) {
    throw new ConfigError('DATABASE_CA_FILE', `cannot read the CA bundle ${file}`, { cause });
  }
  if (!ca.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError('DATABASE_CA_FILE', `${file} holds no PEM certificate`);
  // Only these CAs are trusted (not the system store), and the host name must match the certificate:
  // node's default checkServerIdentity runs because rejectUnauthorized is on.
  return { ca, rejectUnauthorized: true };
}

/**
 * pg 8 leaves the socket open when the password function fails, and pg-pool drops the client without
 * ending it, so each failed attempt would hold a half-authenticated server connection until the
 * server's authentication_timeout (60 s). This client closes itself when its connect fails.
 */
class ClientClosedOnFailedConnect extends pg.Client {
  override connect(): Promise<pg.Client>;
  override connect(callback: (err: Error) => void): void;
  override connect(callback?: (err: Error) => void): Promise<pg.Client> | void {
    const close = () => this.end().catch(() => undefined);
    if (callback === undefined) {
      return super.connect().catch(async (error: unknown) => {
        await close();
        throw error;
      });
    }
    super.connect((error: Error) => {
      if (error) void close();
      callback(error);
    });
  }
}

export function createPool(config: DatabaseConfig, deps: PoolDeps = {}): pg.Pool {
  const { source } = config;
  const common: pg.PoolConfig = {
    max: config.poolSize,
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'login-consumer',
    ssl: tlsOptions(config),
  };
  let pool: pg.Pool;
  if (source.kind === 'url') {
    pool = new pg.Pool({ ...common, connectionString: source.url });
  } else {
    const { secretId, user } = source;
    let password: pg.PoolConfig['password'] = source.password;
    if (secretId !== undefined) {
      const client = deps.secretsClient ?? createSecretsManagerClient();
      // pg calls this for every new connection, so a password that RDS rotated is picked up by the
      // next connection without a restart.
      password = async () => {
        let credentials;
        try {
          credentials = await readDatabaseCredentials(client, secretId);
        } catch (cause) {
          throw new DatabaseUnavailableError(`database password unavailable: ${(cause as Error).message}`, { cause });
        }
        if (credentials.username !== user) {
          throw new DatabaseUnavailableError(`secret ${secretId} is for user ${credentials.username}, but DATABASE_USER is ${user}`);
        }
        return credentials.password;
      };
    }
    pool = new pg.Pool({
      ...common,
      host: source.host,
      port: source.port,
      database: source.database,
      user,
      password,
      Client: ClientClosedOnFailedConnect,
    });
  }
  // An idle client losing its connection (a database restart) must not crash the process;
  // the next query on a fresh client reports the outage to the caller instead.
  pool.on('error', () => undefined);
  return pool;
}

/**
 * Opens the pool's connections before the first batch needs them. Otherwise the first batches each
 * wait for a handshake (TCP, TLS, authentication, and in AWS a Secrets Manager read) at the moment
 * the receive loops are busiest: the first writes of a drain took ten times as long as later ones.
 * Best effort: a database that is down now is found, and waited out, by the first write.
 */
export async function warmPool(pool: pg.Pool, connections: number): Promise<number> {
  const opened = await Promise.allSettled(Array.from({ length: connections }, () => pool.connect()));
  let ready = 0;
  for (const result of opened) {
    if (result.status === 'fulfilled') {
      result.value.release();
      ready += 1;
    }
  }
  return ready;
}
