// A local stand-in for the age-verification provider the example calls: POST /v1/verifications with
// { "product": sku } answers 201 { "id", "status": "verified" }; GET /health answers 200. It exists so the example
// and its test make one real outbound HTTP call; a real store would point AGE_CHECK_URL at its provider.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';

export interface AgeCheckStandIn {
  readonly url: string;
  readonly verifications: number;
  close(): Promise<void>;
}

export async function startAgeCheckStandIn(port = 0): Promise<AgeCheckStandIn> {
  let verifications = 0;
  const server = http.createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/health') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
    if (req.method === 'POST' && req.url === '/v1/verifications') {
      req.resume().on('end', () => {
        verifications++;
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ id: randomUUID(), status: 'verified' }));
      });
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    get verifications() {
      return verifications;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
