/** `npm start`'s flags and environment, its usage text and its start-up banner. */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { SCHEDULE_DEFAULTS, type LocalSchedule, type ScheduleOptions } from './schedule-timer';

export const DEFAULTS = { host: '127.0.0.1', port: 5232, dataDir: './data', scheduleMinutes: 15 } as const;

/** What the command line chooses; `startLocalServer` takes these and more. */
export interface ServerArgs extends ScheduleOptions {
  host?: string;
  port?: number;
  dataDir?: string;
  tlsCert?: string;
  tlsKey?: string;
  dynamodbEndpoint?: string;
  dynamodbPort?: number;
  verbose?: boolean;
}

export const USAGE = `Usage: npm start -- [options]

  --host HOST                 listen address (CALDAV_HOST, default ${DEFAULTS.host})
  --port PORT                 listen port (CALDAV_PORT, default ${DEFAULTS.port})
  --data-dir DIR              DynamoDB Local data (CALDAV_DATA_DIR, default ${DEFAULTS.dataDir})
  --tls-cert FILE --tls-key FILE
                              serve HTTPS (CALDAV_TLS_CERT, CALDAV_TLS_KEY)
  --dynamodb-endpoint URL     use this DynamoDB, start no engine (CALDAV_DYNAMODB_ENDPOINT)
  --dynamodb-port PORT        port for the embedded DynamoDB Local (default: any free port)
  --schedule-minutes N        run the scheduled job (initial exports, CRM reconciliation, outbox
                              retries) every N minutes, first run ${SCHEDULE_DEFAULTS.firstRunMs / 1000} s after start; 0 = off
                              (CALDAV_SCHEDULE_MINUTES, default ${DEFAULTS.scheduleMinutes})`;

const OPTIONS = {
  host: { type: 'string' },
  port: { type: 'string' },
  'data-dir': { type: 'string' },
  'tls-cert': { type: 'string' },
  'tls-key': { type: 'string' },
  'dynamodb-endpoint': { type: 'string' },
  'dynamodb-port': { type: 'string' },
  'schedule-minutes': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FLAGS = Object.keys(OPTIONS).filter((f) => f !== 'help');

/**
 * `npm start --port 5432` (without `--`) gives npm the flag: the script sees only `5432`, and npm
 * leaves `npm_config_port=true` behind. Name the fix instead of a bare "unexpected argument".
 */
function npmAteFlags(argv: string[], env: NodeJS.ProcessEnv): string | null {
  const eaten = FLAGS.filter((f) => env[`npm_config_${f.replace(/-/g, '_')}`] === 'true');
  if (eaten.length === 0) return null;
  return `npm took ${eaten.map((f) => `--${f}`).join(', ')} for itself: put the server's flags after --, e.g. npm start -- --${eaten[0]} ${argv[0] ?? 'VALUE'}`;
}

function portNumber(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag} wants a port number from 0 to 65535, got "${value}"\n\n${USAGE}`);
  return n;
}

/** Null for --help. Flags win over the environment. */
export function serverArgs(argv: string[], env: NodeJS.ProcessEnv): ServerArgs | null {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS });
  } catch (err) {
    throw new Error(`${npmAteFlags(argv, env) ?? (err as Error).message}\n\n${USAGE}`);
  }
  const { values } = parsed;
  if (values.help) return null;
  const port = portNumber(values.port ?? env.CALDAV_PORT, '--port');
  const dynamodbPort = portNumber(values['dynamodb-port'], '--dynamodb-port');
  const scheduleMinutes = Number(values['schedule-minutes'] ?? (env.CALDAV_SCHEDULE_MINUTES || undefined) ?? DEFAULTS.scheduleMinutes);
  if (!Number.isFinite(scheduleMinutes) || scheduleMinutes < 0) throw new Error(`--schedule-minutes wants a number of minutes ≥ 0 (0 = off)\n\n${USAGE}`);
  return {
    host: values.host ?? env.CALDAV_HOST,
    port,
    dataDir: values['data-dir'] ?? env.CALDAV_DATA_DIR,
    tlsCert: values['tls-cert'] ?? env.CALDAV_TLS_CERT,
    tlsKey: values['tls-key'] ?? env.CALDAV_TLS_KEY,
    dynamodbEndpoint: values['dynamodb-endpoint'] ?? env.CALDAV_DYNAMODB_ENDPOINT,
    dynamodbPort,
    scheduleMinutes,
    verbose: true,
  };
}


const seconds = (ms: number) => `${+(ms / 1000).toFixed(1)} s`;

function scheduleBanner(schedule: LocalSchedule | null): string {
  if (!schedule) return 'Scheduled job (initial exports, CRM reconciliation): off (--schedule-minutes N turns it on)';
  return (
    `Scheduled job (initial exports, CRM reconciliation): every ${+(schedule.intervalMs / 60_000).toFixed(2)} min, ` +
    `first run in ${seconds(schedule.firstRunMs)}, ${seconds(schedule.budgetMs)} per run (--schedule-minutes, 0 = off)`
  );
}

export function banner(args: ServerArgs, server: { url: string; dynamodbEndpoint?: string; schedule: LocalSchedule | null }): string {
  const dataDir = args.dataDir ?? DEFAULTS.dataDir;
  const cliTarget = args.dynamodbEndpoint
    ? ` --dynamodb-endpoint ${args.dynamodbEndpoint}`
    : resolve(dataDir) !== resolve(DEFAULTS.dataDir)
      ? ` --data-dir ${dataDir}`
      : '';
  return [
    `crm-caldav listening on ${server.url}`,
    args.dynamodbEndpoint ? `DynamoDB: ${server.dynamodbEndpoint}` : `DynamoDB Local: ${server.dynamodbEndpoint} (data in ${resolve(dataDir)})`,
    scheduleBanner(server.schedule),
    '',
    'Create a user (prints the app password to enter on the device):',
    `  npx crm-caldav user add you@example.com --name "Your Name"${cliTarget}`,
    `Then add a CalDAV account with server ${server.url}, that e-mail and the app password.`,
    '',
    `Admin console: ${server.url}crm/admin/ (an account to sign in with: npx crm-caldav admin add you@example.com${cliTarget})`,
    'Ctrl-C stops the server.',
  ].join('\n');
}
