import { availabilitySlo, latencySlo, orderSuccessSlo, paymentSuccessSlo, printSuccessSlo, syncFreshnessSlo, catalogue } from '@tillwatch/spec';
import { baseConfig } from '../../base-config.ts';

const team = 'kiosk-team';
export default {
  ...baseConfig,
  slos: [
    availabilitySlo({ name: 'availability', target: 0.995, period: '28d', team, minEvents: 20 }),
    latencySlo({ name: 'latency', target: 0.95, period: '28d', team, thresholdSeconds: 0.5 }),
    latencySlo({ name: 'payment-latency', target: 0.99, period: '28d', team, thresholdSeconds: 5, metric: catalogue.metrics.payments.duration }),
    paymentSuccessSlo({ name: 'payments', target: 0.999, period: '28d', team }),
    orderSuccessSlo({ name: 'orders', target: 0.99, period: '28d', team }),
    printSuccessSlo({ name: 'printing', target: 0.98, period: '28d', team }),
    syncFreshnessSlo({ name: 'sync', target: 0.95, period: '28d', team, pipeline: 'sales_to_warehouse', maxAgeSeconds: 1800 }),
  ],
  alerts: { thresholds: { rateWindow: '2m', orderFailureRatio: 0.05, memoryFor: '1h', httpP99Seconds: 2 }, disable: ['BackupMissing'] },
};
