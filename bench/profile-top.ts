/**
 * The top entries of a `node --cpu-prof` profile: self time summed per package (node_modules
 * name, `node:` internals, our own lambda/ folders), then per function. What bench/README.md
 * records before and after each cut.
 *
 *   npx tsx bench/profile-top.ts FILE.cpuprofile [--top 15] [--by package|function]
 */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';

const { values: args, positionals } = parseArgs({
  allowPositionals: true,
  options: { top: { type: 'string', default: '15' }, by: { type: 'string', default: 'package' }, bundle: { type: 'string' } },
});

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/**
 * An unminified esbuild bundle marks each module it inlines with a `// path` comment line: the
 * module each line of the bundle came from, so a profile of a bundle can be read per package.
 */
export function bundleModules(text: string): (line: number) => string | undefined {
  const starts: Array<[number, string]> = [];
  text.split('\n').forEach((l, i) => {
    const m = /^\/\/ ((?:node_modules|lambda|bin)\/\S+)$/.exec(l);
    if (m) starts.push([i, m[1]!]);
  });
  return (line) => {
    let lo = 0;
    let hi = starts.length - 1;
    let found: string | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (starts[mid]![0] <= line) {
        found = starts[mid]![1];
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  };
}

/** Which package or folder a script URL belongs to. */
export function packageOf(url: string): string {
  if (url === '') return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node: internals';
  const modules = url.lastIndexOf('node_modules/');
  if (modules !== -1) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const lambda = /\/lambda\/([^/]+)\//.exec(url);
  if (lambda) return `lambda/${lambda[1]}`;
  const other = /\/(bin|bench)\/(.+)$/.exec(url);
  return other ? `${other[1]}/${other[2]!.split('/')[0]}` : url.replace(/^.*\//, '');
}

/** Self time in ms per key. */
export function selfTime(profile: Profile, keyOf: (node: ProfileNode) => string): Map<string, number> {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const out = new Map<string, number>();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    if (!node) return;
    const key = keyOf(node);
    out.set(key, (out.get(key) ?? 0) + (profile.timeDeltas[i] ?? 0) / 1000);
  });
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  for (const file of positionals) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
    const byFunction = args.by === 'function';
    const moduleAt = args.bundle ? bundleModules(readFileSync(args.bundle, 'utf8')) : undefined;
    const where = (n: ProfileNode) => {
      const inBundle = moduleAt && n.callFrame.url.endsWith('.mjs') ? moduleAt(n.callFrame.lineNumber) : undefined;
      return packageOf(inBundle ? `/${inBundle}` : n.callFrame.url);
    };
    const times = selfTime(profile, (n) => (byFunction ? `${n.callFrame.functionName || '(anonymous)'} ${where(n)}` : where(n)));
    const total = [...times.values()].reduce((a, b) => a + b, 0);
    console.log(`${file}: ${total.toFixed(0)} ms sampled`);
    console.log(`| ${byFunction ? 'function' : 'package'} | self ms | % |\n| --- | ---: | ---: |`);
    for (const [key, ms] of [...times.entries()].sort((a, b) => b[1] - a[1]).slice(0, Number(args.top))) {
      console.log(`| ${key} | ${ms.toFixed(1)} | ${((100 * ms) / total).toFixed(1)} |`);
    }
  }
}
