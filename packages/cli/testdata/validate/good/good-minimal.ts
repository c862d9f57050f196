import { baseConfig } from '../../base-config.ts';

export default baseConfig;
