// tillwatch on Express 5. Run from the repo root: node -C tillwatch-source examples/express/server.ts
// It listens on PORT (default: a free port) and prints where; then curl <url>/stores/12/orders/7 and <url>/metrics.
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createTillwatch } from 'tillwatch';
import { tillwatchExpressErrors, tillwatchExpress } from 'tillwatch/express';

const tw = createTillwatch({ service: { name: 'example-express' } });
const orders = express.Router({ mergeParams: true }).get('/:id', (req, res) => {
  tw.logger.info({ order_id: req.params.id }, 'order requested');
  res.json({ id: req.params.id });
});
const app = express().use(tillwatchExpress(tw)).use('/stores/:storeId/orders', orders).use(tillwatchExpressErrors(tw));
const server = app.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () =>
  void tw.attach(server).then(() => {
    tw.markStarted();
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    console.log(`example-express listening on ${url} (try /stores/12/orders/7, /metrics, /health/ready)`);
  }),
);
