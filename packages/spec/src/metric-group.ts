/**
 * The groups the built-in catalogue is cut into: one file per group under catalogue/, one section per group
 * in docs/metrics.md. A service's own catalogue declares its groups the same way (`defineCatalogue`).
 */

export interface MetricGroupInfo {
  /** Section title in docs/metrics.md. */
  readonly title: string;
  /** One paragraph: what the group observes and who records it. */
  readonly summary: string;
}

/** Titles and summaries of the built-in groups, in the order the docs list them. */
export const METRIC_GROUPS = {
  http: {
    title: 'HTTP (RED)',
    summary: 'Rate, errors and duration of every request, recorded by the adapters with the framework route template (never the raw path).',
  },
  runtime: {
    title: 'Node.js runtime',
    summary: "prom-client's default metrics, collected when `metrics.runtime` is on. Only the ones dashboards and alerts use are declared; the rest are exported too.",
  },
  tillwatch: {
    title: "tillwatch's own",
    summary: 'How the telemetry itself is doing: folded and ignored observations, failing collect callbacks and sinks.',
  },
  orders: {
    title: 'Orders',
    summary: 'One business event per order outcome, recorded through `commerce.orders`.',
  },
  payments: {
    title: 'Payments',
    summary: 'Every call to a payment provider, by method and operation (sale, authorise, capture, refund, void), recorded through `commerce.payments`.',
  },
  revenue: {
    title: 'Revenue',
    summary: 'Money, as counters in major currency units with a `currency` label. Added by `commerce.orders.completed` and `commerce.revenue.refunded`.',
  },
  inventory: {
    title: 'Inventory',
    summary: 'Stock movements and stock health per location. Deliberately no per-SKU series (see below).',
  },
  compliance: {
    title: 'Compliance',
    summary: 'Age verification outcomes for restricted sales. The metrics never carry a date of birth, an ID number or a customer.',
  },
  customers: {
    title: 'Customers and loyalty',
    summary: 'New and returning customers on orders, loyalty points earned and redeemed.',
  },
  offlineQueue: {
    title: 'Offline terminal queue',
    summary: 'Sales recorded by terminals while offline, queued on the server and applied idempotently.',
  },
  printing: {
    title: 'Receipt printing',
    summary: 'Print jobs dispatched to printer agents and desktop apps connected by WebSocket per location (a restaurant branch is a location).',
  },
  sync: {
    title: 'Sync pipeline',
    summary: 'Batches of completed sales pushed to a warehouse (or any downstream system), per pipeline.',
  },
  productAnalytics: {
    title: 'Product analytics',
    summary: 'Feature flags, experiments and who calls the API (version, device class, region), all with bounded labels.',
  },
  database: {
    title: 'Database',
    summary: 'Queries, failures, slow queries and the connection pool, recorded by `tillwatch/pg` (node-postgres Pool and Client, PGlite) and `tillwatch/prisma`. See docs/data-layer.md.',
  },
  cache: {
    title: 'Cache',
    summary: 'Lookups by declared keyspace (hit, miss, error), recorded by `tillwatch/redis` `createCacheMetrics` for any cache (Redis or in process).',
  },
  redis: {
    title: 'Redis',
    summary: 'Command latency and errors by command family, and memory, evictions and clients sampled from INFO on a timer, recorded by `tillwatch/redis` (ioredis and node-redis).',
  },
  dependencies: {
    title: 'External dependencies',
    summary: 'Outbound HTTP calls per named dependency (payment provider, SMS gateway, warehouse...): latency and outcome, and whether its periodic check passes. Recorded by `tw.dependencies`.',
  },
  security: {
    title: 'Security events (planned)',
    summary: 'Declared now so alert rules can refer to them; exported when the security module lands. Client IPs and origins are never labels.',
  },
  delivery: {
    title: 'Durable delivery queues',
    summary:
      'Messages and jobs on a durable queue (pg-boss on Postgres or PGlite, BullMQ on Redis), recorded by `tillwatch/delivery`: how many wait, how old the oldest is, what each attempt came to and how each message left the queue. Other queues (offline terminal sales, print jobs) report their depth and age here too. See docs/delivery.md.',
  },
  deadLetter: {
    title: 'Dead-letter queue',
    summary: 'Messages that failed for good, recorded by `tillwatch/delivery`: why they were dead-lettered, how many wait for review or replay (`tillwatch dlq`), and how many retries it took.',
  },
  outbound: {
    title: 'Outbound messages and events',
    summary: 'Receipt notifications (SMS, WhatsApp, e-mail) by final outcome, recorded by the application; delivery and event-handler failures by event type and reason, recorded by `tillwatch/delivery` (which also keeps them in the event-failure table).',
  },
  synthetic: {
    title: 'Synthetic journeys',
    summary: 'Scripted journeys (log in, ring up, pay, complete, receipt printed) run on a schedule against the service\'s public URL, in the blackbox exporter\'s vocabulary: `probe_success`, `probe_duration_seconds`, per step.',
  },
  backups: {
    title: 'Backups and batch jobs',
    summary: 'Last success, duration, size and outcome of backups and other scheduled jobs, recorded by the job reporter (`tillwatch` `createJobReporter`), exposed by the service or pushed to a Pushgateway.',
  },
} as const satisfies Readonly<Record<string, MetricGroupInfo>>;

/** A group of the built-in catalogue. */
export type MetricGroup = keyof typeof METRIC_GROUPS;
