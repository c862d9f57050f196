/**
 * Inventory per location. No per-SKU series: a catalogue of 20,000 SKUs across 50 locations would be a
 * million series for one gauge, more than the whole rest of the service, and stock per SKU is a database
 * question (the stock table answers it exactly). The metrics answer "is stock handling healthy here".
 */
import { LABEL_NAMES, LABEL_VALUES } from '../conventions.ts';
import { closedLabel } from '../label-spec.ts';
import { SHARED_LABELS } from '../shared-labels.ts';
import { defineMetric } from '../metric-spec.ts';

const common = { group: 'inventory', owner: 'commerce' } as const;
const byLocation = { [LABEL_NAMES.location]: SHARED_LABELS.location } as const;

export const inventoryMetrics = {
  reserved: defineMetric({
    ...common,
    name: 'inventory_reserved_items_total',
    type: 'counter',
    unit: 'items',
    help: 'Units of stock reserved for open orders, by location.',
    question: 'Is stock being reserved at the rate orders come in?',
    labels: byLocation,
  }),
  released: defineMetric({
    ...common,
    name: 'inventory_released_items_total',
    type: 'counter',
    unit: 'items',
    help: 'Units of reserved stock released back (order voided or failed, reservation expired), by location and reason.',
    question: 'Are reservations leaking (reserved minus released minus sold keeps growing)?',
    labels: { ...byLocation, [LABEL_NAMES.reason]: closedLabel('Why the reservation was released.', LABEL_VALUES.stockReleaseReason) },
  }),
  lowStock: defineMetric({
    ...common,
    name: 'inventory_low_stock_products',
    type: 'gauge',
    unit: 'count',
    help: 'Products at or below their reorder point, by location.',
    question: 'Which locations need replenishing before they run out?',
    labels: byLocation,
  }),
  outOfStock: defineMetric({
    ...common,
    name: 'inventory_out_of_stock_products',
    type: 'gauge',
    unit: 'count',
    help: 'Products with no sellable stock, by location.',
    question: 'Is a location losing sales to empty shelves?',
    labels: byLocation,
  }),
} as const;
