/** Starting one user's initial export at once, on AWS: the scheduled function invoked asynchronously. */
import { lambdaInvoker } from './lambda-client';

/** On AWS, the scheduled function's name: an enable then starts its export there. */
export const SCHEDULED_FUNCTION_ENV = 'SCHEDULED_FUNCTION_NAME';

/** The event the scheduled handler reads as "export this user now" (handlers/scheduled.ts). */
export interface ExportNowEvent {
  exportFor: string;
}

/** An asynchronous (Event) invocation of the scheduled function for one user's export. */
export function invokeScheduled(functionName: string, env: Record<string, string | undefined>): (email: string) => Promise<void> {
  const lambda = lambdaInvoker(env);
  return async (email) => {
    await lambda.invoke(functionName, { exportFor: email } satisfies ExportNowEvent, 'Event');
  };
}
