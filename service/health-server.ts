// GET /health/live and /health/ready for the container health check and load balancers.
import http from 'node:http';
import type { ConsumerStatus } from './consumer.js';

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export async function startHealthServer(options: { host: string; port: number; status: () => Promise<ConsumerStatus> }): Promise<HealthServer> {
  const server = http.createServer(async (req, res) => {
    const status = await options.status();
    const path = (req.url ?? '').split('?')[0];
    const ok = path === '/health/live' ? status.live : path === '/health/ready' ? status.ready : undefined;
    if (req.method !== 'GET' || ok === undefined) {
      res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"not found"}');
      return;
    }
    res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(status));
  });
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address();
  return {
    port: typeof address === 'object' && address ? address.port : options.port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
