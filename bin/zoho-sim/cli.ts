/**
 * `npm run zoho:sim -- --port N`: a simulated Zoho CRM with a demo org, and the environment that
 * points `npm start` at it. Stops on Ctrl-C / SIGTERM.
 */
import { parseArgs } from 'node:util';
import { startZohoSimulator } from './index';
import { seedDemoOrg } from './seed';

const USAGE = `Usage: npm run zoho:sim -- [options]

  --port N              API server port (api_domain), default 5240
  --accounts-port N     accounts server port, default the API port + 1 (0 with --port 0)
  --host HOST           listen address, default 127.0.0.1
  --time-zone TZ        the org's time zone, default America/Los_Angeles
  --credits N           API credits per 24 hours, default 50000
  --search-delay-ms N   how long new records stay unsearchable, default 5000
  --client-id ID --client-secret S --refresh-token T
                        fixed credentials (default: new ones each start), so the
                        printed environment stays valid across restarts
  --empty               no demo users, leads, contacts or events (the admin only)
  --verbose, -v         print every request and its status (on stderr)`;

function num(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${flag} wants a whole number, got "${value}"\n\n${USAGE}`);
  return n;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string' },
      'accounts-port': { type: 'string' },
      host: { type: 'string' },
      'time-zone': { type: 'string' },
      credits: { type: 'string' },
      'search-delay-ms': { type: 'string' },
      'client-id': { type: 'string' },
      'client-secret': { type: 'string' },
      'refresh-token': { type: 'string' },
      empty: { type: 'boolean' },
      verbose: { type: 'boolean', short: 'v' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = num(values.port, '--port') ?? 5240;
  const sim = await startZohoSimulator({
    port,
    accountsPort: num(values['accounts-port'], '--accounts-port') ?? (port === 0 ? 0 : port + 1),
    host: values.host,
    timeZone: values['time-zone'],
    creditsPerDay: num(values.credits, '--credits'),
    searchIndexDelayMs: num(values['search-delay-ms'], '--search-delay-ms') ?? 5000,
    clientId: values['client-id'],
    clientSecret: values['client-secret'],
    refreshToken: values['refresh-token'],
    verbose: values.verbose,
    log: (line) => console.error(line),
  });
  if (!values.empty) seedDemoOrg(sim.state, sim.clock.now());
  const env = [
    'CRM_CONNECTOR=zoho',
    `ZOHO_ACCOUNTS_URL=${sim.accountsUrl}`,
    `ZOHO_API_DOMAIN=${sim.apiUrl}`,
    `ZOHO_CLIENT_ID=${sim.clientId}`,
    `ZOHO_CLIENT_SECRET=${sim.clientSecret}`,
    `ZOHO_REFRESH_TOKEN=${sim.refreshToken}`,
  ].join(' ');
  console.log(`Zoho CRM simulator (API v8)
  API server       ${sim.apiUrl}/crm/v8
  Accounts server  ${sim.accountsUrl}/oauth/v2/token
  Org admin        ${sim.state.admin.email}; users: ${sim.state.users().map((u) => u.email).join(', ')}

Run the CalDAV server against it:
  ${env} npm start

Add ZOHO_NOTIFY_URL=http://127.0.0.1:5232/crm/zoho/notify for push callbacks. Ctrl-C stops the simulator.`);
  const stop = () => {
    sim.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : String(e));
  process.exit(1);
});
