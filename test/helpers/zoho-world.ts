/**
 * The Zoho mission end to end, set up once per test file: fresh tables, the Zoho simulator, the
 * App with CRM_CONNECTOR=zoho on the simulator's clock, the local server (its webhook the channel's
 * target) and the first scheduled pass (users, the CalDAV UID field, the notification channel).
 */
import { freePort } from '../../bin/dynamodb-local';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { startZohoSimulator, type ZohoSimulator } from '../../bin/zoho-sim/index';
import type { App } from '../../lambda/app/app';
import { buildApp } from '../../lambda/app/build';
import { runScheduledPass } from '../../lambda/jobs/pass';
import { freshTables, type TestTables } from './dynamo';

export interface ZohoWorld {
  t: TestTables;
  sim: ZohoSimulator;
  app: App;
  server: LocalServer;
  /** A /crm/v1 call with the admin token. */
  admin(method: string, path: string, body?: unknown): Promise<Response>;
  /** Until Zoho's callbacks and our outbox deliveries started so far are done. */
  settle(): Promise<void>;
  stop(): Promise<void>;
}

export async function startZohoWorld(opts: {
  adminToken: string;
  startAt: number;
  /** Fills the org before the first pass (users, leads, events, tasks). */
  seed?: (sim: ZohoSimulator) => void;
  /** The connector's fetch (e.g. one that loses an answer). */
  fetch?: typeof fetch;
}): Promise<ZohoWorld> {
  const t = await freshTables();
  const sim = await startZohoSimulator({ searchIndexDelayMs: 0, startAt: opts.startAt });
  opts.seed?.(sim);
  const port = await freePort();
  const env = { ...t.env, ...sim.connectorEnv(), CRM_ADMIN_TOKEN: opts.adminToken, ZOHO_NOTIFY_URL: `http://127.0.0.1:${port}/crm/zoho/notify` };
  const app = buildApp({ env, doc: t.doc, tables: t.tables, now: () => new Date(sim.clock.now()), retryDelaysMs: [20, 50], ...(opts.fetch ? { fetch: opts.fetch } : {}) });
  const server = await startLocalServer({ port, app });
  await runScheduledPass(app.jobDeps!);
  return {
    t,
    sim,
    app,
    server,
    admin: (method, path, body) =>
      fetch(new URL(path, server.url), { method, headers: { authorization: `Bearer ${opts.adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) }, body: body ? JSON.stringify(body) : undefined }),
    settle: async () => {
      // A delivery to Zoho makes Zoho notify us again (our own write coming back): until neither starts anything.
      for (let seen = -1; seen !== sim.notifications.deliveries().length; ) {
        seen = sim.notifications.deliveries().length;
        await sim.notifications.settled();
        await app.crm!.idle();
      }
    },
    stop: async () => {
      await server.stop();
      await sim.stop();
      await t.drop();
    },
  };
}
