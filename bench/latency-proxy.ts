// A delaying TCP proxy on loopback: every byte the client sends reaches the emulator `latencyMs`
// later, so each SQS call costs what a round trip to real SQS costs (10–20 ms from a task in the
// same region) while the emulator itself stays as fast as it is. It works on bytes, not on HTTP:
// an HTTP proxy parsed and re-sent every call, and that CPU came out of the same two cores the
// contenders run on. Chunks keep their order because timers of one duration fire in the order set.
import net from 'node:net';

export interface LatencyProxy {
  readonly endpoint: string;
  /** Connections accepted so far; the benchmark's test checks the SDK really went through the proxy. */
  readonly connections: number;
  stop(): Promise<void>;
}

export async function startLatencyProxy(options: { target: string; latencyMs: number }): Promise<LatencyProxy> {
  const target = new URL(options.target);
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const server = net.createServer((client) => {
    connections += 1;
    const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.setNoDelay(true);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.on('data', (chunk: Buffer) => {
      setTimeout(() => {
        if (!upstream.destroyed) upstream.write(chunk);
      }, options.latencyMs);
    });
    client.on('end', () => setTimeout(() => upstream.end(), options.latencyMs));
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('latency proxy did not report a TCP port');
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    get connections() {
      return connections;
    },
    async stop() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
