#!/usr/bin/env node
// The `crm-caldav` command (package.json "bin"): runs the TypeScript CLI through tsx, so
// `npx crm-caldav …` works right after `npm ci`, without a build step.
import { register } from 'tsx/esm/api';

// The SDK warns on every run under Node 20 that its 2027 releases will need Node 22; the
// pinned SDK version works, and the warning would sit between the CLI's own lines.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('./cli.ts');
process.exitCode = await main(process.argv.slice(2));
