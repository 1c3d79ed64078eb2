/**
 * Fallback for the API Gateway `ANY /{proxy+}` route: methods without a route of their own (and
 * /.well-known/caldav under any method) are handed, unchanged, to the handler routing.ts picks.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { containerApp } from '../app/container';
import { acceptAlb } from '../http/front-door';
import { createRouter } from './routing';

const route = createRouter(containerApp);

export const handler = acceptAlb(
  (event: APIGatewayProxyEventV2, context: Context): Promise<APIGatewayProxyStructuredResultV2> => route(event.requestContext.http.method, event.rawPath)(event, context),
);
