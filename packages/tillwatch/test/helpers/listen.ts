/** A real server on 127.0.0.1 and an ephemeral port, closed (connections included) when the test ends. */
import type { TestContext } from 'node:test';
import type { Server } from 'node:http';
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';

/** Starts `server` on port 0 and returns its base URL (`http://127.0.0.1:<port>`). */
export async function listenForTest(t: TestContext, server: Server): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => {
    server.closeAllConnections();
    return new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
