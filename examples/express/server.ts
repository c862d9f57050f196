// tillwatch on Express 5. Run: node examples/express/server.ts, then curl :3000/stores/12/orders/7 and :3000/metrics
import express from 'express';
import { createTillwatch } from 'tillwatch';
import { tillwatchExpressErrors, tillwatchExpress } from 'tillwatch/express';

const tw = createTillwatch({ service: { name: 'example-express' } });
const orders = express.Router({ mergeParams: true }).get('/:id', (req, res) => {
  tw.logger.info({ order_id: req.params.id }, 'order requested');
  res.json({ id: req.params.id });
});
const app = express().use(tillwatchExpress(tw)).use('/stores/:storeId/orders', orders).use(tillwatchExpressErrors(tw));
const server = app.listen(Number(process.env.PORT ?? 3000), () => void tw.attach(server).then(() => tw.markStarted()));
