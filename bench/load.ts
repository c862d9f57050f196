/**
 * The benchmarks' load generator: `concurrency` keep-alive connections on loopback sending exactly
 * `n` GET /orders/<i> requests, so every run is bounded. Resolves with the elapsed seconds.
 */
import http from 'node:http';

export function load(port: number, n: number, concurrency: number): Promise<number> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let sent = 0;
  const started = process.hrtime.bigint();
  const worker = (): Promise<void> =>
    new Promise((resolve, reject) => {
      const next = () => {
        if (sent >= n) return resolve();
        const id = sent++;
        http
          .get({ host: '127.0.0.1', port, path: `/orders/${id}`, agent }, (res) => {
            res.resume();
            res.on('end', next);
          })
          .on('error', reject);
      };
      next();
    });
  return Promise.all(Array.from({ length: concurrency }, worker)).then(() => {
    agent.destroy();
    return Number(process.hrtime.bigint() - started) / 1e9;
  });
}
