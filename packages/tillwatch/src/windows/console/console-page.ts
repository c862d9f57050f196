/**
 * The console's single page: plain HTML, CSS and a small script that polls the JSON API every 5 s and draws the
 * panels of one dashboard (chosen in the page's navigation, kept in the URL's hash) with uPlot. No build step and
 * nothing loaded from outside the service. Attributes `data-dashboard`, `data-panel`, `data-kind`,
 * `data-points`, `data-unsupported`, `data-alert` and `data-state` are what a browser test reads.
 */

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const SCRIPT = String.raw`
const $ = (sel) => document.querySelector(sel);
const el = (tag, attrs = {}, ...kids) => {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  for (const k of kids) e.append(k instanceof Node ? k : document.createTextNode(String(k)));
  return e;
};
const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#d97706', '#7c3aed', '#0891b2', '#db2777', '#4b5563'];
const fmt = (unit, v) => {
  if (v === null || v === undefined || Number.isNaN(v)) return '-';
  if (unit === 'percentunit') return (v * 100).toFixed(v < 0.01 ? 2 : 1) + '%';
  if (unit === 's') return v < 1 ? (v * 1000).toFixed(0) + ' ms' : v.toFixed(2) + ' s';
  if (unit === 'ops' || unit === 'reqps') return v.toFixed(2) + '/s';
  if (unit === 'ms') return v.toFixed(v < 10 ? 1 : 0) + ' ms';
  if (unit === 'percent') return v.toFixed(1) + '%';
  if (unit === 'bytes') return v >= 1048576 ? (v / 1048576).toFixed(1) + ' MiB' : v >= 1024 ? (v / 1024).toFixed(1) + ' KiB' : Math.round(v) + ' B';
  const a = Math.abs(v);
  if (a >= 1e9) return (v / 1e9).toFixed(2) + 'G';
  if (a >= 1e6) return (v / 1e6).toFixed(2) + 'M';
  if (a >= 1e4) return (v / 1e3).toFixed(1) + 'k';
  return unit === 'currency' ? v.toFixed(2) : String(Math.round(v * 100) / 100);
};
const text = (v) => (v === null || v === undefined ? '' : typeof v === 'object' ? v.message || v.code || JSON.stringify(v) : String(v));
const detail = (c) => text(c.error) || text(c.message) || text(c.detail) || (c.latency_ms !== undefined ? c.latency_ms + ' ms' : '');
let minutes = 15;
const charts = [];

function table(headers, rows) {
  const t = el('table');
  t.append(el('tr', {}, ...headers.map((h) => el('th', {}, h))));
  for (const r of rows) t.append(r);
  return t;
}

function renderState(s) {
  $('#evaluated').textContent = s.evaluatedAt ? 'evaluated ' + new Date(s.evaluatedAt).toLocaleTimeString() : 'waiting for the first sample';
  $('#monitor').textContent = s.monitor.series + ' series, ' + s.monitor.rules + ' rules, last tick ' + s.monitor.lastTickCostMs.toFixed(1) + ' ms';
  const alerts = $('#alerts');
  alerts.replaceChildren();
  if (s.alerts.length === 0) alerts.append(el('p', { class: 'quiet', 'data-alerts': 'none' }, 'No alert is pending or firing.'));
  else alerts.append(table(['alert', 'state', 'severity', 'summary', 'since'], s.alerts.map((a) =>
    el('tr', { 'data-alert': a.name, 'data-state': a.state, class: a.state + ' ' + a.severity },
      el('td', {}, a.name), el('td', {}, a.state), el('td', {}, a.severity), el('td', {}, a.summary), el('td', {}, new Date(a.activeSince).toLocaleTimeString())))));
  const slos = $('#slos');
  slos.replaceChildren();
  if (s.slos.length === 0) slos.append(el('p', { class: 'quiet' }, 'No SLO rules are evaluated in process.'));
  else slos.append(table(['SLO', 'objective', 'errors (1h)', 'burn rate (1h)', 'budget left'], s.slos.map((o) =>
    el('tr', { 'data-slo': o.slo, class: o.burnRate1h !== null && o.burnRate1h > 1 ? 'burning' : '' },
      el('td', {}, o.slo), el('td', {}, fmt('percentunit', o.objective)), el('td', {}, fmt('percentunit', o.errorRatio1h)),
      el('td', {}, o.burnRate1h === null ? '-' : o.burnRate1h.toFixed(2) + 'x'), el('td', {}, fmt('percentunit', o.budgetRemaining))))));
  const health = $('#health');
  health.replaceChildren();
  const h = s.health;
  const checks = h && (h.checks || h.dependencies);
  if (checks && typeof checks === 'object') {
    const list = Array.isArray(checks) ? checks : Object.entries(checks).map(([name, c]) => ({ name, ...c }));
    health.append(el('p', { 'data-health': h.status || '' }, 'overall: ' + (h.status || '?')));
    health.append(table(['dependency', 'status', 'detail'], list.map((c) =>
      el('tr', { 'data-check': c.name, class: c.status }, el('td', {}, c.name), el('td', {}, c.status || ''), el('td', {}, detail(c))))));
  } else health.append(el('pre', {}, h === undefined ? 'not configured' : JSON.stringify(h, null, 2)));
  const dlq = $('#dlq');
  dlq.replaceChildren();
  const d = s.deadLetters;
  if (Array.isArray(d)) dlq.append(d.length === 0 ? el('p', { class: 'quiet', 'data-dead-letters': '0' }, 'No dead letter in any queue.') : table(['queue', 'dead letters', 'oldest'], d.map((q) =>
    el('tr', { 'data-queue': q.queue, class: q.count > 0 ? 'firing' : '' }, el('td', {}, q.queue), el('td', {}, q.count), el('td', {}, q.oldest || '')))));
  else dlq.append(el('pre', {}, d === undefined ? 'not configured' : JSON.stringify(d)));
}

const COLOR_OF = { green: '#16a34a', yellow: '#ca8a04', orange: '#ea580c', red: '#dc2626', blue: '#2563eb' };
// The threshold step a value falls in (the last step whose value it reaches), as Grafana colours it.
const thresholdColor = (steps, v) => {
  let c;
  for (const t of steps || []) if (t.value === undefined || t.value === null || v >= t.value) c = t.color;
  return c === undefined ? undefined : COLOR_OF[c];
};
const latest = (s) => [...s.values].reverse().find((v) => v !== null);
let current = decodeURIComponent(location.hash.slice(1));

function renderNav(list, uid) {
  const nav = $('#nav');
  nav.replaceChildren(...list.map((d) => el('a', { href: '#' + d.uid, 'data-nav': d.uid, class: d.uid === uid ? 'current' : '' }, d.title)));
}

function renderPanel(p, data, box) {
  if (p.draw === 'placeholder') {
    box.setAttribute('data-unsupported', p.kind);
    box.append(el('p', { class: 'quiet placeholder' }, 'A ' + p.kind + ' panel is not drawn by the console; it is shown in Grafana.'));
    return;
  }
  if (p.error) { box.append(el('p', { class: 'error' }, p.error)); return; }
  const points = p.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
  if (points === 0) { box.append(el('p', { class: 'quiet' }, p.rareEvent ? 'no data: ' + p.rareEvent : 'no data yet')); return; }
  if (p.draw === 'latest') {
    for (const s of p.series) {
      const v = latest(s);
      const color = thresholdColor(p.thresholds, v);
      box.append(el('div', { class: 'stat' }, el('span', color ? { class: 'big', style: 'color:' + color } : { class: 'big' }, fmt(p.unit, v)), ' ', s.name));
    }
    return;
  }
  if (p.draw === 'bars') {
    const values = p.series.map((s) => latest(s) ?? 0);
    const top = p.max ?? Math.max(1e-9, ...values);
    p.series.forEach((s, i) => {
      const v = values[i];
      const width = Math.max(0, Math.min(100, (v / top) * 100));
      box.append(el('div', { class: 'bar' }, el('span', { class: 'bar-label' }, s.name + ' ' + fmt(p.unit, v)),
        el('span', { class: 'bar-fill', style: 'width:' + width.toFixed(1) + '%;background:' + (thresholdColor(p.thresholds, v) || COLORS[i % COLORS.length]) })));
    });
    return;
  }
  const y = { auto: p.min === null && p.max === null };
  if (p.min !== null || p.max !== null) y.range = (u, lo, hi) => [p.min ?? lo, p.max ?? hi];
  const opts = {
    width: Math.max(280, box.clientWidth - 16), height: 180,
    legend: { live: false },
    scales: { x: { time: true }, y },
    axes: [{}, { size: 64, values: (u, vals) => vals.map((v) => fmt(p.unit, v)) }],
    series: [{}, ...p.series.map((s, i) => ({ label: s.name || 'value', stroke: COLORS[i % COLORS.length], width: 2, spanGaps: false, value: (u, v) => fmt(p.unit, v) }))],
  };
  charts.push(new uPlot(opts, [data.timestamps, ...p.series.map((s) => s.values)], box));
}

function renderDashboards(data) {
  for (const c of charts.splice(0)) c.destroy();
  const root = $('#dashboards');
  root.replaceChildren();
  const d = data.dashboard;
  renderNav(data.dashboards, d ? d.uid : '');
  if (!d) { root.append(el('p', { class: 'quiet' }, 'No dashboard is configured.')); return; }
  root.setAttribute('data-dashboard', d.uid);
  root.append(el('h2', { id: 'd-' + d.uid }, d.title));
  for (const r of d.rows) {
    const grid = el('div', { class: 'grid' });
    root.append(el('h3', { class: 'row' }, r.title), grid);
    for (const p of r.panels) {
      const points = p.series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
      const box = el('div', { class: 'panel', 'data-panel': p.title, 'data-kind': p.kind, 'data-points': points, title: p.exprs.join('\n') });
      box.append(el('h4', {}, p.title));
      if (p.description) box.append(el('p', { class: 'desc' }, p.description));
      grid.append(box);
      renderPanel(p, data, box);
    }
  }
}

async function refresh() {
  try {
    const [s, d] = await Promise.all([fetch('api/state').then((r) => r.json()), fetch('api/dashboards?minutes=' + minutes + (current ? '&uid=' + encodeURIComponent(current) : '')).then((r) => r.json())]);
    renderState(s);
    // An answer for the dashboard shown before the navigation changed it is dropped (the next one follows).
    if (!(current && d.dashboard && d.dashboard.uid !== current && d.dashboards.some((x) => x.uid === current))) renderDashboards(d);
    document.body.dataset.loaded = String(Date.now());
    $('#error').textContent = '';
  } catch (err) {
    $('#error').textContent = 'refresh failed: ' + err.message;
  }
}
$('#range').addEventListener('change', (e) => { minutes = Number(e.target.value); refresh(); });
window.addEventListener('hashchange', () => { current = decodeURIComponent(location.hash.slice(1)); refresh(); });
refresh();
setInterval(refresh, 5000);
`;

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 0; background: #f8fafc; color: #0f172a; }
header { background: #0f172a; color: #f8fafc; padding: 10px 20px; display: flex; gap: 24px; align-items: baseline; flex-wrap: wrap; }
header h1 { font-size: 18px; margin: 0; } header span { color: #cbd5e1; }
main { padding: 12px 20px; }
section.top { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 16px; }
.card.wide { grid-column: 1 / -1; }
.card, .panel { background: #fff; border: 1px solid #e2e8f0; border-radius: 6px; padding: 8px 12px; }
h2 { font-size: 16px; margin: 18px 0 8px; } h3.row { font-size: 14px; margin: 14px 0 6px; color: #334155; } h4 { font-size: 13px; margin: 0 0 4px; }
nav { display: flex; gap: 6px; flex-wrap: wrap; margin: 16px 0 0; } nav a { padding: 4px 10px; border: 1px solid #cbd5e1; border-radius: 4px; color: #0f172a; text-decoration: none; background: #fff; }
nav a.current { background: #0f172a; color: #f8fafc; }
.bar { position: relative; margin: 3px 0; background: #f1f5f9; height: 22px; } .bar-fill { position: absolute; left: 0; top: 0; bottom: 0; opacity: .35; }
.bar-label { position: relative; padding-left: 6px; font-size: 12px; line-height: 22px; } .placeholder { font-style: italic; }
.grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(420px, 1fr)); gap: 12px; }
table { border-collapse: collapse; width: 100%; } th, td { text-align: left; padding: 3px 6px; border-bottom: 1px solid #e2e8f0; font-size: 13px; }
tr.firing td { background: #fee2e2; } tr.pending td { background: #fef3c7; } tr.burning td { background: #ffedd5; }
tr.down td, tr.fail td { background: #fee2e2; }
.quiet { color: #64748b; } .error { color: #b91c1c; } .desc { color: #64748b; font-size: 12px; margin: 0 0 4px; }
.stat .big { font-size: 28px; font-weight: 600; }
`;

/** The page for `service`. */
export function consolePage(service: string): string {
  const name = escapeHtml(service);
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${name} console</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="uplot.css"><style>${STYLE}</style></head>
<body>
<header><h1>${name} console</h1><span id="evaluated"></span><span id="monitor"></span>
<label>range <select id="range"><option value="5">5 m</option><option value="15" selected>15 m</option><option value="60">1 h</option></select></label>
<span id="error" class="error"></span></header>
<main>
<section class="top">
<div class="card wide"><h2>Alerts</h2><div id="alerts"></div></div>
<div class="card"><h2>SLOs: error budget and burn rate</h2><div id="slos"></div></div>
<div class="card"><h2>Dependencies</h2><div id="health"></div></div>
<div class="card"><h2>Dead letters</h2><div id="dlq"></div></div>
</section>
<nav id="nav"></nav>
<div id="dashboards"></div>
</main>
<script src="uplot.js"></script>
<script>${SCRIPT}</script>
</body></html>`;
}
