/**
 * The Node.js runtime metrics the core exports through prom-client's default metrics (names from
 * prom-client's lib/metrics/*.js). Only those used by dashboards and the default rule pack are declared;
 * prom-client exports more (heap spaces, handles, file-descriptor limits) under its own names.
 */
import { BUCKETS, LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel, openLabel } from '../label-spec.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'runtime', owner: 'core' } as const;
const versionPart = (doc: string) => openLabel(doc, 'one Node.js version per process', 1);

export const runtimeMetrics = {
  cpu: defineMetric({
    ...common,
    name: 'process_cpu_seconds_total',
    type: 'counter',
    unit: 'seconds',
    help: 'User and system CPU time spent by the process.',
    question: 'Is the process CPU-bound?',
    labels: {},
  }),
  residentMemory: defineMetric({
    ...common,
    name: 'process_resident_memory_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Resident memory of the process.',
    question: 'Is memory growing toward the container limit (the default pack warns above 2 GiB for 30 minutes)?',
    labels: {},
  }),
  startTime: defineMetric({
    ...common,
    name: 'process_start_time_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Start time of the process since the Unix epoch.',
    question: 'Is the process restarting (crash loop)?',
    labels: {},
  }),
  openFds: defineMetric({
    ...common,
    name: 'process_open_fds',
    type: 'gauge',
    unit: 'count',
    help: 'Open file descriptors (Linux only).',
    question: 'Is the process leaking sockets or files?',
    labels: {},
  }),
  eventLoopLag: defineMetric({
    ...common,
    name: 'nodejs_eventloop_lag_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: 'Event-loop lag measured at the last scrape.',
    question: 'Is the event loop blocked, delaying every request?',
    labels: {},
  }),
  eventLoopLagP99: defineMetric({
    ...common,
    name: 'nodejs_eventloop_lag_p99_seconds',
    type: 'gauge',
    unit: 'seconds',
    help: '99th percentile of event-loop delay since the previous scrape.',
    question: 'Are there short event-loop stalls the point sample misses?',
    labels: {},
  }),
  heapUsed: defineMetric({
    ...common,
    name: 'nodejs_heap_size_used_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'V8 heap in use.',
    question: 'Is the heap growing without bound (a leak)?',
    labels: {},
  }),
  heapTotal: defineMetric({
    ...common,
    name: 'nodejs_heap_size_total_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'V8 heap allocated.',
    question: 'How close is heap use to what V8 has reserved?',
    labels: {},
  }),
  externalMemory: defineMetric({
    ...common,
    name: 'nodejs_external_memory_bytes',
    type: 'gauge',
    unit: 'bytes',
    help: 'Memory held by C++ objects bound to JavaScript (buffers).',
    question: 'Is memory outside the heap (buffers) growing?',
    labels: {},
  }),
  gcDuration: defineMetric({
    ...common,
    name: 'nodejs_gc_duration_seconds',
    type: 'histogram',
    unit: 'seconds',
    help: 'Garbage collection pauses by kind.',
    question: 'Are GC pauses long enough to hurt latency?',
    labels: { [LABEL_NAMES.gcKind]: closedLabel('GC kind.', LABEL_VALUES.gcKind) },
    buckets: BUCKETS.gcSeconds,
  }),
  versionInfo: defineMetric({
    ...common,
    name: 'nodejs_version_info',
    type: 'gauge',
    unit: 'info',
    help: 'Node.js version of the process; the value is always 1.',
    question: 'Which Node.js version is each instance running?',
    labels: {
      [LABEL_NAMES.version]: versionPart('Full version, e.g. v24.1.0.'),
      [LABEL_NAMES.major]: versionPart('Major version.'),
      [LABEL_NAMES.minor]: versionPart('Minor version.'),
      [LABEL_NAMES.patch]: versionPart('Patch version.'),
    },
  }),
} as const;
