// expect: TW_ERR_ALERTS_INLINE_SECRET "alertmanager.receivers.pagerduty.routingKey"
import { baseConfig } from '../../base-config.ts';

export default {
  ...baseConfig,
  alertmanager: {
    ...baseConfig.alertmanager,
    receivers: { ...baseConfig.alertmanager.receivers, pagerduty: { routingKey: 'e93facc04764012d7bfb002500d5d1a6' } },
  },
};
