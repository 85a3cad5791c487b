import { readFileSync } from 'node:fs';
import { summarize, bootstrapMedianCi } from './src/analysis/stats';
for (const f of process.argv.slice(2)) {
  const set = JSON.parse(readFileSync(f, 'utf8'));
  console.log(`${set.mode} (${set.trialsPerVariant}/range)`);
  for (const v of set.variants) {
    const s = summarize(v.samples); const ci = bootstrapMedianCi(v.samples);
    console.log(`| ${v.label} | ${set.mode} | ${s.n}${v.unresolved ? ` (+${v.unresolved})` : ''} | ${s.mean!.toFixed(0)} | ${s.p50!.toFixed(0)} (${ci!.low.toFixed(0)}–${ci!.high.toFixed(0)}) | ${s.p90!.toFixed(0)} | ${s.p99!.toFixed(0)} | ${s.max!.toFixed(0)} |`);
  }
}
