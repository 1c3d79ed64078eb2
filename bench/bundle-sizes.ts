/**
 * Bundles every handler with the esbuild settings the CDK functions use (the AWS SDK included,
 * as deployed) and prints the sizes, and what each bundle holds by package.
 *
 *   npx tsx bench/bundle-sizes.ts                 # every handler's size
 *   npx tsx bench/bundle-sizes.ts --packages get  # the get bundle by package, largest first
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { ESBUILD_SETTINGS } from '../lib/constructs/dav-function';

const { values: args } = parseArgs({ options: { packages: { type: 'string' }, top: { type: 'string', default: '25' } } });
const root = fileURLToPath(new URL('..', import.meta.url));
const handlersDir = join(root, 'lambda', 'handlers');
const handlers = readdirSync(handlersDir)
  .filter((f) => f.endsWith('.ts') && !f.endsWith('routing.ts'))
  .sort();

async function bundle(entry: string): Promise<{ bytes: number; meta: Metafile['outputs'][string] }> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: ESBUILD_SETTINGS.target,
    format: ESBUILD_SETTINGS.format,
    minify: ESBUILD_SETTINGS.minify,
    mainFields: [...ESBUILD_SETTINGS.mainFields],
    banner: { js: ESBUILD_SETTINGS.banner },
    external: [...ESBUILD_SETTINGS.external],
    write: false,
    metafile: true,
    outfile: 'index.mjs',
    logLevel: 'error',
  });
  const [, meta] = Object.entries(result.metafile.outputs).find(([name]) => name.endsWith('index.mjs'))!;
  return { bytes: meta.bytes, meta };
}

/** node_modules packages by name, our own code by its lambda/ folder. */
const ownerOf = (input: string) => /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split('/').slice(0, 2).join('/');

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
if (args.packages) {
  const { bytes, meta } = await bundle(join(handlersDir, `${args.packages}.ts`));
  const by = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) by.set(ownerOf(input), (by.get(ownerOf(input)) ?? 0) + bytesInOutput);
  console.log(`${args.packages}: ${kb(bytes)}\n\n| package | in the bundle |\n| --- | ---: |`);
  for (const [name, n] of [...by].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) console.log(`| ${name} | ${kb(n)} |`);
} else {
  console.log('| handler | bundle |\n| --- | ---: |');
  for (const file of handlers) console.log(`| ${file.replace(/\.ts$/, '')} | ${kb((await bundle(join(handlersDir, file))).bytes)} |`);
}
