/**
 * Receipt printing end to end: the real store on port 0, real WebSocket agents from the agent
 * simulator, real orders. Each case asserts the job as the API shows it and the metric deltas on the
 * store's own /metrics. Waits are bounded polls for an eventual state, never timing assertions.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AgentRejectedError, connectPrinterAgents } from '../src/sim/printer-agent.ts';
import { agentToken } from '../src/features/printing/protocol.ts';
import { DEV_PRINTER_AGENT_SECRET } from '../src/features/printing/printing-options.ts';
import { backends, delta, startHarness, type Harness, eventually } from './helpers/store-harness.ts';

const LOC = 'store-001';
const OTHER = 'store-002';

/** Sells one bag of chips at `location` for cash and completes the order; returns the order id. */
async function sell(h: Harness, token: string, location: string): Promise<string> {
  const order = await h.api('POST', '/orders', { token, body: { location, terminal: 'till-1', channel: 'in_store', items: [{ sku: 'SNACK-CHIPS-SALT', quantity: 1 }] } });
  assert.equal(order.status, 201, JSON.stringify(order.body));
  const pay = await h.api('POST', `/orders/${order.body.id}/pay`, { token, body: { method: 'cash', amount: order.body.total, cash_tendered: order.body.total } });
  assert.equal(pay.status, 200, JSON.stringify(pay.body));
  const done = await h.api('POST', `/orders/${order.body.id}/complete`, { token });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  return order.body.id as string;
}

/** The finished print job of an order. */
async function finishedJob(h: Harness, token: string, orderId: string): Promise<Record<string, any>> {
  return eventually(`the print job of ${orderId}`, async () => {
    const r = await h.api('GET', '/printing/jobs?limit=100', { token });
    const job = (r.body.jobs as Record<string, any>[]).find((j) => j.order_id === orderId);
    return job !== undefined && job.status !== 'dispatched' ? job : undefined;
  });
}

for (const backend of backends()) {
  test(`receipt printing over WebSockets on ${backend}`, async (t) => {
    const h = await startHarness(t, backend, {
      features: ['printing'],
      env: { PRINT_ACK_TIMEOUT_MS: '300', PRINTER_PING_INTERVAL_MS: '200', PRINTER_MAX_MISSED_PONGS: '3' },
    });
    if (!h) return;
    const cashier = await h.token('cashier');
    const fleet = await connectPrinterAgents({ url: h.url, agents: [{ branch: LOC, type: 'agent' }, { branch: LOC, type: 'desktop_app' }] });
    t.after(() => fleet.close());

    await t.test('agents connect per branch and type, and are listed and counted', async () => {
      const list = await h.api('GET', '/printing/agents', { token: cashier });
      assert.equal(list.status, 200);
      const mine = (list.body.agents as Record<string, any>[]).filter((a) => a.branch === LOC);
      assert.deepEqual(mine.map((a) => a.type).sort(), ['agent', 'desktop_app']);
      const m = await h.metrics();
      assert.equal(m.get(`print_agents_connected{agent_type="printer_agent",location="${LOC}"}`), 1);
      assert.equal(m.get(`print_agents_connected{agent_type="desktop_app",location="${LOC}"}`), 1);
      assert.equal(m.get(`print_agents_connected{agent_type="printer_agent",location="${OTHER}"}`), 0, 'a branch without agents shows 0, not nothing');
    });

    await t.test('a bad token or an unknown branch is refused, and the token is never logged', async () => {
      const forged = `forged-token-${'x'.repeat(40)}`;
      await assert.rejects(connectPrinterAgents({ url: h.url, agents: [{ branch: LOC }], token: () => forged }), (e: unknown) => e instanceof AgentRejectedError && e.status === 401);
      await assert.rejects(connectPrinterAgents({ url: h.url, agents: [{ branch: 'store-999' }] }), (e: unknown) => e instanceof AgentRejectedError && e.status === 400);
      const real = agentToken(DEV_PRINTER_AGENT_SECRET, LOC);
      const text = h.sink.text() + h.output();
      assert.ok(!text.includes(forged), 'a presented token appears in the output');
      assert.ok(!text.includes(real), 'an agent token appears in the output');
      assert.ok(h.sink.lines.some((l) => l.event === 'printing.agent_rejected' && l.reason === 'bad_token'));
    });

    await t.test('a completed order is printed and acknowledged', async () => {
      const m0 = await h.metrics();
      const orderId = await sell(h, cashier, LOC);
      const job = await finishedJob(h, cashier, orderId);
      assert.equal(job.status, 'printed');
      assert.equal(job.location, LOC);
      assert.equal(job.failure_reason, null);
      assert.ok(job.agent_id, 'the job names the agent that printed it');
      assert.equal(typeof job.latency_ms, 'number');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'print_jobs_total', { location: LOC, outcome: 'success' }), 1);
      assert.equal(delta(m0, m1, 'print_job_duration_seconds_count', { job_type: 'receipt' }), 1);
    });

    await t.test('a printer failure reported by the agent fails the job with its reason', async () => {
      fleet.configure({ failureRate: 1 });
      const m0 = await h.metrics();
      const job = await finishedJob(h, cashier, await sell(h, cashier, LOC));
      fleet.configure({ failureRate: 0 });
      assert.equal(job.status, 'failed');
      assert.ok(['paper_out', 'printer_offline', 'printer_error'].includes(job.failure_reason), job.failure_reason);
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'print_jobs_total', { location: LOC, outcome: 'failed' }), 1);
    });

    await t.test('a job nobody acknowledges times out', async () => {
      fleet.configure({ ignoreJobs: true });
      const m0 = await h.metrics();
      const job = await finishedJob(h, cashier, await sell(h, cashier, LOC));
      fleet.configure({ ignoreJobs: false });
      assert.equal(job.status, 'failed');
      assert.equal(job.failure_reason, 'ack_timeout');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'print_jobs_total', { location: LOC, outcome: 'timeout' }), 1);
    });

    await t.test('a branch with no connected agent fails the job at once', async () => {
      const m0 = await h.metrics();
      const job = await finishedJob(h, cashier, await sell(h, cashier, OTHER));
      assert.equal(job.status, 'failed');
      assert.equal(job.failure_reason, 'no_agent');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'print_jobs_total', { location: OTHER, outcome: 'no_agent' }), 1);
    });

    await t.test('an agent dropping with a job in flight fails that job as disconnected', async () => {
      const extra = await connectPrinterAgents({ url: h.url, agents: [{ branch: OTHER, agentId: 'flaky-1' }], ignoreJobs: true });
      t.after(() => extra.close());
      const orderId = await sell(h, cashier, OTHER);
      await eventually('the job to reach the agent', async () => (extra.stats().jobsReceived > 0 ? true : undefined));
      const m0 = await h.metrics();
      extra.agents[0]!.kill();
      const job = await finishedJob(h, cashier, orderId);
      assert.equal(job.status, 'failed');
      assert.equal(job.failure_reason, 'agent_disconnected');
      const m1 = await h.metrics();
      assert.equal(delta(m0, m1, 'print_jobs_total', { location: OTHER, outcome: 'failed' }), 1);
      assert.equal(delta(m0, m1, 'print_agent_disconnects_total', { location: OTHER, agent_type: 'printer_agent', reason: 'client_closed' }), 1);
    });

    await t.test('a slow heartbeat degrades the connection quality; silence drops the agent', async () => {
      const slow = await connectPrinterAgents({ url: h.url, agents: [{ branch: OTHER, agentId: 'slow-1' }], pongDelayMs: 350 });
      t.after(() => slow.close());
      const graded = await eventually('the slow agent to be graded fair or poor', async () => {
        const r = await h.api('GET', `/printing/agents?location=${OTHER}`, { token: cashier });
        const a = (r.body.agents as Record<string, any>[]).find((x) => x.agent_id === 'slow-1');
        return a !== undefined && (a.quality === 'fair' || a.quality === 'poor') ? a : undefined;
      });
      const m = await h.metrics();
      assert.ok((m.get(`print_agents_connection_quality{location="${OTHER}",quality="${graded.quality}"}`) ?? 0) >= 1);

      const m0 = await h.metrics();
      slow.configure({ dropPongs: true });
      await eventually('the silent agent to be dropped', async () => (slow.stats().connected === 0 ? true : undefined));
      const m1 = await eventually('the heartbeat disconnect to be counted', async () => {
        const now = await h.metrics();
        return delta(m0, now, 'print_agent_disconnects_total', { location: OTHER, agent_type: 'printer_agent', reason: 'heartbeat_timeout' }) === 1 ? now : undefined;
      });
      assert.equal(m1.get(`print_agents_connected{agent_type="printer_agent",location="${OTHER}"}`), 0);
    });

    await t.test('agents disconnecting are counted and leave the gauge at zero', async () => {
      const m0 = await h.metrics();
      await fleet.disconnect(LOC);
      const m1 = await eventually('both disconnects to be counted', async () => {
        const now = await h.metrics();
        return delta(m0, now, 'print_agent_disconnects_total', { location: LOC, agent_type: 'printer_agent', reason: 'client_closed' }) === 1 &&
          delta(m0, now, 'print_agent_disconnects_total', { location: LOC, agent_type: 'desktop_app', reason: 'client_closed' }) === 1
          ? now
          : undefined;
      });
      assert.equal(m1.get(`print_agents_connected{agent_type="printer_agent",location="${LOC}"}`), 0);
      assert.equal(m1.get(`print_agents_connected{agent_type="desktop_app",location="${LOC}"}`), 0);
      const list = await h.api('GET', `/printing/agents?location=${LOC}`, { token: cashier });
      assert.deepEqual(list.body.agents, []);
    });

    await t.test('the store closes with agents connected, sending them going-away', async () => {
      const last = await connectPrinterAgents({ url: h.url, agents: [{ branch: LOC, agentId: 'till-printer' }] });
      t.after(() => last.close());
      await h.store.close();
      await eventually('the agent to see the close', async () => (last.stats().connected === 0 ? true : undefined));
    });
  });
}
