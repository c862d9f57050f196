// expect: TW_ERR_ALERTS_INHIBITION_EQUAL "alertmanager.inhibitions[0].equal"
import { baseConfig } from '../../base-config.ts';

export default {
  ...baseConfig,
  alertmanager: { ...baseConfig.alertmanager, inhibitions: [{ source: { alertname: 'ServiceDown' }, target: { severity: 'warning' }, equal: [] }] },
};
