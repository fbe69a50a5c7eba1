import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedisServer, type RedisServer } from '../src/testing/redis-server.js';
import { redisCeiling, type Ceiling } from './ceiling.js';
import type { ScenarioResult } from './harness.js';
import { performanceMarkdown, type BenchReport } from './report.js';
import { hitRatioSectionOf, withHitRatioSection } from './hit-ratio/report.js';
import { runIsolated } from './scenario-process.js';
import { tableScenarios, timingScenarios } from './scenarios/index.js';
import type { TimingResult } from './timing.js';

const usage = `usage: npm run bench -- [--quick] [--only name,name] [--redis-url redis://host:port]
  Starts its own redis-server unless --redis-url is given (it then only touches bench:* keys it wrote).`;

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'redis-url': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(usage);
  process.exit(0);
}

const only = values.only?.split(',');
const selected = tableScenarios.filter((s) => !only || only.includes(s.name));
const selectedTimings = timingScenarios.filter((s) => !only || only.includes(s.name));
if (selected.length + selectedTimings.length === 0) {
  console.error(
    `no scenario matches --only ${values.only}; known: ${[...tableScenarios, ...timingScenarios].map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

// Scenarios run tiercache from dist/ (see dist-hooks.ts): it must be built from the src/ measured.
const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const newestSource = Math.max(
  ...readdirSync(join(root, 'src'), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => statSync(join(root, 'src', file)).mtimeMs),
);
const built = (() => {
  try {
    return statSync(join(root, 'dist', 'index.js')).mtimeMs;
  } catch {
    return 0;
  }
})();
if (built < newestSource) {
  console.error(
    'dist/ is missing or older than src/: run `npm run build` (npm run bench does) and try again',
  );
  process.exit(2);
}

let server: RedisServer | undefined;
let redisUrl = values['redis-url'];
const needsRedis = [...selected, ...selectedTimings].some((s) => s.needsRedis);
if (!redisUrl && needsRedis) {
  server = await startRedisServer();
  redisUrl = server.url;
}

const here = join(root, 'bench');
const results: ScenarioResult[] = [];
const timingResults: TimingResult[] = [];
let ceiling: Ceiling[] = [];
try {
  if (redisUrl && !only) ceiling = redisCeiling(redisUrl, values.quick);
  for (const c of ceiling)
    console.log(`${c.label}: ${Math.round(c.requestsPerSecond).toLocaleString('en-US')} req/s`);
  // Each scenario in a process of its own (see scenario-process.ts), one after the other.
  for (const scenario of [...selected, ...selectedTimings]) {
    const outcome = await runIsolated(scenario.name, redisUrl, values.quick);
    if (outcome.kind === 'scenario') results.push(outcome.result);
    else if (outcome.kind === 'timing') timingResults.push(outcome.result);
  }
} finally {
  await server?.stop();
}

const version = (name: string) =>
  (
    JSON.parse(
      readFileSync(
        join(here, '..', name === 'tiercache' ? '' : `node_modules/${name}`, 'package.json'),
        'utf8',
      ),
    ) as { version: string }
  ).version;
const report: BenchReport = {
  date: new Date().toISOString(),
  quick: values.quick,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  versions: Object.fromEntries(
    ['tiercache', 'lru-cache', 'ioredis', 'bentocache', 'cacheable', 'cache-manager'].map((n) => [
      n,
      version(n),
    ]),
  ),
  redisServer: server ? 'started by the bench' : redisUrl ? 'given by --redis-url' : 'not used',
  ceiling,
  results,
  timings: timingResults,
};
const out = join(here, 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
if (!only) {
  // The hit-ratio section is written by npm run bench:hit-ratio: carried over as it is.
  const docs = join(here, '..', 'docs', 'performance.md');
  const hitRatio = hitRatioSectionOf(readFileSync(docs, 'utf8'));
  const markdown = performanceMarkdown(report);
  writeFileSync(docs, hitRatio === undefined ? markdown : withHitRatioSection(markdown, hitRatio));
}
const allGoals = [...results.flatMap((r) => r.goals), ...timingResults.flatMap((t) => t.goals)];
const missed = allGoals.filter((g) => !g.met).length;
console.log(
  `\nwrote ${out}${only ? '' : ' and docs/performance.md'}; goals met: ${allGoals.length - missed}, not met: ${missed}`,
);
