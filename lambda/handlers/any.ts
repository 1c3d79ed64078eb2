/**
 * Fallback for the API Gateway `ANY /{proxy+}` route (and the ALB's default action): methods
 * without a route of their own are handed, unchanged, to the CalDAV handler for their method
 * (dav-routing.ts; /crm has routes of its own). On AWS PROPPATCH goes on to the PROPPATCH
 * function (http/forward.ts), so this role only reads, and its App is the read-only one.
 */
import type { ALBEvent, APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { containerReadDavApp } from '../app/read-dav-container';
import { lambdaInvoker } from '../platform/lambda-client';
import { logLine } from '../platform/log';
import { FORWARDED_METHODS, forwardTo, methodOf, PROPPATCH_FUNCTION_ENV } from '../http/forward';
import { acceptAlb } from '../http/front-door';
import { davRouter, READ_ONLY_METHODS } from './dav-routing';

// It reads only (its role can do nothing else): the read-only App, and 405 for a write that was not forwarded.
const route = davRouter(containerReadDavApp, READ_ONLY_METHODS);
const local = acceptAlb((event: APIGatewayProxyEventV2, context: Context) => route(event.requestContext.http.method)(event, context));
const writer = process.env[PROPPATCH_FUNCTION_ENV];
const forward = writer ? forwardTo(writer, lambdaInvoker(process.env), logLine) : undefined;

export const handler = (event: APIGatewayProxyEventV2 | ALBEvent, context: Context) =>
  forward && FORWARDED_METHODS.includes(methodOf(event)) ? forward(event, context) : local(event, context);
