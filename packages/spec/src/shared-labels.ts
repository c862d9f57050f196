/**
 * Label definitions shared by several metrics, so that a key means the same thing, with the same values,
 * on every metric that carries it (joins in PromQL depend on it).
 */
import { LABEL_VALUES } from './conventions.ts';
import { closedLabel, openLabel } from './label-spec.ts';

/** Configured locations: a large retail estate has a few hundred. */
export const MAX_LOCATIONS = 500;

export const SHARED_LABELS = {
  location: openLabel(
    'Store, restaurant branch or warehouse id as configured (never a terminal, till or user).',
    `locations are configured by the business, at most ${MAX_LOCATIONS}`,
    MAX_LOCATIONS,
  ),
  channel: closedLabel('How the order reached the business.', LABEL_VALUES.channel),
  currency: openLabel(
    'ISO 4217 code of the money counted (3 upper-case letters; anything else records as "other").',
    'a business trades in a handful of currencies, at most 10',
    10,
  ),
  paymentMethod: closedLabel('Payment method as the customer chose it.', LABEL_VALUES.paymentMethod),
  paymentOperation: closedLabel(
    'Provider operation: sale (authorise and capture at once), authorize, capture, refund or void.',
    LABEL_VALUES.paymentOperation,
  ),
  successFailure: closedLabel('Whether the operation succeeded.', LABEL_VALUES.successFailure),
  agentType: closedLabel('What holds the WebSocket connection.', LABEL_VALUES.agentType),
  pipeline: openLabel('Sync pipeline name, e.g. sales_to_warehouse.', 'pipelines are declared in code, at most 10', 10),
  queue: openLabel('Queue name, e.g. receipt_notifications.', 'queues are declared in code, at most 20', 20),
  dbOperation: closedLabel('Kind of statement.', LABEL_VALUES.dbOperation),
  dbPool: openLabel('Connection pool name as the service names it, e.g. main; `default` when unnamed.', 'pools are created in code, at most 10', 10),
  cache: openLabel('Cache name, e.g. products or sessions.', 'caches are declared in code, at most 20', 20),
  metric: openLabel('Name of the metric concerned.', 'one value per metric registered by the process, at most 300', 300),
} as const;
