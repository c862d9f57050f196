// expect: TW_ERR_ALERTS_INVALID_SPEC "version: must be \"tillwatch/v1\""
import { baseConfig } from '../../base-config.ts';

export default { ...baseConfig, version: 'tillwatch/v2' };
