import { TestCluster } from './testCluster';
import { KvClientConnection } from '../../../src/node/transport/kvClientConnection';
import type { ClientRequest } from '../../../src/contract/client';
const [conns, batch, inflight] = (process.argv[2] ?? '4,256,4').split(',').map(Number);
const tc = await TestCluster.start({ options: { nodes: 3, fsync: 'never' }, label: 'probe', execPath: process.env.WRAP, retain: (e) => e.type !== 'apply' && e.type !== 'commit' });
try {
  const { leader } = await tc.waitForAgreedLeader({ timeoutMs: 15000 });
  await new Promise((r) => setTimeout(r, 1000));
  const mark = tc.mark();
  let ok = 0, fail = 0;
  const runT = tc.cluster.now();
  const cs = Array.from({ length: conns }, (_, i) => {
    const st = { seq: 0, out: 0, conn: null as unknown as KvClientConnection };
    const refill = () => { while (st.out + batch <= batch * inflight) { const reqs: ClientRequest[] = []; for (let k = 0; k < batch; k++) { const s = ++st.seq; reqs.push({ client: `p${i}`, seq: s, op: { op: 'put', key: `k${s % 1000}`, value: 'vvvvvvvvvvvvvvvv' } }); } st.out += batch; void st.conn.send(reqs); } };
    st.conn = new KvClientConnection({ clusterId: tc.clusterId, address: tc.clientAddress(leader), maxFrameBytes: 16 << 20, onResponses: (rs) => { st.out -= rs.length; for (const r of rs) { if (r.status === 'ok') ok++; else fail++; } if (fail === 0) refill(); } });
    return { st, refill };
  });
  for (const c of cs) c.refill();
  await new Promise((r) => setTimeout(r, 2000));
  console.log('ok', ok, 'fail', fail, 'load at', Math.round(runT), 'leader', leader);
  for (const e of tc.events.slice(mark)) if (e.type === 'metrics') console.log('M', e.node, Math.round(e.t), e.role, e.term, 'lag', e.loopLagMs, 'c', e.commit, 'li', e.lastIndex, 'stale', e.leaderStalenessMs, 'tdrop', e.telemetryDropped, JSON.stringify(e.progress));
    else console.log(JSON.stringify(e).slice(0, 200));
  for (const c of cs) await c.st.conn.close();
  if (process.env.WRAP) await Promise.all(tc.liveIds().map((id) => tc.cluster.stopNode(id)));
} finally { await tc.dispose({ keep: !!process.env.KEEP }); }
