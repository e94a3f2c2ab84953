// The container health check script: 0 only when the consumer's /health/live answers 200.
import { execFile } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { probeLiveness } from '../../service/healthcheck.js';
import { containerEnv } from './container-env.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const run = promisify(execFile);
const servers: http.Server[] = [];

async function endpoint(handler: http.RequestListener): Promise<number> {
  const server = http.createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

async function unusedPort(): Promise<number> {
  const port = await endpoint(() => undefined);
  await new Promise<void>((resolve) => servers.pop()!.close(() => resolve()));
  return port;
}

afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => { s.closeAllConnections(); s.close(() => resolve()); })));
});

describe('liveness probe', () => {
  it('is healthy when /health/live answers 200', async () => {
    const seen: string[] = [];
    const port = await endpoint((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      res.writeHead(200).end('{}');
    });
    expect(await probeLiveness(port)).toBe(true);
    expect(seen).toEqual(['GET /health/live']);
  });

  it('is unhealthy when the endpoint answers 503', async () => {
    const port = await endpoint((_req, res) => res.writeHead(503).end('{}'));
    expect(await probeLiveness(port)).toBe(false);
  });

  it('is unhealthy when nothing listens', async () => {
    expect(await probeLiveness(await unusedPort())).toBe(false);
  });

  it('is unhealthy when the endpoint hangs past the timeout', async () => {
    const port = await endpoint(() => undefined);
    const started = Date.now();
    expect(await probeLiveness(port, 200)).toBe(false);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('healthcheck script', () => {
  const script = (env: NodeJS.ProcessEnv) =>
    run(process.execPath, ['--import', 'tsx', path.join(ROOT, 'service/healthcheck.ts')], { env, cwd: ROOT }).then(
      () => 0,
      (error: { code?: number }) => error.code ?? -1,
    );

  it('exits 0 for a live consumer on HEALTH_PORT and 1 for a dead one', async () => {
    const live = await endpoint((_req, res) => res.writeHead(200).end('{}'));
    expect(await script(containerEnv(live))).toBe(0);
    const dead = await endpoint((_req, res) => res.writeHead(503).end('{}'));
    expect(await script(containerEnv(dead))).toBe(1);
  });
});
