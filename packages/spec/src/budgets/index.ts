/** Performance budgets per route, derived from the latency SLO (route-budgets.ts, docs/budgets.md). */
export { deriveRouteBudgets, judgeRouteBudgets, renderBudgetTable, httpLatencySlo } from './route-budgets.ts';
export type { RouteBudget, RouteBudgetOverride, DeriveRouteBudgetsOptions, RouteMeasurement, BudgetVerdict, BudgetRow, BudgetReport } from './route-budgets.ts';
