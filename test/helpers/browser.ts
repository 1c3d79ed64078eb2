/**
 * Headless Debian Chromium driven by Playwright (playwright-core: no browser download). A missing
 * Chromium is installed by scripts/ensure-chromium.sh (as .ci/run does before the tests).
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** The flags a closed network and a root user need: no sandbox, no background connections. */
const FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'];

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    // Awaited, not synchronous: an apt-get install takes minutes, and a blocked test worker
    // stops answering the test runner.
    const { stdout, stderr } = await promisify(execFile)(fileURLToPath(new URL('../../scripts/ensure-chromium.sh', import.meta.url)), { env: { ...process.env, CHROMIUM_PATH: CHROMIUM }, maxBuffer: 64 * 1024 * 1024 });
    process.stderr.write(stdout + stderr);
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
}

/**
 * Full-page screenshots into CONSOLE_SCREENSHOTS (`npm run docs:screenshots` writes the docs'
 * images there), else into a fresh temporary folder: `shot(page, name)` writes `<name>.png`.
 */
export function screenshots(): (page: Page, name: string) => Promise<Buffer> {
  const dir = process.env.CONSOLE_SCREENSHOTS ? resolve(process.env.CONSOLE_SCREENSHOTS) : mkdtempSync(join(tmpdir(), 'console-shots-'));
  mkdirSync(dir, { recursive: true });
  return (page, name) => page.screenshot({ path: join(dir, `${name}.png`), fullPage: true });
}
