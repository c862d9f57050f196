/** The burn-rate behaviour tests' config: one 99.9% availability SLO over 30 days. */
import type { TillwatchDeployConfig } from '@tillwatch/spec';
import { baseConfig } from './base-config.ts';

export default baseConfig satisfies TillwatchDeployConfig;
