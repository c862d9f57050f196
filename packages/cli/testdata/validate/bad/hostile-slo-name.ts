// expect: TW_ERR_ALERTS_UNSAFE_NAME "slos[0].name"
import { availabilitySlo } from '@tillwatch/spec';
import { baseConfig } from '../../base-config.ts';

export default { ...baseConfig, slos: [availabilitySlo({ name: 'avail"} or vector(1)\n{{ evil }}', target: 0.999, period: '30d', team: 'kiosk-team' })] };
