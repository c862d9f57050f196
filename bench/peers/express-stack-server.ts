/**
 * The typical Express observability stack (bench only), as the common guides wire it: winston JSON logs with a
 * request line per response, a prom-client RED histogram with route templates and the default Node metrics,
 * Sentry's Express error handler, OpenTelemetry auto-instrumentation (loaded by instrument.ts through --import).
 * Same protocol as ../overhead-server.ts: port over IPC, its own CPU time when asked.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';

// Loaded with require(), as in the CommonJS services these guides describe, so OpenTelemetry's require hooks patch them.
const require = createRequire(import.meta.url);
const Sentry = require('@sentry/node') as typeof import('@sentry/node');
const express = require('express') as typeof import('express');
const promClient = require('prom-client') as typeof import('prom-client');
const winston = require('winston') as typeof import('winston');

const logger = winston.createLogger({
  level: 'info',
  format: winston.format.combine(winston.format.timestamp(), winston.format.errors({ stack: true }), winston.format.json()),
  defaultMeta: { service: 'typical-express' },
  transports: [new winston.transports.Console()],
});
promClient.collectDefaultMetrics();
const duration = new promClient.Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP request duration.',
  labelNames: ['method', 'route', 'status_code'],
  buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
});
const body = JSON.stringify({ id: 0, status: 'completed', total: 42.5, items: 3 });

const app = express();
app.use((req, res, next) => {
  const end = duration.startTimer();
  res.on('finish', () => {
    const route = (req.route as { path?: string } | undefined)?.path ?? 'unmatched';
    end({ method: req.method, route, status_code: res.statusCode });
    logger.info('request completed', { method: req.method, route, status: res.statusCode, url: req.originalUrl });
  });
  next();
});
app.get('/metrics', async (_req, res) => {
  res.type(promClient.register.contentType).send(await promClient.register.metrics());
});
app.get('/orders/:id', (_req, res) => {
  res.type('application/json').send(body);
});
Sentry.setupExpressErrorHandler(app);

const server = app.listen(0, '127.0.0.1', () => process.send?.({ port: (server.address() as AddressInfo).port }));
let mark = process.cpuUsage();
process.on('message', (m: string) => {
  if (m === 'mark') mark = process.cpuUsage();
  if (m === 'cpu') {
    const d = process.cpuUsage(mark);
    process.send?.({ cpuUs: d.user + d.system, userUs: d.user, rssBytes: process.memoryUsage.rss() });
  }
  if (m === 'exit') process.exit(0);
});
