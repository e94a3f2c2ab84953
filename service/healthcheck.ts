// `node dist/service/healthcheck.js`: the container health check. Exits 0 when the consumer's own
// /health/live answers 200, 1 otherwise. The image has no shell or curl, so this is the probe.
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadConfig } from './config.js';

/** Under ECS's 5 s health check timeout, so a hung endpoint counts as a failure, not a timeout. */
export const PROBE_TIMEOUT_MS = 3_000;

/** True when GET http://127.0.0.1:<port>/health/live answers 200 within the timeout. */
export function probeLiveness(port: number, timeoutMs: number = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const request = http.get({ host: '127.0.0.1', port, path: '/health/live', timeout: timeoutMs }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    request.on('timeout', () => request.destroy(new Error('health probe timed out')));
    request.on('error', () => resolve(false));
  });
}

async function main(): Promise<number> {
  let port: number;
  try {
    port = loadConfig(process.env).healthPort;
  } catch (error) {
    console.error(`healthcheck: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
  const live = await probeLiveness(port);
  if (!live) console.error(`healthcheck: http://127.0.0.1:${port}/health/live did not answer 200`);
  return live ? 0 : 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === path.resolve(process.argv[1])) {
  main().then((code) => process.exit(code));
}
