// A delaying HTTP proxy on loopback: every request waits `latencyMs` before it is forwarded to the
// emulator, so each SQS call costs what a round trip to real SQS costs (10–20 ms from a task in the
// same region) while the emulator itself stays as fast as it is.
import http from 'node:http';

export interface LatencyProxy {
  readonly endpoint: string;
  /** Requests forwarded so far; the benchmark checks the SDK really went through the proxy. */
  readonly forwarded: number;
  stop(): Promise<void>;
}

export async function startLatencyProxy(options: { target: string; latencyMs: number }): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  let forwarded = 0;
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      setTimeout(() => {
        forwarded += 1;
        const upstream = http.request(
          { host: target.hostname, port: target.port, method: request.method, path: request.url, headers: request.headers, agent },
          (reply) => {
            response.writeHead(reply.statusCode ?? 502, reply.headers);
            reply.pipe(response);
          },
        );
        upstream.on('error', () => {
          if (!response.headersSent) response.writeHead(502);
          response.end();
        });
        upstream.end(Buffer.concat(chunks));
      }, options.latencyMs);
    });
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('latency proxy did not report a TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get forwarded() {
      return forwarded;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
