/** A small valid config the validate/ and in-*.ts fixtures start from. */
import { type TillwatchDeployConfig, availabilitySlo } from '@tillwatch/spec';

export const baseConfig = {
  version: 'tillwatch/v1',
  service: 'kiosk',
  team: 'kiosk-team',
  slos: [availabilitySlo({ name: 'availability', target: 0.999, period: '30d', team: 'kiosk-team' })],
  prometheus: {
    scrape: { targets: ['kiosk:8080'] },
    alertmanagers: ['127.0.0.1:9093'],
  },
  alertmanager: {
    receivers: {
      pagerduty: { routingKey: { file: '/run/secrets/pd' } },
      slack: { apiUrl: { file: '/run/secrets/slack' }, channel: '#kiosk' },
      email: { to: 'ops@example.com', from: 'am@example.com', smarthost: '127.0.0.1:25', requireTls: false },
    },
  },
} satisfies TillwatchDeployConfig;
