// expect: TW_ERR_ALERTS_NOT_A_BUCKET "0.3 s is not a bucket boundary of http_request_duration_seconds"
import { latencySlo } from '@tillwatch/spec';
import { baseConfig } from '../../base-config.ts';

export default { ...baseConfig, slos: [latencySlo({ name: 'latency', target: 0.99, period: '30d', team: 'kiosk-team', thresholdSeconds: 0.3 })] };
