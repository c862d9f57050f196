/** Service health: up, HTTP errors and latency (RED), memory. */
import { catalogue } from '../../catalogue.ts';
import { defineAlert, type AlertSpec } from '../alert-spec.ts';
import { counterSeries, gaugeSeries, histogramSeries } from '../test-series.ts';
import { n, type PackContext } from './pack-context.ts';

const m = catalogue.metrics;
const req = { method: 'POST', route: '/orders' } as const;

export function httpRuntimeAlerts(ctx: PackContext): AlertSpec[] {
  const t = ctx.thresholds;
  const up = `up{job="${ctx.service}"}`;
  const latency = (q: number, threshold: number, name: string, slow: number, justUnder: number, fastShare: number): AlertSpec =>
    defineAlert({
      name,
      severity: 'warning',
      for: t.httpLatencyFor,
      objective: 'latency',
      group: 'http',
      team: ctx.teams.platform,
      expr: `histogram_quantile(${q}, sum by (le) (rate(${m.http.requestDuration.bucket}[${t.rateWindow}]))) > ${n(threshold)}`,
      summary: `p${Math.round(q * 100)} HTTP latency above ${n(threshold)} s`,
      description: `The ${Math.round(q * 100)}th percentile of request duration is {{ $value | humanizeDuration }} (threshold ${n(threshold)} s) over the last ${t.rateWindow}.`,
      runbook: `1. Find the slow routes: \`histogram_quantile(${q}, sum by (route, le) (rate(http_request_duration_seconds_bucket[5m])))\`.
2. Check database latency and pool use (SlowQueries, DbPoolNearlyExhausted) and event-loop lag (\`nodejs_eventloop_lag_p99_seconds\`).
3. Checkout routes: check the payment provider's latency (\`payments_duration_seconds\`).
4. Recent deploy or traffic spike? Roll back or scale out.`,
      test: {
        firing: histogramSeries(m.http.requestDuration, { ...req, status_code: '200' }, [
          { perMinute: fastShare, seconds: 0.1 },
          { perMinute: 100 - fastShare, seconds: slow },
        ]),
        quiet: histogramSeries(m.http.requestDuration, { ...req, status_code: '200' }, [
          { perMinute: fastShare, seconds: 0.1 },
          { perMinute: 100 - fastShare, seconds: justUnder },
        ]),
      },
    });
  return [
    defineAlert({
      name: 'ServiceDown',
      severity: 'critical',
      for: t.serviceDownFor,
      group: 'availability',
      team: ctx.teams.platform,
      expr: `${up} == 0 or absent(${up})`,
      summary: `${ctx.service} is down: Prometheus cannot scrape it`,
      description: `The scrape of {{ $labels.instance }} (job ${ctx.service}) has failed for ${t.serviceDownFor}. Every other alert of this service is silenced while this fires.`,
      runbook: `1. Is the process running? Check the orchestrator (pod restarts, OOM kills: \`kubectl describe pod\`) or the systemd unit.
2. If it runs, is /metrics reachable from Prometheus (network policy, TLS, bearer token in \`credentials_file\`)? The target page of Prometheus shows the scrape error.
3. Check the last deploy and the crash logs (\`TW_ERR_LIFECYCLE_UNCAUGHT_EXCEPTION\`).
4. Tills keep selling offline; watch the offline queue drain once the service is back.`,
      test: {
        firing: [gaugeSeries('up', { job: ctx.service, instance: `${ctx.service}:3000` }, 0)],
        quiet: [gaugeSeries('up', { job: ctx.service, instance: `${ctx.service}:3000` }, 1)],
        trueAfterMinutes: 0,
      },
    }),
    defineAlert({
      name: 'HttpErrorRateHigh',
      severity: 'warning',
      for: t.httpErrorFor,
      objective: 'availability',
      group: 'http',
      team: ctx.teams.platform,
      expr: `sum(rate(${m.http.requests.select({ status_code: { re: '5..' } })}[${t.rateWindow}])) / sum(rate(${m.http.requests}[${t.rateWindow}])) > ${n(t.httpErrorRatio)}`,
      summary: `More than ${n(t.httpErrorRatio * 100)}% of HTTP requests fail with 5xx`,
      description: `The share of requests answered with a 5xx is {{ $value | humanizePercentage }} over the last ${t.rateWindow}. The availability SLO burn alerts page if it lasts.`,
      runbook: `1. Which routes and codes: \`sum by (route, status_code) (rate(http_requests_total{status_code=~"5.."}[5m]))\`.
2. Errors started with a deploy? Roll back.
3. 503s: a dependency or readiness failing; check database, cache and payment provider alerts.
4. Search the logs for the failing route with the correlation id of a failed request.`,
      test: {
        firing: [counterSeries(m.http.requests, { ...req, status_code: '500' }, t.httpErrorRatio * 1.2 * 100), counterSeries(m.http.requests, { ...req, status_code: '200' }, 100 - t.httpErrorRatio * 1.2 * 100)],
        quiet: [counterSeries(m.http.requests, { ...req, status_code: '500' }, t.httpErrorRatio * 0.9 * 100), counterSeries(m.http.requests, { ...req, status_code: '200' }, 100 - t.httpErrorRatio * 0.9 * 100)],
      },
    }),
    // 8% slow requests put p95 in the bucket above the threshold, 2% put p99 there.
    latency(0.95, t.httpP95Seconds, 'HttpLatencyP95High', t.httpP95Seconds * 1.3, t.httpP95Seconds * 0.9, 90),
    latency(0.99, t.httpP99Seconds, 'HttpLatencyP99High', t.httpP99Seconds * 1.3, t.httpP99Seconds * 0.9, 98),
    defineAlert({
      name: 'MemoryHigh',
      severity: 'info',
      for: t.memoryFor,
      group: 'runtime',
      team: ctx.teams.platform,
      expr: `${m.runtime.residentMemory} > ${n(t.memoryBytes)}`,
      summary: `Resident memory above ${n(t.memoryBytes / 1024 ** 3)} GiB`,
      description: 'Instance {{ $labels.instance }} uses {{ $value | humanize1024 }}B of resident memory.',
      runbook: `1. Is the heap growing (\`nodejs_heap_size_used_bytes\`) or memory outside it (\`nodejs_external_memory_bytes\`, buffers)?
2. Steady growth since the last deploy is a leak: take a heap snapshot (\`node --heapsnapshot-signal=SIGUSR2\`) and compare two.
3. Raise the container limit only if the working set really grew (more locations, bigger catalogue).`,
      test: {
        firing: [gaugeSeries(m.runtime.residentMemory, { instance: `${ctx.service}:3000`, job: ctx.service }, t.memoryBytes * 1.05)],
        quiet: [gaugeSeries(m.runtime.residentMemory, { instance: `${ctx.service}:3000`, job: ctx.service }, t.memoryBytes * 0.99)],
        trueAfterMinutes: 0,
      },
    }),
  ];
}
