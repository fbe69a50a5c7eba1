import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { measure } from '../harness.js';
import { memoryPolicyCost } from '../scenarios/memory-policy.js';
import { memoryPerEntry } from './memory.js';
import {
  hitRatioSection,
  judgeGoals,
  withHitRatioSection,
  type HitRatioReport,
  type HitRatioRow,
} from './report.js';
import { hitRatios, keyNames } from './simulate.js';
import {
  loopTrace,
  scanPollutedTrace,
  shiftingTrace,
  zipfTrace,
  type Trace,
  type TraceSettings,
} from './traces.js';

const usage = `usage: npm run bench:hit-ratio -- [--quick] [--no-cost]
  Hit ratios of lru-cache, tiercache lru and tinylfu and Bélády's optimum on seeded synthetic traces, the
  cost of each policy, and memory per entry. Writes bench/results/hit-ratio.json and its section of
  docs/performance.md. --quick: 100,000 requests per trace (and memory at 100,000 entries).`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    'no-cost': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const SEED = 24;
const KEY_SPACES = [10_000, 100_000];
const CACHE_PERCENTS = [0.5, 1, 5, 10];
const requests = values.quick ? 100_000 : 1_000_000;

/** Every trace of a key space; the loop depends on the cache size, so traces are built per size. */
function traces(settings: TraceSettings, capacity: number): Trace[] {
  const scan = settings.keySpace / 10;
  return [
    zipfTrace(settings, 0.8),
    zipfTrace(settings, 1.0),
    zipfTrace(settings, 1.2),
    scanPollutedTrace(settings, 4 * scan, scan),
    loopTrace(settings, Math.round(1.25 * capacity), '1.25 × the cache size'),
    shiftingTrace(settings, 10),
  ];
}

const keySpaces: HitRatioReport['keySpaces'] = [];
for (const keySpace of KEY_SPACES) {
  const settings = { keySpace, requests, seed: SEED };
  // Scan keys are numbered from keySpace up: 20% of the requests at most.
  const names = keyNames(keySpace + requests);
  const rows: HitRatioRow[] = [];
  for (const cachePercent of CACHE_PERCENTS) {
    const capacity = Math.round((keySpace * cachePercent) / 100);
    for (const trace of traces(settings, capacity)) {
      const ratios = await hitRatios(trace, names, capacity);
      rows.push({ trace: trace.name, description: trace.description, cachePercent, capacity, ratios });
      const shown = Object.entries(ratios).map(([c, r]) => `${c} ${(r * 100).toFixed(1)}%`);
      console.log(`${keySpace} keys, ${trace.name}, cache ${cachePercent}%: ${shown.join(', ')}`);
    }
  }
  const order = traces(settings, 1).map((t) => t.name);
  rows.sort((a, b) => order.indexOf(a.trace) - order.indexOf(b.trace) || a.cachePercent - b.cachePercent);
  keySpaces.push({ keySpace, rows });
}

let cost: HitRatioReport['cost'] = [];
if (!values['no-cost']) {
  const { cases, teardown } = await memoryPolicyCost.setup({ redisUrl: undefined, quick: values.quick });
  cost = await measure(cases, values.quick);
  await teardown();
  for (const c of cost) console.log(`${c.label}: ${Math.round(c.nsPerOp)} ns/op`);
}
const entries = values.quick ? 100_000 : 1_000_000;
const memory = { entries, figures: await memoryPerEntry(entries) };
for (const f of memory.figures) console.log(`${f.label}: ${f.bytesPerEntry.toFixed(0)} bytes per entry`);

const report: HitRatioReport = {
  date: new Date().toISOString(),
  quick: values.quick,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  requests,
  seed: SEED,
  keySpaces,
  cost,
  memory,
};
const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, '..', 'results', 'hit-ratio.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
const docs = join(here, '..', '..', 'docs', 'performance.md');
writeFileSync(docs, withHitRatioSection(readFileSync(docs, 'utf8'), hitRatioSection(report)));
const goals = judgeGoals(report);
for (const g of goals) console.log(`goal: ${g.goal}: ${g.measured} ${g.met ? 'met' : 'NOT MET'}`);
console.log(
  `\nwrote ${out} and docs/performance.md; goals met: ${goals.filter((g) => g.met).length}, not met: ${goals.filter((g) => !g.met).length}`,
);
