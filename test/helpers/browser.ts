/**
 * Headless Debian Chromium driven by Playwright (playwright-core: no browser download). A missing
 * Chromium is installed by scripts/ensure-chromium.sh (as .ci/run does before the tests).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser } from 'playwright-core';

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
