/**
 * Redis: command latency and errors by command family (never by key), and the server's memory, evictions and
 * connected clients sampled from INFO on a timer, off the request path. Recorded by `tillwatch/redis`.
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'redis', owner: 'data' } as const;
const byConnection = { [LABEL_NAMES.connection]: openLabel('Redis connection as the service names it, e.g. cache; `default` when unnamed.', 'connections are created in code, at most 10', 10) } as const;
const byFamily = { [LABEL_NAMES.commandFamily]: closedLabel('Command family (string, hash, list, set, sorted_set, key, stream, pubsub, script, transaction, server, connection).', LABEL_VALUES.redisCommandFamily) } as const;

export const redisMetrics = {
  commandDuration: defineMetric({
    ...common,
    name: 'redis_command_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Duration of Redis commands, by connection and command family.',
    question: 'Is Redis the reason requests are slow?',
    labels: { ...byConnection, ...byFamily },
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
  }),
  commandErrors: defineMetric({
    ...common,
    name: 'redis_command_errors_total',
    type: 'counter',
    unit: 'count',
    help: 'Redis commands that failed (connection lost, timeout, server error), by connection and command family.',
    question: 'Is Redis failing or unreachable?',
    labels: { ...byConnection, ...byFamily },
  }),
  memoryUsed: defineMetric({
    ...common,
    name: 'redis_memory_used_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Memory Redis uses (INFO used_memory), sampled on a timer.',
    question: 'Is Redis close to its memory limit, so it will evict or refuse writes?',
    labels: byConnection,
  }),
  memoryMax: defineMetric({
    ...common,
    name: 'redis_memory_max_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Redis maxmemory (0: no limit), sampled on a timer.',
    question: 'What is Redis memory use measured against?',
    labels: byConnection,
  }),
  evictedKeys: defineMetric({
    ...common,
    name: 'redis_evicted_keys_total',
    type: 'counter',
    unit: 'count',
    help: 'Keys Redis evicted to stay under maxmemory, as seen between INFO samples.',
    question: 'Is Redis evicting cached values before they expire?',
    labels: byConnection,
  }),
  connectedClients: defineMetric({
    ...common,
    name: 'redis_connected_clients',
    type: 'gauge',
    unit: 'count',
    help: 'Clients connected to Redis (all services), sampled on a timer.',
    question: 'Is Redis running out of connections?',
    labels: byConnection,
  }),
} as const;
