/**
 * The App of the CalDAV functions that only read: GET, HEAD, PROPFIND, REPORT and the ANY
 * fallback (free-busy POST, MKCALENDAR's refusal, 405s; PROPPATCH goes on to its own function).
 * Their roles hold no write action on the calendar (lib/caldav-stack.ts, GRANTS), so they need
 * nothing a write needs: no CRM, no outbox, no mail. Built from dynamo-base.ts alone, on the lean
 * wire with no SDK client, so that none of that code is in their bundles either, nor the SDK (the
 * cold start: bench/README.md).
 *
 * The write methods are served by the full CalDAV App (build-dav.ts) in their own functions, and
 * by the App of routing.ts on the local server; the fallback answers a write that reaches it 405
 * (dav-routing.ts, READ_ONLY_METHODS) instead of serving it with this one.
 */
import { ActivityRecorder } from '../accounts/activity';
import { calendarUserCheck } from '../accounts/credentials';
import type { DavParts } from '../http/dav-handler';
import type { Env } from '../platform/env';
import { logLine, type Logger } from '../platform/log';
import { wireFor, type DynamoDoc } from '../platform/dynamodb/wire';
import { wireFromEnv } from '../store/dynamodb/environment';
import { calendarStore, dynamoBase, type DynamoBaseOptions } from './dynamo-base';

export function buildReadDavApp(opts: DynamoBaseOptions & { env?: Env; log?: Logger; doc?: DynamoDoc } = {}): DavParts {
  const env = opts.env ?? process.env;
  // Its own wire from the environment, as Lambda sets it: no SDK client is built or even loaded.
  const doc = opts.doc ?? wireFromEnv(env);
  const base = dynamoBase(doc, opts, env, () => {
    if (!opts.doc) wireFor(doc).destroy();
  });
  const { config, now, users } = base;
  const log = opts.log ?? logLine;
  const store = calendarStore(base);
  return {
    config,
    now,
    log,
    users,
    store,
    activity: new ActivityRecorder(base.activity),
    guesses: base.guesses,
    // Free-busy (POST to the outbox) asks who is a calendar user here; nothing is delivered.
    scheduling: { store, isCalendarUser: calendarUserCheck(users), imip: null, external: 'off', now, log },
  };
}
