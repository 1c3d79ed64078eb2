/**
 * Wraps a core CoreMethod into a Lambda handler for API Gateway HTTP API (payload v2) events:
 * event → DavRequest, Basic auth alongside the method (http/read-ahead.ts: the method's effects
 * wait for the check, its answer is only given after it), DavResponse → result.
 */
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CoreMethod, DavConfig, ObjectChangeHook, Principal } from '../core/types';
import type { ActivityRecorder } from '../accounts/activity';
import { parseBasicAuth } from '../accounts/credentials';
import type { CalendarStore, UserStore } from '../store/types';
import { authenticate, unauthorized } from './auth';
import type { GuessStore } from '../accounts/guesses';
import { hookAfterAuth, schedulingAfterAuth, storeAfterAuth } from './read-ahead';
import type { SchedulingDeps } from '../core/scheduling/ports';
import { toApiGatewayResult, toDavRequest } from './event';
import { davMiddlewares } from './middleware';
import { browserPage } from './browser-pages';
import { wellKnown } from '../core/methods/well-known';
import { errorText, type Logger } from '../platform/log';

/** What the CalDAV door takes from the App (app/app.ts), and nothing more. */
export interface DavParts {
  store: CalendarStore;
  users: UserStore;
  config: DavConfig;
  now: () => Date;
  onObjectChange?: ObjectChangeHook;
  /** Notes each authenticated request's device; null when not kept. */
  activity: ActivityRecorder | null;
  /** Counts the tries of chosen passwords (accounts/guesses.ts); absent = not bounded. */
  guesses?: GuessStore;
  log: Logger;
  /** Implicit scheduling (core/scheduling); absent = none. */
  scheduling?: SchedulingDeps;
}

/** The parts, built on first use (one App per Lambda container). */
export type DavPartsSource = () => Promise<DavParts>;

/** Matches with or without the trailing slash some clients add. */
export const isWellKnownCaldav = (path: string) => /^\/\.well-known\/caldav\/?$/i.test(path);

export type DavLambdaHandler = MiddyfiedHandler<
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Error,
  Context
>;

export interface DavHandlerOptions {
  /** False for methods that must answer before credentials are sent (OPTIONS, the well-known redirect). */
  authenticate?: boolean;
}

/**
 * The principal handed to methods that run without authentication. Its e-mail owns no node, so
 * an owner check against it can never pass.
 */
export const ANONYMOUS: Principal = Object.freeze({ email: '' });

/** The user Basic credentials name (lower-cased, as accounts are keyed), not yet checked. */
function claimedPrincipal(authorization: string | undefined): Principal | null {
  const creds = parseBasicAuth(authorization);
  return creds ? { email: creds.username.toLowerCase() } : null;
}

/**
 * Time kept back from the function's timeout when a write stops retrying a lost counter race:
 * the round in flight, the CRM's part after the commit and the answer (a 503 with Retry-After,
 * which a client retries, where a timeout is a 500 from API Gateway).
 */
const WRITE_RESERVE_MS = 2_000;

const writesGiveUpBy = (context: Context | undefined): number | undefined =>
  typeof context?.getRemainingTimeInMillis === 'function' ? Date.now() + context.getRemainingTimeInMillis() - WRITE_RESERVE_MS : undefined;

export function davHandler(method: CoreMethod, app: DavPartsSource, options: DavHandlerOptions = {}): DavLambdaHandler {
  const requireAuth = options.authenticate ?? true;
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(davMiddlewares())
    .handler(async (event, context) => {
      const req = toDavRequest(event);
      // Whatever route or method brought it here (RFC 6764 §5): the redirect, before credentials.
      const discovery = isWellKnownCaldav(req.path);
      const { store, users, config, now, onObjectChange, activity, guesses, log, scheduling } = await app();
      if (discovery || !requireAuth) return toApiGatewayResult(await (discovery ? wellKnown : method)(req, { user: ANONYMOUS, store, config, now, onObjectChange }));
      const claimed = claimedPrincipal(req.headers.authorization);
      if (!claimed) {
        // A browser at the server's address gets a page, not a Basic prompt (browser-pages.ts).
        const page = browserPage(req);
        if (page) return toApiGatewayResult(page);
        throw unauthorized();
      }
      const authorized = authenticate(req.headers.authorization, users, guesses, now);
      // The device's stored note, read in the user's batch (unless this container knows it is recent).
      const device = activity?.check(claimed.email, req.headers['user-agent'], now());
      const answer = method(req, {
        user: claimed,
        store: storeAfterAuth(store, authorized, writesGiveUpBy(context)),
        config,
        now,
        onObjectChange: hookAfterAuth(onObjectChange, authorized),
        scheduling: schedulingAfterAuth(scheduling, authorized),
      });
      // Decided below: a refused check answers 401 whatever the method did meanwhile.
      answer.catch(() => undefined);
      await authorized;
      // The device's last request, for the admin console: alongside the answer, never failing it.
      const noted = device?.note(req.method)?.catch((err: unknown) =>
        log('error', 'could not note the device activity', { error: errorText(err) }),
      );
      const [result] = await Promise.all([answer, noted]);
      return toApiGatewayResult(result);
    });
}
