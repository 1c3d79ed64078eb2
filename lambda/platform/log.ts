/**
 * The one logger: Powertools for AWS Lambda's Logger behind the project's own `Logger` type, so
 * callers pass a level, a message and fields and know nothing of the library. Lines are single
 * JSON objects (level, message, timestamp, service, and on Lambda the request id, cold start and
 * function; CloudWatch Logs Insights queries them) and never carry request headers
 * (Authorization), passwords or bodies (calendar contents).
 *
 * The level comes from configuration: POWERTOOLS_LOG_LEVEL (set by the stack from its `logLevel`
 * context), else Lambda's application log level, else INFO.
 */
import { Logger as PowertoolsLogger } from '@aws-lambda-powertools/logger';
import type { MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type Logger = (level: LogLevel, message: string, fields: Record<string, unknown>) => void;

export const SERVICE_NAME = 'crm-caldav';

export const logger = new PowertoolsLogger({ serviceName: SERVICE_NAME });

export const logLine: Logger = (level, message, fields) => logger[level](message, fields);

export const silentLogger: Logger = () => {};

/**
 * Adds the invocation's context (request id, function, cold start) to every line it logs. The
 * local server and tests hand in stand-in contexts; a missing one is left out.
 */
export const logInvocation = <E, R>(): MiddlewareObj<E, R, Error, Context> => ({
  before: ({ context }) => {
    if (context?.awsRequestId) logger.addContext(context);
  },
});

/** An error as one line for logs and stored reasons: its name and message, never a stack. */
export const errorText = (err: unknown): string => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));
