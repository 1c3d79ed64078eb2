/** Starting one user's initial export at once, on AWS: the scheduled function invoked asynchronously. */
/** On AWS, the scheduled function's name: an enable then starts its export there, asynchronously. */
export const SCHEDULED_FUNCTION_ENV = 'SCHEDULED_FUNCTION_NAME';

/** The event the scheduled handler reads as "export this user now" (handlers/scheduled.ts). */
export interface ExportNowEvent {
  exportFor: string;
}

/** An asynchronous (Event) invocation of the scheduled function for one user's export. */
export function invokeScheduled(functionName: string, env: Record<string, string | undefined>): (email: string) => Promise<void> {
  let client: Promise<{ send: (email: string) => Promise<unknown> }> | undefined;
  return async (email) => {
    // Loaded on first use: only the functions that enable users ever pay for the Lambda client.
    client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => {
      const lambda = new LambdaClient({ region: env.AWS_REGION || env.AWS_DEFAULT_REGION });
      const payload = (e: string) => new TextEncoder().encode(JSON.stringify({ exportFor: e } satisfies ExportNowEvent));
      return { send: (e: string) => lambda.send(new InvokeCommand({ FunctionName: functionName, InvocationType: 'Event', Payload: payload(e) })) };
    });
    await (await client).send(email);
  };
}

