#!/usr/bin/env node
import { run } from './run.js';

process.exitCode = await run(
  process.argv.slice(2),
  process.env,
  (s) => console.log(s),
  (s) => console.error(s),
  {
    isTTY: process.stdout.isTTY === true,
    // Only a long-running command (top) asks: elsewhere Ctrl-C keeps its default (end the process).
    interrupted: () => {
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      return controller.signal;
    },
  },
);
