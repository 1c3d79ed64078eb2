/**
 * Bundles every handler with the esbuild settings the CDK functions use and prints the sizes,
 * with the AWS SDK external (as deployed: the Lambda runtime provides it) and bundled (for
 * comparison). Usage: npx tsx bench/bundle-sizes.ts
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESBUILD_SETTINGS } from '../lib/constructs/dav-function';

const root = fileURLToPath(new URL('..', import.meta.url));
const handlersDir = join(root, 'lambda', 'handlers');
const handlers = readdirSync(handlersDir)
  .filter((f) => f.endsWith('.ts') && f !== 'routing.ts')
  .sort();

async function size(entry: string, external: string[]): Promise<number> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: ESBUILD_SETTINGS.target,
    format: ESBUILD_SETTINGS.format,
    minify: ESBUILD_SETTINGS.minify,
    mainFields: [...ESBUILD_SETTINGS.mainFields],
    banner: { js: ESBUILD_SETTINGS.banner },
    external,
    write: false,
    outfile: 'index.mjs',
    logLevel: 'error',
  });
  return result.outputFiles.find((f) => f.path.endsWith('index.mjs'))?.contents.byteLength ?? 0;
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`.padStart(10);
console.log(`${'handler'.padEnd(16)}${'deployed'.padStart(10)}${'SDK bundled'.padStart(13)}`);
for (const file of handlers) {
  const entry = join(handlersDir, file);
  const [deployed, withSdk] = await Promise.all([size(entry, [...ESBUILD_SETTINGS.external]), size(entry, [])]);
  console.log(`${file.replace(/\.ts$/, '').padEnd(16)}${kb(deployed)}${kb(withSdk).padStart(13)}`);
}
