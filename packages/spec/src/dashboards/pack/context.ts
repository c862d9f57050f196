/** What the built-in dashboards are parameterised by. */
export interface DashboardContext {
  /** The service name: every query selects `service="<name>"` (the label the generated scrape config sets). */
  readonly service: string;
}

/** `{service="<name>",<more>}` */
export function sel(ctx: DashboardContext, more = ''): string {
  return `{service="${ctx.service}"${more === '' ? '' : `,${more}`}}`;
}

/** Per-minute rate of a counter, summed by `by` (or overall). */
export function perMinute(ctx: DashboardContext, series: string, by = '', more = ''): string {
  return `sum${by === '' ? '' : ` by (${by})`} (rate(${series}${sel(ctx, more)}[$__rate_interval])) * 60`;
}

/** A histogram quantile over `$__rate_interval`, by `by` (plus le). */
export function quantile(ctx: DashboardContext, q: number, histogram: string, by = '', more = ''): string {
  return `histogram_quantile(${q}, sum by (${by === '' ? 'le' : `${by}, le`}) (rate(${histogram}_bucket${sel(ctx, more)}[$__rate_interval])))`;
}
