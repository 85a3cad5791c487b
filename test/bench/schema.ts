/**
 * `npm run bench -- schema`: which schema library the contract is declared with, by
 * measurement (docs/contracts.md). The same three realistic inputs (test/bench/fixtures/
 * schema/inputs.ts: a `cluster:start` request, a telemetry batch of 40 events with a
 * metrics snapshot, a control envelope with four link rules) are decoded by the same
 * declarations written with valibot, zod 4 and TypeBox (compiled and interpreted), beside
 * the contract as shipped (src/contract: the hand-written validators when the choice was
 * made, valibot declarations since; docs/contracts.md keeps both runs' figures). Prints decode operations per second per input,
 * side by side in one run, and the minified bundle bytes each declaration file adds
 * (esbuild --bundle --minify of a tiny entry importing it, for the browser).
 *
 * Every decoder is first checked to accept the three inputs and to refuse a mutated one
 * with a path, so a library that "wins" by checking less cannot.
 */
import { build } from 'esbuild';
import { validateRequest } from '../../src/contract/labApiValidate';
import { validateControlRequest } from '../../src/contract/control';
import { validateTelemetryBatch } from '../../src/contract/telemetry';
import { clusterStartRequest, controlRequest, telemetryBatch } from './fixtures/schema/inputs';
import { compiledDecoders, interpretedDecoders } from './fixtures/schema/typebox';
import { decoders as valibotDecoders } from './fixtures/schema/valibot';
import { decoders as zodDecoders } from './fixtures/schema/zod';

type Decode = (input: unknown) => string | null;
type Decoders = { clusterStart: Decode; telemetryBatch: Decode; controlRequest: Decode };

/** The contract as shipped (src/contract, valibot since this bench chose it; docs/contracts.md). */
const shipped: Decoders = {
  clusterStart: (i) => {
    const r = validateRequest('cluster:start', i);
    return r.ok ? null : r.error;
  },
  telemetryBatch: (i) => {
    const r = validateTelemetryBatch(i);
    return r.ok ? null : r.error;
  },
  controlRequest: (i) => {
    const r = validateControlRequest(i);
    return r.ok ? null : r.error;
  },
};

const CANDIDATES: { name: string; decoders: Decoders; bundle: string | null }[] = [
  { name: 'contract as shipped', decoders: shipped, bundle: 'shipped' },
  { name: 'valibot 1.5', decoders: valibotDecoders, bundle: 'valibot' },
  { name: 'zod 4.6', decoders: zodDecoders, bundle: 'zod' },
  { name: 'typebox 1.4 compiled', decoders: compiledDecoders, bundle: 'typeboxCompiled' },
  { name: 'typebox 1.4 interpreted', decoders: interpretedDecoders, bundle: 'typeboxInterpreted' },
];

const INPUTS: { key: keyof Decoders; title: string; make: () => unknown; // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the mutations reach into known fixture shapes
  mutate: (v: any) => void }[] = [
  { key: 'clusterStart', title: 'cluster:start', make: clusterStartRequest, mutate: (v) => (v.options.workload.keys = 0) },
  { key: 'telemetryBatch', title: 'telemetry batch', make: telemetryBatch, mutate: (v) => (v.events[39].traffic['3'].app.sent = -1) },
  { key: 'controlRequest', title: 'control envelope', make: controlRequest, mutate: (v) => (v.command.rules[2].drop = 2) },
];

/** Decodes per second of `input` (a fresh object per run, decoded repeatedly), best of 5 runs of ~200 ms. */
function opsPerSecond(decode: Decode, input: unknown): number {
  let best = 0;
  let n = 1000;
  for (let i = 0; i < 20; i++) decode(input);
  for (let round = 0; round < 5; round++) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) if (decode(input) !== null) throw new Error('a valid input was refused during timing');
    const ms = performance.now() - t0;
    best = Math.max(best, (n * 1000) / ms);
    n = Math.max(1000, Math.round((best * 0.2) | 0));
  }
  return best;
}

/** Minified browser bundle bytes of an entry that imports only `exportName` of the declaration file. */
async function bundleBytes(which: string): Promise<number> {
  // test/bench/index.ts runs every bench from the repository root.
  const root = process.cwd();
  const entries: Record<string, string> = {
    shipped: `import { validateRequest } from './src/contract/labApiValidate';
      import { validateControlRequest } from './src/contract/control';
      import { validateTelemetryBatch } from './src/contract/telemetry';
      globalThis.d = [validateRequest, validateControlRequest, validateTelemetryBatch];`,
    valibot: `import { decoders } from './test/bench/fixtures/schema/valibot'; globalThis.d = decoders;`,
    zod: `import { decoders } from './test/bench/fixtures/schema/zod'; globalThis.d = decoders;`,
    typeboxCompiled: `import { compiledDecoders } from './test/bench/fixtures/schema/typebox'; globalThis.d = compiledDecoders;`,
    typeboxInterpreted: `import { interpretedDecoders } from './test/bench/fixtures/schema/typebox'; globalThis.d = interpretedDecoders;`,
  };
  const out = await build({
    stdin: { contents: entries[which], resolveDir: root, loader: 'ts' },
    bundle: true,
    minify: true,
    platform: 'browser',
    format: 'esm',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0].contents.byteLength;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en');

export async function benchSchema(): Promise<void> {
  // Same verdicts first: all accept the real inputs, all refuse the mutated ones with a message.
  for (const c of CANDIDATES) {
    for (const input of INPUTS) {
      const good = c.decoders[input.key](input.make());
      if (good !== null) throw new Error(`${c.name} refused the valid ${input.title}: ${good}`);
      const bad = input.make();
      input.mutate(bad);
      const error = c.decoders[input.key](bad);
      if (error === null) throw new Error(`${c.name} accepted a mutated ${input.title}`);
      console.log(`${c.name.padEnd(24)} refuses a mutated ${input.title.padEnd(16)} with: ${error.slice(0, 110)}`);
    }
  }
  console.log('');
  const header = ['decoder'.padEnd(24), ...INPUTS.map((i) => `${i.title} /s`.padStart(20)), 'bundle (min)'.padStart(14)].join(' ');
  console.log(header);
  for (const c of CANDIDATES) {
    const cells = INPUTS.map((input) => fmt(opsPerSecond(c.decoders[input.key], input.make())).padStart(20));
    const bytes = c.bundle ? await bundleBytes(c.bundle) : 0;
    console.log([c.name.padEnd(24), ...cells, `${(bytes / 1024).toFixed(1)} KiB`.padStart(14)].join(' '));
  }
}
