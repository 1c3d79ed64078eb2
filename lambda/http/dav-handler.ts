/**
 * Wraps a core CoreMethod into a Lambda handler for API Gateway HTTP API (payload v2) events:
 * event → DavRequest, Basic auth, DavContext, method, DavResponse → result.
 */
import middy, { type MiddyfiedHandler } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { CoreMethod, Principal } from '../core/types';
import { authenticate } from './auth';
import type { AppSource } from '../app/container';
import { toApiGatewayResult, toDavRequest } from './event';
import { davMiddlewares } from './middleware';
import { wellKnown } from '../core/methods/well-known';

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

export function davHandler(method: CoreMethod, app: AppSource, options: DavHandlerOptions = {}): DavLambdaHandler {
  const requireAuth = options.authenticate ?? true;
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(davMiddlewares())
    .handler(async (event) => {
      const req = toDavRequest(event);
      // Whatever route or method brought it here (RFC 6764 §5): the redirect, before credentials.
      const discovery = isWellKnownCaldav(req.path);
      const { store, users, config, now, onObjectChange } = await app();
      const user = requireAuth && !discovery ? await authenticate(req.headers.authorization, users) : ANONYMOUS;
      return toApiGatewayResult(await (discovery ? wellKnown : method)(req, { user, store, config, now, onObjectChange }));
    });
}
