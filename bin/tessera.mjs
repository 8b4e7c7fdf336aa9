#!/usr/bin/env node
// The `tessera` command runs the same Node services as the app, straight from TypeScript via tsx.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../electron/cli/main.ts');
process.exitCode = await runCli(process.argv.slice(2));
