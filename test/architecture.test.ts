/**
 * The layering README.md's "How it is built" promises: each folder of lambda/ imports only from
 * folders below it (later in LAYERS). The console's browser page may take the admin API's
 * response types (type-only imports, erased from its bundle).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const LAMBDA = fileURLToPath(new URL('../lambda', import.meta.url));
const LAYERS = ['handlers', 'app', 'http', 'admin-api', 'crm-api', 'api', 'console', 'jobs', 'sync', 'crm', 'onboarding', 'accounts', 'imip', 'core', 'store', 'platform'];

function* sources(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* sources(path);
    else if (/\.tsx?$/.test(entry.name)) yield path;
  }
}

const folderOf = (path: string) => relative(LAMBDA, path).split(/[\\/]/)[0]!;

describe('lambda/ layering', () => {
  it('knows every folder', () => {
    const folders = readdirSync(LAMBDA, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name);
    expect(folders.filter((f) => !LAYERS.includes(f))).toEqual([]);
  });

  it('has every import point down', () => {
    const upward: string[] = [];
    for (const file of sources(LAMBDA)) {
      const from = folderOf(file);
      for (const m of readFileSync(file, 'utf8').matchAll(/^import\s+(type\s+)?[^'"]*['"](\.{1,2}\/[^'"]+)['"]/gm)) {
        const to = folderOf(resolve(dirname(file), m[2]!));
        if (to === from) continue;
        const allowed = LAYERS.indexOf(to) > LAYERS.indexOf(from) || (from === 'console' && to === 'admin-api' && m[1] !== undefined);
        if (!allowed) upward.push(`${relative(LAMBDA, file)} -> ${to}`);
      }
    }
    expect(upward).toEqual([]);
  });
});
