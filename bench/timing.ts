/** A workload measured as elapsed time (median of runs) rather than throughput. */
export interface TimingScenario {
  name: string;
  description: string;
  needsRedis: boolean;
  /** Runs the workload `runs` times; returns each run's milliseconds per labelled step. */
  measure(context: {
    redisUrl: string | undefined;
    runs: number;
  }): Promise<{ label: string; ms: number[] }[]>;
  /** Steps that must finish under `maxMs` (median). */
  goals: { label: string; maxMs: number }[];
}

export interface TimingResult {
  name: string;
  description: string;
  steps: { label: string; medianMs: number; runs: number[] }[];
  goals: { label: string; maxMs: number; medianMs: number; met: boolean }[];
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;

export async function runTiming(
  scenario: TimingScenario,
  redisUrl: string | undefined,
  quick: boolean,
): Promise<TimingResult> {
  const measured = await scenario.measure({ redisUrl, runs: quick ? 3 : 5 });
  const steps = measured.map((m) => ({ label: m.label, medianMs: median(m.ms), runs: m.ms }));
  const goals = scenario.goals.map((g) => {
    const medianMs = steps.find((s) => s.label === g.label)?.medianMs ?? Number.POSITIVE_INFINITY;
    return { ...g, medianMs, met: medianMs < g.maxMs };
  });
  return { name: scenario.name, description: scenario.description, steps, goals };
}

export function formatTiming(result: TimingResult): string {
  return [
    `\n## ${result.name} — ${result.description}`,
    ...result.steps.map(
      (s) =>
        `${s.label.padEnd(44)} median ${s.medianMs.toFixed(2)} ms  (runs: ${s.runs.map((r) => r.toFixed(r < 10 ? 2 : 0)).join(', ')})`,
    ),
    ...result.goals.map(
      (g) => `  goal: ${g.label} < ${g.maxMs} ms: ${g.medianMs.toFixed(1)} ms ${g.met ? 'met' : 'NOT MET'}`,
    ),
  ].join('\n');
}
