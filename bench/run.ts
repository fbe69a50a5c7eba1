import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startRedisServer, type RedisServer } from '../src/testing/redis-server.js';
import { formatTable, judge, measure, type ScenarioResult } from './harness.js';
import { scenarios } from './scenarios/index.js';

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
const selected = scenarios.filter((s) => !only || only.includes(s.name));
if (selected.length === 0) {
  console.error(
    `no scenario matches --only ${values.only}; known: ${scenarios.map((s) => s.name).join(', ')}`,
  );
  process.exit(2);
}

let server: RedisServer | undefined;
let redisUrl = values['redis-url'];
if (!redisUrl && selected.some((s) => s.needsRedis)) {
  server = await startRedisServer();
  redisUrl = server.url;
}

const results: ScenarioResult[] = [];
try {
  for (const scenario of selected) {
    const { cases, teardown } = await scenario.setup({ redisUrl, quick: values.quick });
    try {
      const caseResults = await measure(cases, values.quick);
      const result = {
        name: scenario.name,
        description: scenario.description,
        cases: caseResults,
        goals: judge(scenario.goals, caseResults),
      };
      results.push(result);
      console.log(formatTable(result));
    } finally {
      await teardown();
    }
  }
} finally {
  await server?.stop();
}

const here = dirname(fileURLToPath(import.meta.url));
const out = join(here, 'results', 'latest.json');
mkdirSync(dirname(out), { recursive: true });
const report = {
  date: new Date().toISOString(),
  quick: values.quick,
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
  cores: cpus().length,
  redisServer: server ? 'started by the bench' : redisUrl ? 'given by --redis-url' : 'not used',
  results,
};
writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
const missed = results.flatMap((r) => r.goals.filter((g) => !g.met));
console.log(
  `\nwrote ${out}; goals met: ${results.flatMap((r) => r.goals).length - missed.length}, not met: ${missed.length}`,
);
