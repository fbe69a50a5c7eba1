/**
 * `npm run bench:semantic` (issue 25): how well semantic matching separates requests that may share an
 * answer from those that must not, on the labelled sets in bench/data, and what a lookup costs.
 *
 * For each embedder (the hashing one always; yours with SEMANTIC_EMBEDDER=./module.js exporting an
 * Embedder as default) and each set, it sweeps the threshold and reports, with and without the guard: the
 * hit rate on should-hit pairs, the false-hit rate on must-not pairs with a 95% (Wilson) interval, and the
 * best hit rate at ≥ 99% precision. Then lookup p50/p99 in process at 1k, 10k and 100k stored requests in
 * one partition. Writes bench/results/semantic.json and the figures section of docs/semantic-cache.md.
 */
import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { wrapEntry } from '../src/ai/ai-entry.js';
import { unitVector, type Embedder } from '../src/ai/semantic/embedding.js';
import { GUARD_CHECKS, readText, vetoReason } from '../src/ai/semantic/guard.js';
import { hashingEmbedder } from '../src/ai/semantic/hashing-embedder.js';
import { DEFAULT_SEMANTIC_THRESHOLD, resolveSemantic } from '../src/ai/semantic/semantic-options.js';
import { SemanticMatcher } from '../src/ai/semantic/semantic-matcher.js';
import { VectorIndex } from '../src/ai/semantic/vector-index.js';
import { InMemoryCache } from '../src/memory/in-memory-cache.js';
import { seededRandom } from '../src/testing/seeded-random.js';

interface Pair {
  id: string;
  a: string;
  b: string;
  label: 'hit' | 'miss';
  kind: string;
}
interface Scored extends Pair {
  similarity: number;
  veto: string | undefined;
}

const quick = process.argv.includes('--quick');
const THRESHOLDS = [0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95];
const SETS = [
  { name: 'tuning set', file: 'bench/data/semantic-pairs.jsonl' },
  { name: 'held-out set', file: 'bench/data/semantic-pairs-holdout.jsonl' },
].filter((s) => existsSync(s.file));

const readPairs = (file: string): Pair[] =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Pair);

/** Wilson score interval (95%) of k successes in n trials, in percent. */
function wilson(k: number, n: number): [number, number] {
  if (n === 0) return [0, 0];
  const z = 1.96;
  const p = k / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n))) / (1 + (z * z) / n);
  return [round(Math.max(0, centre - half) * 100), round(Math.min(1, centre + half) * 100)];
}
const round = (x: number, digits = 1) => Math.round(x * 10 ** digits) / 10 ** digits;

async function score(embed: Embedder, pairs: Pair[]): Promise<Scored[]> {
  const checks = new Set(GUARD_CHECKS);
  const vectors = await embed(pairs.flatMap((p) => [p.a, p.b]));
  return pairs.map((pair, i) => {
    const a = unitVector(vectors[2 * i], undefined);
    const b = unitVector(vectors[2 * i + 1], undefined);
    const similarity = a.reduce((sum, x, d) => sum + x * (b[d] as number), 0);
    return { ...pair, similarity, veto: vetoReason(readText(pair.b), readText(pair.a), checks) };
  });
}

interface Row {
  threshold: number;
  guard: boolean;
  hitRate: number;
  falseHits: number;
  mustNot: number;
  falseHitRate: number;
  falseHitCi: [number, number];
  precision: number;
}

function sweep(scored: Scored[]): Row[] {
  const shouldHit = scored.filter((p) => p.label === 'hit');
  const mustNot = scored.filter((p) => p.label === 'miss');
  return THRESHOLDS.flatMap((threshold) =>
    [false, true].map((guard) => {
      const served = (p: Scored) => p.similarity >= threshold && (!guard || p.veto === undefined);
      const hits = shouldHit.filter(served).length;
      const falseHits = mustNot.filter(served).length;
      return {
        threshold,
        guard,
        hitRate: round((hits / shouldHit.length) * 100),
        falseHits,
        mustNot: mustNot.length,
        falseHitRate: round((falseHits / mustNot.length) * 100),
        falseHitCi: wilson(falseHits, mustNot.length),
        precision: hits + falseHits === 0 ? 100 : round((hits / (hits + falseHits)) * 100),
      };
    }),
  );
}

function byKind(scored: Scored[], threshold: number): Record<string, string> {
  const kinds: Record<string, string> = {};
  for (const kind of [...new Set(scored.map((p) => p.kind))]) {
    const of = scored.filter((p) => p.kind === kind);
    const served = of.filter((p) => p.similarity >= threshold && p.veto === undefined).length;
    kinds[`${of[0]!.label === 'hit' ? 'should hit' : 'must not hit'}: ${kind}`] = `${served}/${of.length}`;
  }
  return kinds;
}

/** Requests of 6 to 14 words drawn from the vocabulary of the labelled sets: varied, like real traffic. */
function syntheticRequests(count: number, vocabulary: string[]): string[] {
  const next = seededRandom(42);
  return Array.from({ length: count }, () => {
    const length = 6 + Math.floor(next() * 9);
    const words = Array.from({ length }, () => vocabulary[Math.floor(next() * vocabulary.length)]!);
    return `${words.join(' ')}?`;
  });
}

/**
 * One lookup as an exact-key miss runs it: embed, scan, guard, and the read of the candidate through the
 * cache. The partition is filled through the matcher directly (filling it through misses would time the
 * filling too); half the lookups are near-duplicates of stored requests, half new requests.
 */
async function lookupLatency(
  entries: number,
  samples: number,
  vocabulary: string[],
): Promise<{ p50: number; p99: number; hitShare: number }> {
  const cache = new InMemoryCache({ maxSize: entries * 2 });
  const settings = resolveSemantic({ embed: hashingEmbedder(), maxEntries: entries })!;
  const matcher = new SemanticMatcher(settings, {
    read: (key) => cache.get(key),
    readMany: (keys) => cache.getMany(keys),
    healthy: () => true,
    announce: () => undefined,
    recordRejected: () => undefined,
    shared: undefined,
    now: Date.now,
  });
  const texts = syntheticRequests(entries + samples, vocabulary);
  const requestOf = (text: string) => matcher.requestOf({ operation: 'qa', text }, `k:${text}`, false)!;
  const vectors = await settings.embed(texts.slice(0, entries));
  for (let n = 0; n < entries; n++) {
    const request = requestOf(texts[n]!);
    const vector = unitVector(vectors[n], undefined);
    await cache.set(
      request.key,
      wrapEntry(`answer ${n}`, 0, undefined, matcher.blockFor(request, vector, 3_600_000)),
      3600,
    );
    await matcher.record(request, vector, 3_600_000);
  }
  const times: number[] = [];
  let hits = 0;
  // The first lookups are the JIT's: a running service is past them.
  for (let i = 0; i < 200; i++) await matcher.match(requestOf(texts[i % entries]!.toUpperCase()));
  for (let i = 0; i < samples; i++) {
    const stored = texts[Math.floor((i * 7919) % entries)]!;
    const text = i % 2 === 0 ? stored.toLowerCase().replace('?', '') : texts[entries + i]!;
    const started = performance.now();
    const match = await matcher.match(requestOf(text));
    times.push(performance.now() - started);
    if (match.hit) hits++;
  }
  times.sort((a, b) => a - b);
  const at = (q: number) => round(times[Math.min(times.length - 1, Math.floor(q * times.length))]!, 3);
  return { p50: at(0.5), p99: at(0.99), hitShare: round((hits / samples) * 100) };
}

/** The scan alone with dense vectors of an embeddings API's size (1536), as a yardstick. */
function denseScan(entries: number, dimensions: number, samples: number): { p50: number; p99: number } {
  const index = new VectorIndex(dimensions, entries);
  const random = () =>
    unitVector(
      Float32Array.from({ length: dimensions }, () => Math.random() - 0.5),
      undefined,
    );
  for (let n = 0; n < entries; n++) index.add(`k${n}`, random(), Number.MAX_SAFE_INTEGER);
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const query = random();
    const started = performance.now();
    index.search(query, 0.75, 3, 0);
    times.push(performance.now() - started);
  }
  times.sort((a, b) => a - b);
  return {
    p50: round(times[Math.floor(times.length / 2)]!, 3),
    p99: round(times[Math.floor(times.length * 0.99)]!, 3),
  };
}

async function embedders(): Promise<{ name: string; embed: Embedder }[]> {
  const list = [{ name: 'hashingEmbedder() (512 dimensions)', embed: hashingEmbedder() }];
  const module = process.env.SEMANTIC_EMBEDDER;
  if (module) {
    const loaded = (await import(pathToFileURL(module).href)) as { default: Embedder };
    list.push({
      name: `${module}${loaded.default.id ? ` (${loaded.default.id})` : ''}`,
      embed: loaded.default,
    });
  }
  return list;
}

const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  recommendedThreshold: DEFAULT_SEMANTIC_THRESHOLD,
};
const lines: string[] = [];
for (const { name: embedderName, embed } of await embedders()) {
  for (const set of SETS) {
    const pairs = readPairs(set.file);
    const scored = await score(embed, pairs);
    const rows = sweep(scored);
    const best = (guard: boolean) =>
      rows.filter((r) => r.guard === guard && r.precision >= 99).sort((a, b) => b.hitRate - a.hitRate)[0];
    const title = `${embedderName}, ${set.name} (${pairs.filter((p) => p.label === 'hit').length} should-hit, ${pairs.filter((p) => p.label === 'miss').length} must-not-hit pairs)`;
    lines.push(
      `### ${title}`,
      '',
      '| threshold | guard | hit rate | false hits | false-hit rate (95% CI) | precision |',
      '|---|---|---|---|---|---|',
    );
    for (const r of rows)
      lines.push(
        `| ${r.threshold} | ${r.guard ? 'on' : 'off'} | ${r.hitRate}% | ${r.falseHits}/${r.mustNot} | ${r.falseHitRate}% (${r.falseHitCi[0]}–${r.falseHitCi[1]}%) | ${r.precision}% |`,
      );
    const describeBest = (guard: boolean) => {
      const row = best(guard);
      return row ? `${row.hitRate}% (threshold ${row.threshold})` : 'not reached at any threshold swept';
    };
    lines.push(
      '',
      `Best hit rate at ≥ 99% precision: guard on ${describeBest(true)}; guard off ${describeBest(false)}.`,
      '',
    );
    const kinds = byKind(scored, DEFAULT_SEMANTIC_THRESHOLD);
    lines.push(
      `Served at the recommended threshold (${DEFAULT_SEMANTIC_THRESHOLD}, guard on), by kind: ${Object.entries(
        kinds,
      )
        .map(([k, v]) => `${k} ${v}`)
        .join('; ')}.`,
      '',
    );
    results[`${embedderName} / ${set.name}`] = {
      rows,
      kinds,
      bestWithGuard: best(true) ?? null,
      bestWithoutGuard: best(false) ?? null,
    };
    console.log(`\n${title}`);
    console.table(rows.map((r) => ({ ...r, falseHitCi: `${r.falseHitCi[0]}–${r.falseHitCi[1]}%` })));
  }
}

const vocabulary = [
  ...new Set(SETS.flatMap((set) => readPairs(set.file).flatMap((p) => `${p.a} ${p.b}`.split(/\s+/)))),
];
const sizes = quick ? [1000, 10_000] : [1000, 10_000, 100_000];
const samples = quick ? 500 : 2000;
lines.push('### Lookup latency in process (one partition, hashingEmbedder, InMemoryCache)', '');
lines.push(
  'Whole `getOrComputeResult` of an exact-key miss: key, embedding, index scan, guard, the read of the candidate; half near-duplicates (semantic hits), half new requests.',
  '',
);
lines.push('| stored requests | p50 | p99 | semantic hits |', '|---|---|---|---|');
const latency: Record<string, unknown> = {};
for (const entries of sizes) {
  const figures = await lookupLatency(entries, samples, vocabulary);
  latency[entries] = figures;
  console.log(`lookup at ${entries}:`, figures);
  lines.push(
    `| ${entries.toLocaleString('en')} | ${figures.p50} ms | ${figures.p99} ms | ${figures.hitShare}% |`,
  );
}
const dense = denseScan(10_000, 1536, quick ? 100 : 300);
latency.dense1536At10k = dense;
console.log('dense 1536-dim scan at 10k:', dense);
lines.push(
  '',
  `The index scan alone with 1536-dimension dense vectors (an embeddings API's size) at 10,000 requests: p50 ${dense.p50} ms, p99 ${dense.p99} ms.`,
  '',
);
results.latency = latency;

writeFileSync('bench/results/semantic.json', `${JSON.stringify(results, null, 2)}\n`);
const docs = 'docs/semantic-cache.md';
const start = '<!-- bench:semantic:start -->';
const end = '<!-- bench:semantic:end -->';
const text = readFileSync(docs, 'utf8');
const section = `${start}\n\n_Written by \`npm run bench:semantic\` on ${results.date as string}${quick ? ' (--quick)' : ''}._\n\n${lines.join('\n')}\n${end}`;
writeFileSync(
  docs,
  text.includes(start)
    ? text.replace(new RegExp(`${start}[\\s\\S]*${end}`), section)
    : `${text}\n${section}\n`,
);
