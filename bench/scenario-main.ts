// One scenario of `npm run bench`, in its own process (see scenario-process.ts); not run by hand.
import { parseArgs } from 'node:util';
import { runHere } from './scenario-process.js';
import { tableScenarios, timingScenarios } from './scenarios/index.js';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string' },
    'redis-url': { type: 'string' },
    quick: { type: 'boolean', default: false },
    case: { type: 'string' },
  },
});
const table = tableScenarios.find((s) => s.name === values.scenario);
const timing = timingScenarios.find((s) => s.name === values.scenario);
if (!table && !timing) throw new Error(`no scenario named ${values.scenario}`);
const outcome = await runHere(
  table ? { table } : { timing: timing! },
  values['redis-url'],
  values.quick,
  values.case,
);
process.send?.(outcome);
process.disconnect?.();
