/**
 * The admin console's files as the CRM API serves them under /crm/admin/: a single-page app
 * (web/, bundled by bin/lib/console-build.ts) that talks to /crm/v1 with a session cookie. The
 * local server builds them in memory at start; on AWS the CRM API function's bundle carries them
 * in `console/` beside its code (lib/caldav-stack.ts).
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ConsoleAsset {
  body: string;
  contentType: string;
  /** Strong, quoted. */
  etag: string;
}

export type ConsoleAssets = ReadonlyMap<string, ConsoleAsset>;

export const CONSOLE_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
};

export const CONSOLE_PATH = '/crm/admin';

export function consoleAssets(files: Record<string, string>): ConsoleAssets {
  return new Map(
    Object.entries(CONSOLE_FILES).flatMap(([name, contentType]) =>
      files[name] === undefined ? [] : [[name, { body: files[name]!, contentType, etag: `"${createHash('sha256').update(files[name]!).digest('base64url').slice(0, 22)}"` }]],
    ),
  );
}

/** The built files in `dir` (the Lambda bundle's `console/`), or undefined when they are not there. */
export function readConsoleAssets(dir: string): ConsoleAssets | undefined {
  if (!existsSync(join(dir, 'index.html'))) return undefined;
  return consoleAssets(Object.fromEntries(Object.keys(CONSOLE_FILES).filter((n) => existsSync(join(dir, n))).map((n) => [n, readFileSync(join(dir, n), 'utf8')])));
}

/**
 * What the page may do: its own scripts and styles, calls to its own origin, QR codes as data:
 * images; no frames around it, no plugins, no forms elsewhere.
 */
export const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
