/**
 * `npm run bench:compare`: the same bench against sabre/dav and crm-caldav in one run, on the
 * same machine, at two calendar sizes, and a table of req/s per server with the ratio per row
 * (what bench/README.md shows). Ratios, not absolute numbers: these machines are noisy.
 *
 *   npm run bench:compare -- [--sizes 200,2000] [--seconds 3] [--crm none|builtin]
 *
 * sabre/dav 1.8 (PHP + SQLite) is started with `<SABRE_PEER_DIR>/start.sh PORT DATADIR`
 * (default ../shared/peers/sabre beside the project; needs Debian's php-cli, php-sabre-dav,
 * php-sqlite3), fresh for each size, and stopped after.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { runBench, type BenchOptions, type BenchRun } from './bench';
import { comparisonTable, costTable, cpuComparisonTable } from './report';
import { treeCpuMs } from './cpu';
import { httpTarget, localTarget, type BenchTarget } from './target';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '200,2000' },
    seconds: { type: 'string', default: '3' },
    'seed-writers': { type: 'string', default: '4' },
    concurrency: { type: 'string', default: '4' },
    crm: { type: 'string', default: 'builtin' },
  },
});
if (args.crm !== 'none' && args.crm !== 'builtin') throw new Error(`--crm must be none or builtin, got ${args.crm}`);
const projectRoot = fileURLToPath(new URL('..', import.meta.url));
const peerDir = resolve(process.env.SABRE_PEER_DIR ?? join(projectRoot, '..', 'shared', 'peers', 'sabre'));

const freePort = () =>
  new Promise<number>((done, fail) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => done(port));
    });
    server.on('error', fail);
  });

async function sabreTarget(): Promise<BenchTarget> {
  if (!existsSync(join(peerDir, 'start.sh'))) throw new Error(`no sabre/dav peer at ${peerDir} (set SABRE_PEER_DIR)`);
  const dataDir = mkdtempSync(join(tmpdir(), 'bench-sabre-'));
  const port = await freePort();
  await run('bash', [join(peerDir, 'start.sh'), String(port), dataDir]).catch((err: { stderr?: string }) => {
    throw new Error(`sabre/dav did not start (apt-get install php-cli php-sabre-dav php-sqlite3?): ${err.stderr ?? String(err)}`);
  });
  const target = await httpTarget(`http://127.0.0.1:${port}/`, 'patriciab@zillum.com', 'secret');
  // The PHP built-in server and the workers it forked: SQLite runs inside them.
  const pid = Number(readFileSync(join(dataDir, 'sabre.pid'), 'utf8'));
  return {
    ...target,
    cpu: { server: () => treeCpuMs(pid) },
    label: 'sabre/dav 1.8 (PHP built-in server, 4 workers, SQLite)',
    stop: async () => {
      await run('bash', [join(peerDir, 'stop.sh'), dataDir]).catch(() => undefined);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

async function measured(start: () => Promise<BenchTarget>, opts: BenchOptions): Promise<BenchRun> {
  const target = await start();
  try {
    opts.log(`${target.label}: ${opts.events} events…`);
    return await runBench(target, opts);
  } finally {
    await target.stop();
  }
}

async function main() {
  const sizes = args.sizes.split(',').map(Number);
  const base = {
    seedWriters: Number(args['seed-writers']),
    concurrency: Number(args.concurrency),
    budgetMs: Number(args.seconds) * 1000,
    warmup: 5,
    log: (line: string) => console.error(line),
  };
  const runs: Array<{ events: number; peer: BenchRun; ours: BenchRun }> = [];
  for (const events of sizes) {
    const opts = { ...base, events };
    const peer = await measured(sabreTarget, opts);
    const ours = await measured(() => localTarget(process.env, { crm: args.crm as 'none' | 'builtin' }), opts);
    runs.push({ events, peer, ours });
  }
  console.log(`peer: ${runs[0]?.peer.target}\nours: ${runs[0]?.ours.target}\n`);
  console.log(comparisonTable(runs));
  console.log(`\nCPU per request (ms): sabre/dav's PHP processes (SQLite inside), ours inside the Lambda handler (median) and our whole Node process (bench client included), DynamoDB Local's JVM apart\n\n${cpuComparisonTable(runs)}`);
  for (const { events, ours } of runs) {
    if (ours.costs) console.log(`\nDynamoDB work per request, crm-caldav, ${events} events:\n\n${costTable(ours.costs)}`);
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
