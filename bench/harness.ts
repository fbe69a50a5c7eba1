import { Bench } from 'tinybench';

/** One thing measured: `run` performs `opsPerCall` operations per call. */
export interface BenchCase {
  label: string;
  run: () => Promise<unknown>;
  opsPerCall: number;
}

export interface Goal {
  /** Case whose figure is judged. */
  subject: string;
  /** Case it is compared with. */
  against: string;
  /** subject ops/s ÷ against ops/s must be at least this. */
  minRatio: number;
}

export interface Scenario {
  name: string;
  description: string;
  needsRedis: boolean;
  /** Builds the cases on shared data; `teardown` releases what setup created. */
  setup(context: BenchContext): Promise<{
    cases: BenchCase[];
    teardown: () => Promise<void>;
    /** Lines printed under the table, read after the runs (e.g. the bytes Redis holds per value). */
    notes?: () => Promise<string[]>;
  }>;
  goals: Goal[];
  /** The case that is the physical limit of this workload (a plain Map, raw ioredis): the "÷ limit" column. */
  limit?: string;
  /**
   * Each run of each case in a fresh process of its own (still in the balanced order, run by run), for
   * cases that drive the same library: there, each case's calls made that library's code slower for the
   * others (see docs/performance.md, Method).
   */
  casesApart?: boolean;
}

export interface BenchContext {
  redisUrl: string | undefined;
  quick: boolean;
}

export interface CaseResult {
  label: string;
  opsPerSec: number;
  nsPerOp: number;
  samples: number;
  /** ops/s of each run; the reported figure is their median. */
  runs: number[];
}

export interface ScenarioResult {
  name: string;
  description: string;
  limit?: string;
  cases: CaseResult[];
  goals: (Goal & { ratio: number; met: boolean })[];
  notes?: string[];
}

/** \`gc\` when Node runs with --expose-gc (the bench's scenario processes do). */
const collectGarbage = (globalThis as { gc?: () => void }).gc;

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/**
 * The order of the cases in run `run`: a Williams design (a balanced Latin square), in which each case runs
 * in each position and right after each other case equally often (over n runs for n even, 2n for n odd).
 * A fixed or merely rotated order ran raw ioredis 5 right after raw ioredis 6 in nearly every run.
 */
export function caseOrder<T>(cases: readonly T[], run: number): T[] {
  const n = cases.length;
  // First row 0, 1, n-1, 2, n-2, ...; row r adds r to each (mod n); for odd n, rows n..2n-1 are reversed.
  const first = Array.from({ length: n }, (_, i) => (i === 0 ? 0 : i % 2 === 1 ? (i + 1) / 2 : n - i / 2));
  const row = first.map((index) => cases[(index + run) % n] as T);
  return n % 2 === 1 && Math.floor(run / n) % 2 === 1 ? row.reverse() : row;
}

/** Runs of each case: more, shorter runs give a steadier median than fewer long ones for the same time. */
export const runsOf = (quick: boolean): number => (quick ? 4 : 7);

/**
 * Measures every case in the same process, interleaved run by run in an order as balanced as the runs allow
 * (see caseOrder), so that drift in CPU placement or GC hits all cases alike; a run's figure is its
 * throughput, the case's the median of its runs. `firstWarmupMs`: the warm-up before the first run.
 */
export async function measure(
  cases: BenchCase[],
  quick: boolean,
  runs = runsOf(quick),
  firstWarmupMs?: number,
): Promise<CaseResult[]> {
  const time = quick ? 200 : 600;
  const firstWarmup = firstWarmupMs ?? time / 2;
  const perCase = new Map<string, number[]>(cases.map((c) => [c.label, []]));
  const samples = new Map<string, number>(cases.map((c) => [c.label, 0]));
  for (let run = 0; run < runs; run++) {
    for (const c of caseOrder(cases, run)) {
      // Each case starts from a collected heap (the scenario's process runs with --expose-gc): a case pays
      // for its own garbage, not for what the case before it left (a full run had tiercache's set at
      // 1,050 ns after the peers' runs, 410 ns on its own).
      collectGarbage?.();
      const bench = new Bench({ time, warmupTime: run === 0 ? firstWarmup : 50, warmupIterations: 5 });
      bench.add(c.label, c.run);
      await bench.run();
      const task = bench.tasks[0];
      const result = task?.result;
      if (!result || !('latency' in result)) throw new Error(`benchmark case '${c.label}' failed`);
      // Throughput: the run's time over its calls (the mean), so the GC a case causes is counted. The median
      // call (p50) left out the slow calls that pay for it: raw ioredis at 50 in flight read 6.4 µs an
      // operation by p50 and 10.0 µs by throughput, on the same run.
      const msPerCall = result.latency.mean;
      perCase.get(c.label)?.push((c.opsPerCall * 1000) / msPerCall);
      samples.set(c.label, (samples.get(c.label) ?? 0) + result.latency.samplesCount);
    }
  }
  return cases.map((c) => summarize(c.label, perCase.get(c.label) ?? [], samples.get(c.label) ?? 0));
}

/** A case's result from its runs' throughputs: the median of them. */
export function summarize(label: string, runs: number[], samples: number): CaseResult {
  const opsPerSec = median(runs);
  return { label, opsPerSec, nsPerOp: 1e9 / opsPerSec, samples, runs };
}

export function judge(goals: Goal[], results: CaseResult[]): ScenarioResult['goals'] {
  const byLabel = new Map(results.map((r) => [r.label, r.opsPerSec]));
  return goals.map((goal) => {
    const ratio = (byLabel.get(goal.subject) ?? 0) / (byLabel.get(goal.against) ?? Number.POSITIVE_INFINITY);
    return { ...goal, ratio, met: ratio >= goal.minRatio };
  });
}

/** Table rows: ops/s, ns/op, tiercache (the first case) ÷ case, and case ÷ the scenario's limit. */
export function tableRows(result: ScenarioResult): { header: string[]; rows: string[][] } {
  const [first] = result.cases;
  const limit = result.cases.find((c) => c.label === result.limit);
  const rows = result.cases.map((c) => [
    c.label,
    Math.round(c.opsPerSec).toLocaleString('en-US'),
    Math.round(c.nsPerOp).toLocaleString('en-US'),
    first ? (first.opsPerSec / c.opsPerSec).toFixed(2) : '-',
    limit ? (c.opsPerSec / limit.opsPerSec).toFixed(2) : '-',
  ]);
  return { header: ['case', 'ops/s', 'ns/op', 'tiercache ÷ case', 'case ÷ limit'], rows };
}

/** A printable table of a scenario with its goals. */
export function formatTable(result: ScenarioResult): string {
  const { header, rows } = tableRows(result);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
  const goals = result.goals.map(
    (g) =>
      `  goal: ${g.subject} ≥ ${g.minRatio}× ${g.against}: ${g.ratio.toFixed(2)}× ${g.met ? 'met' : 'NOT MET'}`,
  );
  const notes = (result.notes ?? []).map((note) => `  ${note}`);
  return [
    `\n## ${result.name} — ${result.description}`,
    line(header),
    ...rows.map(line),
    ...notes,
    ...goals,
  ].join('\n');
}
