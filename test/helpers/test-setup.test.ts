/**
 * The test run switches off the AWS SDK's notice that its 2027 releases need Node.js 22 (one
 * copy per worker and child process otherwise), and only that notice: its own variable, set by
 * the global setup and inherited by workers and the processes tests spawn.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
/** A child process that makes an SDK client (the notice's moment) and emits a warning of its own. */
const SCRIPT = "import { DynamoDBClient } from '@aws-sdk/client-dynamodb'; new DynamoDBClient({ region: 'us-east-1' }); process.emitWarning('still shown', 'OtherWarning');";

const stderrOf = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['--input-type=module', '-e', SCRIPT], { cwd: ROOT, env, encoding: 'utf8' }).stderr;

describe('the test run', () => {
  it("silences the SDK's Node-version notice in workers and child processes, and no other warning", () => {
    expect(process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED).toBe('true');
    const quiet = stderrOf(process.env);
    expect(quiet).not.toContain('NodeVersionSupportWarning');
    expect(quiet).toContain('OtherWarning: still shown');
  });

  it.runIf(Number(process.versions.node.split('.')[0]) < 22)('would print it otherwise (this Node.js is older than the SDK wants)', () => {
    const env = { ...process.env };
    delete env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED;
    expect(stderrOf(env)).toContain('NodeVersionSupportWarning');
  });
});
