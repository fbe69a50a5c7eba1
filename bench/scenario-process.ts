import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  caseOrder,
  formatTable,
  judge,
  measure,
  runsOf,
  summarize,
  type CaseResult,
  type Scenario,
  type ScenarioResult,
} from './harness.js';
import { formatTiming, runTiming, type TimingResult, type TimingScenario } from './timing.js';

/**
 * Node's flags for a scenario's process (and the peers it forks): tsx's, and tiercache's modules from
 * dist/, as users run them (see dist-hooks.ts).
 */
export const scenarioExecArgv = [
  ...process.execArgv,
  '--expose-gc', // the harness collects garbage before each case (see measure)
  '--import',
  fileURLToPath(new URL('./use-dist.ts', import.meta.url)),
];

/** What one scenario's process sends back (`case`: one run of one case, for a scenario with casesApart). */
export type Outcome =
  | { kind: 'scenario'; result: ScenarioResult }
  | { kind: 'timing'; result: TimingResult }
  | { kind: 'case'; result: CaseResult; notes?: string[] | undefined };

/**
 * Runs one scenario in a fresh Node process (the same loader: tsx's flags are in `execArgv`) and answers
 * its result. Each scenario starts from an empty heap: in one long process, a scenario's figures depended
 * on the garbage and the code the scenarios before it left behind (the Redis get at 50 in flight measured
 * 0.83× alone and 0.58× in the full run, the same code). tiercache and its anchors share the process of
 * their scenario, interleaved run by run, unless the scenario sets casesApart. tiercache runs from dist/
 * there (scenarioExecArgv).
 */
export function runIsolated(
  name: string,
  redisUrl: string | undefined,
  quick: boolean,
  caseLabel?: string,
): Promise<Outcome> {
  const args = [
    '--scenario',
    name,
    ...(redisUrl ? ['--redis-url', redisUrl] : []),
    ...(quick ? ['--quick'] : []),
    ...(caseLabel === undefined ? [] : ['--case', caseLabel]),
  ];
  const child = fork(fileURLToPath(new URL('./scenario-main.ts', import.meta.url)), args, {
    execArgv: scenarioExecArgv,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let outcome: Outcome | undefined;
    child.on('message', (message) => {
      outcome = message as Outcome;
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (outcome) resolve(outcome);
      else
        reject(new Error(`scenario '${name}' ended without a result (exit code ${code}, signal ${signal})`));
    });
  });
}

/**
 * The child's side: measures `scenario` here and prints its table; with `caseLabel`, one run of that case
 * alone (a scenario with casesApart runs each run of each case so, from the process that called runHere).
 */
export async function runHere(
  scenario: { table: Scenario } | { timing: TimingScenario },
  redisUrl: string | undefined,
  quick: boolean,
  caseLabel?: string,
): Promise<Outcome> {
  if ('timing' in scenario) {
    const result = await runTiming(scenario.timing, redisUrl, quick);
    console.log(formatTiming(result));
    return { kind: 'timing', result };
  }
  const table = scenario.table;
  if (table.casesApart && caseLabel === undefined) return runCasesApart(table, redisUrl, quick);
  const { cases, teardown, notes } = await table.setup({ redisUrl, quick });
  try {
    if (caseLabel !== undefined) {
      const only = cases.filter((c) => c.label === caseLabel);
      if (only.length !== 1) throw new Error(`scenario '${table.name}' has no case '${caseLabel}'`);
      // A process of its own starts cold: it warms up as long as tiercache's code took to reach its steady
      // state (a shorter warm-up gave tiercache 0.84-0.85x raw ioredis 6, the same figures run for 7 runs in
      // one process each 1.05-1.17x).
      const [result] = await measure(only, quick, 1, quick ? 1000 : 3000);
      return { kind: 'case', result: result as CaseResult, notes: notes && (await notes()) };
    }
    return report(table, await measure(cases, quick), notes && (await notes()));
  } finally {
    await teardown();
  }
}

/** The scenario's result from its cases' results, printed as its table. */
function report(table: Scenario, caseResults: CaseResult[], notes: string[] | undefined): Outcome {
  const result: ScenarioResult = {
    name: table.name,
    description: table.description,
    ...(table.limit !== undefined && { limit: table.limit }),
    cases: caseResults,
    goals: judge(table.goals, caseResults),
    ...(notes && { notes }),
  };
  console.log(formatTable(result));
  return { kind: 'scenario', result };
}

/** Each run of each case in a process of its own, in the balanced order run by run (see caseOrder). */
async function runCasesApart(
  table: Scenario,
  redisUrl: string | undefined,
  quick: boolean,
): Promise<Outcome> {
  const setup = await table.setup({ redisUrl, quick }); // for the cases' labels only
  const labels = setup.cases.map((c) => c.label);
  await setup.teardown();
  const runs = new Map(labels.map((label) => [label, [] as number[]]));
  const samples = new Map(labels.map((label) => [label, 0]));
  let notes: string[] | undefined;
  for (let run = 0; run < runsOf(quick); run++) {
    for (const label of caseOrder(labels, run)) {
      const outcome = await runIsolated(table.name, redisUrl, quick, label);
      if (outcome.kind !== 'case') throw new Error(`case '${label}' of '${table.name}' answered no figure`);
      runs.get(label)?.push(...outcome.result.runs);
      samples.set(label, (samples.get(label) ?? 0) + outcome.result.samples);
      notes = outcome.notes ?? notes;
    }
  }
  const caseResults = labels.map((label) => summarize(label, runs.get(label) ?? [], samples.get(label) ?? 0));
  return report(table, caseResults, notes);
}
