/**
 * Builds the admin console (lambda/console/web) with esbuild: one minified ES module with Preact
 * and the QR encoder inside, its CSS, and the page. In memory for the local server (a fraction of
 * a second at start); written to a directory for the CRM API function's bundle (bin/build-console.ts,
 * run by the CDK bundling hook).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { consoleAssets, type ConsoleAssets } from '../../lambda/console/assets';

export const CONSOLE_SOURCES = fileURLToPath(new URL('../../lambda/console/web/', import.meta.url));

/** The three files by name: index.html, app.js, app.css. */
export async function buildConsoleFiles(): Promise<Record<string, string>> {
  const result = await build({
    entryPoints: { app: `${CONSOLE_SOURCES}main.tsx` },
    bundle: true,
    write: false,
    outdir: '/console',
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    jsx: 'automatic',
    jsxImportSource: 'preact',
    legalComments: 'none',
    logLevel: 'silent',
  });
  const files: Record<string, string> = { 'index.html': readFileSync(`${CONSOLE_SOURCES}index.html`, 'utf8') };
  for (const out of result.outputFiles) files[out.path.slice('/console/'.length)] = out.text;
  return files;
}

export async function buildConsole(): Promise<ConsoleAssets> {
  return consoleAssets(await buildConsoleFiles());
}
