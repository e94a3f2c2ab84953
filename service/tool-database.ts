// The database for the operator tools (unmask, rekey): the configured one (DATABASE_URL or
// DATABASE_HOST), or, on a developer machine with neither set, the local stack's own PostgreSQL
// that `npm start` keeps in .local/, started just for the command and stopped after it.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type pg from 'pg';
import { readDatabaseConfig, type Config } from './config.js';
import { createPool } from './db-pool.js';
import { ConfigError } from './errors.js';
import { KeysetError, loadKeyset } from './keys.js';
import { createMasker, type Masker } from './masking.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The names service/local/start.ts uses for the local stack. */
const LOCAL_DATABASE = 'login_pipeline';

export interface ToolDatabase {
  pool: pg.Pool;
  close(): Promise<void>;
}

export async function openToolDatabase(env: Record<string, string | undefined>, note: (line: string) => void): Promise<ToolDatabase> {
  if (env.DATABASE_URL?.trim() || env.DATABASE_HOST?.trim()) {
    const pool = createPool(readDatabaseConfig(env));
    return { pool, close: () => pool.end() };
  }
  const dataDir = path.join(path.resolve(env.LOCAL_STATE_DIR ?? path.join(ROOT, '.local')), 'postgres');
  if (!fs.existsSync(dataDir)) {
    throw new ConfigError('DATABASE_URL', 'is required (or DATABASE_HOST); there is no local stack in .local/ either (run npm start first)');
  }
  // Loaded only here, and by a computed specifier so the compiler does not pull the local harness into
  // dist/: the embedded binaries are a development dependency, absent from the image.
  const localHarness = './local/postgres-server.js';
  const { startLocalPostgres } = (await import(localHarness)) as {
    startLocalPostgres(options: { dataDir: string; fast?: boolean }): Promise<{ urlFor(database: string): string; stop(): Promise<void> }>;
  };
  note(`using the local stack's PostgreSQL (${path.relative(process.cwd(), dataDir) || dataDir}), database ${LOCAL_DATABASE}`);
  const server = await startLocalPostgres({ dataDir, fast: true });
  const pool = createPool({ source: { kind: 'url', url: server.urlFor(LOCAL_DATABASE) }, tls: 'disable', caFile: undefined, poolSize: 2 });
  return {
    pool,
    close: async () => {
      await pool.end();
      await server.stop();
    },
  };
}

/**
 * The masker and the database an operator tool (unmask, rekey) works with, or undefined after saying
 * on stderr what is wrong with the keys or the database settings (the caller exits 2).
 */
export async function openMaskingTool(
  name: string,
  env: Record<string, string | undefined>,
  masking: Config['masking'],
): Promise<{ masker: Masker; database: ToolDatabase } | undefined> {
  try {
    const masker = createMasker(await loadKeyset(masking.keys), masking.mode);
    const database = await openToolDatabase(env, (line) => console.error(`${name}: ${line}`));
    return { masker, database };
  } catch (error) {
    if (error instanceof KeysetError || error instanceof ConfigError) {
      console.error(`${name}: ${error.message}`);
      return undefined;
    }
    throw error;
  }
}
