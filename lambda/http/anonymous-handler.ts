/**
 * A handler for the methods that answer before credentials and read nothing (OPTIONS, the
 * well-known redirect): no App, so no DynamoDB client is built and the SDK is not even in the
 * function's bundle. The same event translation and middy stack as davHandler.
 */
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DEFAULT_CONFIG, type CoreMethod, type DavContext } from '../core/types';
import type { CalendarStore } from '../store/types';
import { toApiGatewayResult, toDavRequest } from './event';
import { davMiddlewares } from './middleware';
import { wellKnown } from '../core/methods/well-known';
import { ANONYMOUS, isWellKnownCaldav, type DavLambdaHandler } from './dav-handler';

/** Any call is a bug: these methods answer from the request alone. */
const NO_STORE = new Proxy({} as CalendarStore, {
  get: (_target, name) => () => Promise.reject(new Error(`${String(name)}: no calendar store before authentication`)),
});

export function anonymousHandler(method: CoreMethod): DavLambdaHandler {
  const ctx: DavContext = { user: ANONYMOUS, store: NO_STORE, config: DEFAULT_CONFIG, now: () => new Date() };
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Error, Context>()
    .use(davMiddlewares())
    .handler(async (event) => {
      const req = toDavRequest(event);
      // Whatever route or method brought it here (RFC 6764 §5), as in davHandler.
      return toApiGatewayResult(await (isWellKnownCaldav(req.path) ? wellKnown : method)(req, ctx));
    });
}
