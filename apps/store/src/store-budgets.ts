/**
 * The store's per-route performance budgets, beyond what the latency SLO in deploy/tillwatch.config.ts gives every
 * route (docs/budgets.md): keys are `METHOD /template`. bench/budgets.ts checks them.
 */
import type { RouteBudgetOverride } from '@tillwatch/spec';

export const STORE_ROUTE_BUDGET_OVERRIDES: Readonly<Record<string, RouteBudgetOverride>> = {};
