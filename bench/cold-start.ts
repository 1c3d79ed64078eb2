/**
 * Cold start of the deployed bundles: each handler is bundled with the CDK functions' esbuild
 * settings (lib/constructs/dav-function.ts), then loaded in a fresh Node process per sample, as
 * a new Lambda container loads it. A sample is the CPU time (user + system, process.cpuUsage)
 * of importing the module and answering one request that needs no I/O, which builds the App:
 * a request without credentials (401) for the CalDAV handlers, OPTIONS, the well-known redirect,
 * the CRM API's 401. The scheduled handler is only imported (its first run reads DynamoDB).
 * Node's own start-up (~40 ms here) is not in it; Lambda's Init Duration is (bench/README.md).
 *
 *   npx tsx bench/cold-start.ts [--samples 10] [--only get,options] [--profile DIR]
 *
 * --profile also writes, per handler, DIR/<handler>/index.mjs unminified and one `node
 * --cpu-prof` profile of loading it (`npx tsx bench/profile-top.ts DIR/get/*.cpuprofile
 * --bundle DIR/get/index.mjs` prints its top entries by package).
 */
import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { bundle, bundleDir, handlersDir, LAMBDA_ENV } from './bundles';

const run = promisify(execFile);
const { values: args } = parseArgs({
  options: {
    samples: { type: 'string', default: '10' },
    only: { type: 'string' },
    profile: { type: 'string' },
  },
});


/** The request each handler answers without I/O; null: import only. */
const FIRST_REQUEST: Record<string, { method: string; path: string } | null> = {
  any: { method: 'PROPFIND', path: '/calendars/a@example.com/crm/' },
  'crm-api': { method: 'GET', path: '/crm/v1/organisation' },
  delete: { method: 'DELETE', path: '/calendars/a@example.com/crm/x.ics' },
  get: { method: 'GET', path: '/calendars/a@example.com/crm/x.ics' },
  head: { method: 'HEAD', path: '/calendars/a@example.com/crm/x.ics' },
  mkcalendar: { method: 'MKCALENDAR', path: '/calendars/a@example.com/new/' },
  options: { method: 'OPTIONS', path: '/calendars/a@example.com/crm/' },
  propfind: { method: 'PROPFIND', path: '/calendars/a@example.com/crm/' },
  proppatch: { method: 'PROPPATCH', path: '/calendars/a@example.com/crm/' },
  put: { method: 'PUT', path: '/calendars/a@example.com/crm/x.ics' },
  report: { method: 'REPORT', path: '/calendars/a@example.com/crm/' },
  scheduled: null,
  'well-known': { method: 'GET', path: '/.well-known/caldav' },
};

/** Runs in the fresh process: import, first request, CPU of both. */
const PROBE = `
const start = process.cpuUsage();
const mod = await import(process.env.BENCH_BUNDLE);
const imported = process.cpuUsage(start);
const request = process.env.BENCH_REQUEST ? JSON.parse(process.env.BENCH_REQUEST) : null;
let status = null;
if (request) {
  const event = { version: '2.0', routeKey: '$default', rawPath: request.path, rawQueryString: '', headers: { host: 'bench' }, isBase64Encoded: false,
    requestContext: { accountId: 'bench', apiId: 'bench', domainName: 'bench', domainPrefix: 'bench', requestId: 'cold', routeKey: '$default', stage: '$default', time: '', timeEpoch: Date.now(),
      http: { method: request.method, path: request.path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' } } };
  const context = { awsRequestId: 'cold', functionName: 'bench', functionVersion: '$LATEST', invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:bench', memoryLimitInMB: '512', getRemainingTimeInMillis: () => 10000 };
  status = (await mod.handler(event, context)).statusCode;
}
const total = process.cpuUsage(start);
const ms = (u) => (u.user + u.system) / 1000;
process.stderr.write(JSON.stringify({ importMs: ms(imported), totalMs: ms(total), status }) + '\\n');
`;

interface Sample {
  importMs: number;
  totalMs: number;
  status: number | null;
}

async function sample(file: string, request: (typeof FIRST_REQUEST)[string], profileDir?: string): Promise<Sample> {
  const flags = profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [];
  const { stderr } = await run(process.execPath, [...flags, '--input-type=module', '-e', PROBE], {
    env: { ...LAMBDA_ENV, BENCH_BUNDLE: file, BENCH_REQUEST: request ? JSON.stringify(request) : '' },
    cwd: tmpdir(),
  });
  const line = stderr.split('\n').find((l) => l.startsWith('{"importMs"'));
  if (!line) throw new Error(`${file}: no measurement\n${stderr}`);
  return JSON.parse(line) as Sample;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main() {
  const samples = Number(args.samples);
  const names = readdirSync(handlersDir)
    .filter((f) => f.endsWith('.ts') && f.replace(/\.ts$/, '') in FIRST_REQUEST)
    .map((f) => f.replace(/\.ts$/, ''))
    .filter((n) => !args.only || args.only.split(',').includes(n))
    .sort();
  const outDir = bundleDir('cold-start');
  try {
    console.log(`Node ${process.version}, ${samples} fresh processes per handler, median CPU ms (user + system)\n`);
    console.log('| handler | bundle | import ms | import + first request ms | first answer |');
    console.log('| --- | ---: | ---: | ---: | ---: |');
    for (const name of names) {
      const file = await bundle(name, outDir);
      const request = FIRST_REQUEST[name]!;
      const runs: Sample[] = [];
      for (let i = 0; i < samples; i++) runs.push(await sample(file, request));
      if (args.profile) {
        // Unminified, so that bench/profile-top.ts --bundle can tell the bundle's modules apart.
        const dir = resolve(args.profile, name);
        mkdirSync(dir, { recursive: true });
        const readable = await bundle(name, join(outDir, 'readable'), false);
        await sample(readable, request, dir);
        copyFileSync(readable, join(dir, 'index.mjs'));
      }
      const kb = (statSync(file).size / 1024).toFixed(1);
      const first = request ? `${request.method} ${runs[0]!.status}` : 'import only';
      console.log(`| ${name} | ${kb} KB | ${median(runs.map((r) => r.importMs)).toFixed(0)} | ${median(runs.map((r) => r.totalMs)).toFixed(0)} | ${first} |`);
    }
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.stack : err);
  process.exit(1);
});
