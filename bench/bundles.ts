/**
 * The handlers as deployed: bundled with the CDK functions' esbuild settings
 * (lib/constructs/dav-function.ts), and the environment a Lambda container gives them, minus
 * anything that reaches AWS. bench:cold-start and bench:warm load these in fresh processes.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { ESBUILD_SETTINGS } from '../lib/constructs/dav-function';

const root = fileURLToPath(new URL('..', import.meta.url));
export const handlersDir = join(root, 'lambda', 'handlers');

export const LAMBDA_ENV = {
  PATH: process.env.PATH ?? '',
  AWS_REGION: 'eu-west-1',
  AWS_LAMBDA_FUNCTION_NAME: 'bench',
  AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
  AWS_ACCESS_KEY_ID: 'bench',
  AWS_SECRET_ACCESS_KEY: 'bench',
  AWS_LAMBDA_LOG_FORMAT: 'JSON',
  AWS_LAMBDA_LOG_LEVEL: 'INFO',
  // As deployed (lib/constructs/dav-function.ts): no --enable-source-maps. BENCH_NODE_OPTIONS to try others.
  NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS ?? '',
};

/**
 * A fresh directory for bundles, inside the project: a bundle that keeps a package external
 * finds it in node_modules, as a Lambda function finds the runtime's.
 */
export function bundleDir(prefix: string): string {
  mkdirSync(join(root, 'node_modules', '.cache'), { recursive: true });
  return mkdtempSync(join(root, 'node_modules', '.cache', `${prefix}-`));
}

/**
 * One handler (lambda/handlers/<name>.ts) bundled as the CDK bundles it; the bundle's path.
 * `from`: another checkout's root (an A/B against an older revision), bundled with these settings.
 */
export async function bundle(name: string, outDir: string, minify: boolean = ESBUILD_SETTINGS.minify, from: string = root): Promise<string> {
  const outfile = join(outDir, name, 'index.mjs');
  await build({
    entryPoints: [join(from, 'lambda', 'handlers', `${name}.ts`)],
    bundle: true,
    platform: 'node',
    target: ESBUILD_SETTINGS.target,
    format: ESBUILD_SETTINGS.format,
    minify,
    sourcemap: ESBUILD_SETTINGS.sourcemap,
    sourcesContent: ESBUILD_SETTINGS.sourcesContent,
    mainFields: [...ESBUILD_SETTINGS.mainFields],
    banner: { js: ESBUILD_SETTINGS.banner },
    external: [...ESBUILD_SETTINGS.external],
    outfile,
    logLevel: 'error',
  });
  return outfile;
}
