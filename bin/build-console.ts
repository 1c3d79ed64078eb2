/**
 * `node --import tsx bin/build-console.ts DIR`: writes the admin console's files into DIR. The
 * CDK bundling of the CRM API function runs it, so the function serves them (lambda/console/assets.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildConsoleFiles } from './lib/console-build';

const dir = process.argv[2];
if (!dir) {
  console.error('usage: build-console.ts DIR');
  process.exit(2);
}
mkdirSync(dir, { recursive: true });
for (const [name, text] of Object.entries(await buildConsoleFiles())) writeFileSync(join(dir, name), text);
