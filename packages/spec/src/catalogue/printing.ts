/**
 * Receipt printing: printer agents and desktop apps connect by WebSocket per location (the restaurant
 * platform's "branch"; one key so printing joins with orders). Never a printer name or id as a label.
 */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'printing', owner: 'commerce' } as const;
const byLocationAndAgent = { [LABEL_NAMES.location]: SHARED_LABELS.location, [LABEL_NAMES.agentType]: SHARED_LABELS.agentType } as const;

export const printingMetrics = {
  jobs: defineMetric({
    ...common,
    name: 'print_jobs_total',
    type: 'counter',
    unit: 'count',
    help: 'Print jobs finished, by location and outcome.',
    question: 'Is the print success ratio below 80% anywhere (receipts and kitchen tickets not coming out)?',
    labels: {
      [LABEL_NAMES.location]: SHARED_LABELS.location,
      [LABEL_NAMES.outcome]: closedLabel('How the job ended; no_agent means no agent was connected to take it.', LABEL_VALUES.printOutcome),
    },
    maxSeries: 3000,
  }),
  duration: defineMetric({
    ...common,
    name: 'print_job_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Time from dispatch to acknowledgement by the agent, by job type.',
    question: 'Is printing slower than the 500 ms p95 target?',
    labels: { [LABEL_NAMES.jobType]: closedLabel('What is printed.', LABEL_VALUES.printJobType) },
    buckets: BUCKETS.printSeconds,
  }),
  agentsConnected: defineMetric({
    ...common,
    name: 'print_agents_connected',
    type: 'gauge',
    unit: 'count',
    help: 'Printer agents, desktop apps and web clients connected now, by location and type.',
    question: 'Has a location lost all its printer agents (nothing can print there)?',
    labels: byLocationAndAgent,
  }),
  disconnects: defineMetric({
    ...common,
    name: 'print_agent_disconnects_total',
    type: 'counter',
    unit: 'count',
    help: 'Agent disconnections, by location, type and reason.',
    question: 'Are agents flapping (network or heartbeat problems at a location)?',
    labels: {
      ...byLocationAndAgent,
      [LABEL_NAMES.reason]: closedLabel('Why the connection ended.', LABEL_VALUES.disconnectReason),
    },
    maxSeries: 5000,
  }),
  connectionQuality: defineMetric({
    ...common,
    name: 'print_agents_connection_quality',
    type: 'gauge',
    unit: 'count',
    help: 'Connected agents per connection-quality band (from heartbeat round trips), by location.',
    question: 'Are more than 30% of agent connections in the poor band?',
    labels: {
      [LABEL_NAMES.location]: SHARED_LABELS.location,
      [LABEL_NAMES.quality]: closedLabel('Quality band.', LABEL_VALUES.connectionQuality),
    },
    maxSeries: 2500,
  }),
} as const;
