// expect: TW_ERR_ALERTS_UNKNOWN_METRIC "payment_failures_total"
import { defineAlert } from '@tillwatch/spec';
import { baseConfig } from '../../base-config.ts';

export default {
  ...baseConfig,
  alerts: {
    extra: [
      defineAlert({
        name: 'PaymentsTypo',
        severity: 'warning',
        for: '5m',
        group: 'kiosk',
        team: 'kiosk-team',
        expr: 'sum by (method) (rate(payment_failures_total{reason="declined"}[5m])) > 1',
        summary: 'typo in the metric name',
        description: 'x',
        runbook: 'x',
        test: { firing: [{ series: 'payments_failures_total{method="card"}', values: '0+1x10' }], quiet: [] },
      }),
    ],
  },
};
