/**
 * One feature flag (`express_checkout`) and one A/B experiment (`receipt_prompt`) on the checkout's
 * receipt step; see catalogue.ts. Terminals read their flags and variants from
 * `GET /experiments/evaluate` and report the goal with `POST /experiments/conversions`.
 */
import type { FastifyInstance } from 'fastify';
import { authenticate } from '../../auth/auth-plugin.ts';
import type { StoreDeps } from '../../deps.ts';
import { bodyOf, idStr, invalid, optIdStr, plainId, str } from '../../http/validate.ts';
import { readExperimentsConfig } from './experiments-options.ts';
import { Experiments, type AnalyticsPort } from './experiments-service.ts';

const UNIT_ID = /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/;
const UNIT_TEXT = 'an id of 1 to 64 letters, digits, _ . : -';

export async function experimentsFeature(app: FastifyInstance, deps: StoreDeps): Promise<void> {
  const config = readExperimentsConfig(deps.config.env);
  const analytics: AnalyticsPort = {
    flagEvaluated: (flag, variant) => deps.commerce.analytics.flagEvaluated({ flag, variant }),
    assigned: (experiment, variant) => deps.commerce.analytics.experimentAssigned({ experiment, variant }),
    converted: (experiment, variant) => deps.commerce.analytics.experimentConverted({ experiment, variant }),
  };
  const { redactor } = deps.tw;
  const experiments = new Experiments({ db: deps.db, analytics, logger: deps.logger.child({ module: 'experiments' }), ...config });

  app.get('/experiments/config', { preHandler: authenticate }, async () => experiments.config());

  app.get('/experiments/evaluate', { preHandler: authenticate }, async (request) => {
    const q = (request.query ?? {}) as Record<string, unknown>;
    if (typeof q.terminal !== 'string' || !UNIT_ID.test(q.terminal)) throw invalid('terminal', UNIT_TEXT, q.terminal);
    if (q.customer !== undefined && (typeof q.customer !== 'string' || !UNIT_ID.test(q.customer))) throw invalid('customer', UNIT_TEXT, q.customer);
    plainId('terminal', q.terminal, redactor, UNIT_TEXT);
    if (q.customer !== undefined) plainId('customer', q.customer as string, redactor, UNIT_TEXT);
    return experiments.evaluate({ terminalId: q.terminal, customerId: q.customer as string | undefined });
  });

  app.post('/experiments/conversions', { preHandler: authenticate }, async (request) => {
    const b = bodyOf(request.body);
    const experiment = str(b, 'experiment', { max: 64 });
    const terminalId = idStr(b, 'terminal', redactor, { max: 64, pattern: UNIT_ID, patternText: UNIT_TEXT });
    const customerId = optIdStr(b, 'customer', redactor, { max: 64, pattern: UNIT_ID, patternText: UNIT_TEXT });
    return experiments.convert(experiment, { terminalId, customerId });
  });
}
