// expect: TW_ERR_ALERTS_UNSAFE_NAME "service: must be lower-case"
import { baseConfig } from '../../base-config.ts';

export default { ...baseConfig, service: "kiosk'}\n  - job_name: evil" };
