// expect: TW_ERR_ALERTS_UNKNOWN_KEY "prometheus.scrape.bearerToken"
import { baseConfig } from '../../base-config.ts';

export default { ...baseConfig, prometheus: { ...baseConfig.prometheus, scrape: { targets: ['kiosk:8080'], bearerToken: 'abc' } } };
