// One real PostgreSQL server for the whole test run; each test file makes its own database on it.
// With DATABASE_URL set, that server is used instead (CI service containers, a developer's own).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalPostgres, type LocalPostgres } from '../../service/local/postgres-server.js';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

let server: LocalPostgres | undefined;
let tmp: string | undefined;

export async function setup(project: TestProject): Promise<void> {
  const external = process.env.TEST_DATABASE_URL;
  if (external) {
    project.provide('postgresUrl', external);
    return;
  }
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'login-pipeline-test-'));
  server = await startLocalPostgres({ dataDir: path.join(tmp, 'pgdata'), fast: true });
  project.provide('postgresUrl', server.url);
}

export async function teardown(): Promise<void> {
  await server?.remove();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
}
