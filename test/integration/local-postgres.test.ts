// The embedded PostgreSQL that tests, the benchmark and `npm start` run: what it leaves on disk.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startLocalPostgres, sweepOrphanedDataDirs } from '../../service/local/postgres-server.js';

const made: string[] = [];
const tempDir = (prefix: string): string => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the embedded PostgreSQL on disk', () => {
  it('a removed server leaves no data behind, even where it had to keep its data outside the folder asked for', { timeout: 60_000 }, async () => {
    const tmp = tempDir('login-pipeline-pg-remove-');
    const server = await startLocalPostgres({ dataDir: path.join(tmp, 'pgdata'), fast: true });
    const dataDir = server.dataDir;
    expect(fs.existsSync(path.join(dataDir, 'PG_VERSION'))).toBe(true);
    await server.remove();
    expect(fs.existsSync(dataDir)).toBe(false);
    expect(fs.existsSync(`${dataDir}.for`)).toBe(false);
  });

  it('sweeps a staged data dir whose folder is gone, and keeps one still in use, one with a server running and one it cannot place', () => {
    const root = tempDir('login-pipeline-staging-');
    const stillThere = tempDir('login-pipeline-owner-');
    const stage = (name: string, owner: string | undefined, pid?: number): string => {
      const dir = path.join(root, name);
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'PG_VERSION'), '18\n');
      if (owner !== undefined) fs.writeFileSync(`${dir}.for`, owner);
      if (pid !== undefined) fs.writeFileSync(path.join(dir, 'postmaster.pid'), `${pid}\n${dir}\n`);
      return dir;
    };
    const orphan = stage('data-orphan', path.join(root, 'deleted-test-folder', 'pgdata'));
    const inUse = stage('data-in-use', stillThere);
    const running = stage('data-running', path.join(root, 'deleted-too', 'pgdata'), process.pid);
    const unknown = stage('data-unknown', undefined);
    const binaries = path.join(root, 'bin-0123');
    fs.mkdirSync(binaries);

    expect(sweepOrphanedDataDirs(root)).toEqual([orphan]);
    expect(fs.existsSync(orphan)).toBe(false);
    expect(fs.existsSync(`${orphan}.for`)).toBe(false);
    for (const kept of [inUse, running, unknown, binaries]) expect(fs.existsSync(kept), kept).toBe(true);
  });
});
