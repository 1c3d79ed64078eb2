/**
 * A device as an admin would name it, from the user agent its CalDAV client sends: "iPhone or
 * iPad" on "iOS 18.2" rather than `iOS/18.2 (22C152) dataaccessd/1.0`. Pure; an agent it does not
 * know is named by its first product token, so nothing is ever hidden, only shortened.
 */
export interface DeviceName {
  /** The device or app, e.g. `iPhone or iPad`, `Mac`, `DAVx⁵ 4.3.9`, `Thunderbird 128.5`. */
  client: string;
  /** The operating system and its version when the agent says, e.g. `iOS 18.2`, `Android 14`. */
  os: string | null;
}

/** Apple's system CalDAV clients: `<OS>/<version> (<build>) <daemon>/<version>`. */
const APPLE = /^(iOS|iPadOS|watchOS|macOS|Mac OS X|Mac_OS_X|OS X)\/([\d.]+)[^)]*\)\s*([\w.-]+)?/i;

const DESKTOP_OS: Array<[RegExp, (m: RegExpExecArray) => string]> = [
  [/Windows NT 10/, () => 'Windows'],
  [/Windows NT ([\d.]+)/, (m) => `Windows NT ${m[1]}`],
  [/Mac OS X (\d+[._]\d+(?:[._]\d+)?)/, (m) => `macOS ${m[1]!.replace(/_/g, '.')}`],
  [/Android ([\d.]+)/, (m) => `Android ${m[1]}`],
  [/Linux|X11/, () => 'Linux'],
];

const osIn = (ua: string): string | null => {
  for (const [pattern, name] of DESKTOP_OS) {
    const m = pattern.exec(ua);
    if (m) return name(m);
  }
  return null;
};

/** Apps known by name: their token, and how to show it. */
const APPS: Array<[RegExp, (m: RegExpExecArray, ua: string) => DeviceName]> = [
  [/\bDAVx5\/([\d.]+)/, (m, ua) => ({ client: `DAVx⁵ ${m[1]}`, os: /Android\/([\d.]+)/.exec(ua)?.[1] ? `Android ${/Android\/([\d.]+)/.exec(ua)![1]}` : 'Android' })],
  [/\bThunderbird\/([\d.]+)/, (m, ua) => ({ client: `Thunderbird ${m[1]}`, os: osIn(ua) })],
  [/\bEvolution\/([\d.]+)/, (m, ua) => ({ client: `Evolution ${m[1]}`, os: osIn(ua) ?? 'Linux' })],
  [/\bCalDavSynchronizer\/([\d.]+)/, (m) => ({ client: `Outlook CalDav Synchronizer ${m[1]}`, os: 'Windows' })],
  [/\bvdirsyncer\/([\d.]+)/, (m, ua) => ({ client: `vdirsyncer ${m[1]}`, os: osIn(ua) })],
];

export function describeDevice(userAgent: string): DeviceName {
  const ua = userAgent.trim();
  const apple = APPLE.exec(ua);
  if (apple) {
    const system = apple[1]!.toLowerCase();
    const os = system.startsWith('mac') || system === 'os x' ? 'macOS' : apple[1]!.replace(/^ios$/i, 'iOS');
    const client = os === 'macOS' ? 'Mac' : system === 'watchos' ? 'Apple Watch' : 'iPhone or iPad';
    return { client, os: `${os} ${apple[2]}` };
  }
  for (const [pattern, name] of APPS) {
    const m = pattern.exec(ua);
    if (m) return name(m, ua);
  }
  const product = /^([A-Za-z][\w.-]*)\/([\w.-]+)/.exec(ua);
  if (product && product[1] !== 'Mozilla') return { client: `${product[1]} ${product[2]}`, os: osIn(ua) };
  return { client: ua.length > 60 ? `${ua.slice(0, 57)}…` : ua || '(no user agent)', os: osIn(ua) };
}
