import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { formatTable, judge, measure, type Scenario, type ScenarioResult } from './harness.js';
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

/** What one scenario's process sends back. */
export type Outcome = { kind: 'scenario'; result: ScenarioResult } | { kind: 'timing'; result: TimingResult };

/**
 * Runs one scenario in a fresh Node process (the same loader: tsx's flags are in `execArgv`) and answers
 * its result. Each scenario starts from an empty heap: in one long process, a scenario's figures depended
 * on the garbage and the code the scenarios before it left behind (the Redis get at 50 in flight measured
 * 0.83× alone and 0.58× in the full run, the same code). tiercache and its anchors still share the process
 * of their scenario, interleaved run by run. tiercache runs from dist/ there (scenarioExecArgv).
 */
export function runIsolated(name: string, redisUrl: string | undefined, quick: boolean): Promise<Outcome> {
  const args = [
    '--scenario',
    name,
    ...(redisUrl ? ['--redis-url', redisUrl] : []),
    ...(quick ? ['--quick'] : []),
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

/** The child's side: measures `scenario` here and prints its table. */
export async function runHere(
  scenario: { table: Scenario } | { timing: TimingScenario },
  redisUrl: string | undefined,
  quick: boolean,
): Promise<Outcome> {
  if ('timing' in scenario) {
    const result = await runTiming(scenario.timing, redisUrl, quick);
    console.log(formatTiming(result));
    return { kind: 'timing', result };
  }
  const table = scenario.table;
  const { cases, teardown, notes } = await table.setup({ redisUrl, quick });
  try {
    const caseResults = await measure(cases, quick);
    const result: ScenarioResult = {
      name: table.name,
      description: table.description,
      ...(table.limit !== undefined && { limit: table.limit }),
      cases: caseResults,
      goals: judge(table.goals, caseResults),
      ...(notes && { notes: await notes() }),
    };
    console.log(formatTable(result));
    return { kind: 'scenario', result };
  } finally {
    await teardown();
  }
}
