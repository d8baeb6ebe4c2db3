#!/usr/bin/env node
// The `candor` command: loads TypeScript through tsx, then hands over to core/cli/main.ts.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import(new URL('../core/cli/main.ts', import.meta.url).href);
process.exitCode = await runCli(process.argv.slice(2));
