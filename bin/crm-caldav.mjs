#!/usr/bin/env node
// The `crm-caldav` command (package.json "bin"): runs the TypeScript CLI through tsx, so
// `npx crm-caldav …` works right after `npm ci`, without a build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
