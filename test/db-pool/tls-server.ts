// A stand-in for an RDS endpoint that speaks just enough of the PostgreSQL wire protocol to accept
// the SSLRequest, complete a TLS handshake with the given certificate, and then refuse the login with
// a recognisable message. A client that reaches that message has verified the certificate.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';

export const HANDSHAKE_DONE = 'tls handshake completed';

export interface TestPki {
  dir: string;
  caFile: string;
  otherCaFile: string;
  /** A server certificate for IP 127.0.0.1 and DNS localhost, signed by caFile's CA. */
  key: string;
  cert: string;
  /** Signed by the same CA, but for db.example.internal only. */
  wrongHostKey: string;
  wrongHostCert: string;
  remove(): void;
}

function openssl(dir: string, args: string[]): void {
  execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
}

/** Throwaway CA and server certificates made with the openssl CLI, in a temporary folder. */
export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'db-pool-pki-'));
  const ca = (name: string) =>
    openssl(dir, ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '2', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.pem`]);
  ca('test-ca');
  ca('other-ca');
  const leaf = (name: string, san: string) => {
    fs.writeFileSync(path.join(dir, `${name}.ext`), `subjectAltName=${san}\n`);
    openssl(dir, ['req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-subj', `/CN=${name}`, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
    openssl(dir, ['x509', '-req', '-in', `${name}.csr`, '-CA', 'test-ca.pem', '-CAkey', 'test-ca.key', '-CAcreateserial', '-days', '2', '-extfile', `${name}.ext`, '-out', `${name}.pem`]);
  };
  leaf('server', 'IP:127.0.0.1,DNS:localhost');
  leaf('wrong-host', 'DNS:db.example.internal');
  const read = (file: string) => fs.readFileSync(path.join(dir, file), 'utf8');
  return {
    dir,
    caFile: path.join(dir, 'test-ca.pem'),
    otherCaFile: path.join(dir, 'other-ca.pem'),
    key: read('server.key'),
    cert: read('server.pem'),
    wrongHostKey: read('wrong-host.key'),
    wrongHostCert: read('wrong-host.pem'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function errorResponse(message: string): Buffer {
  const fields = Buffer.concat([Buffer.from(`SFATAL\0C28000\0M${message}\0`), Buffer.from([0])]);
  const header = Buffer.alloc(5);
  header.write('E', 0);
  header.writeInt32BE(fields.length + 4, 1);
  return Buffer.concat([header, fields]);
}

export async function startTlsPostgresStandIn(key: string, cert: string): Promise<{ port: number; stop(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    socket.once('data', () => {
      // The 8-byte SSLRequest: answer 'S' and hand the socket to TLS.
      socket.write('S');
      const secure = new tls.TLSSocket(socket, { isServer: true, key, cert });
      secure.on('error', () => undefined);
      secure.once('data', () => secure.end(errorResponse(HANDSHAKE_DONE)));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    port,
    stop: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
