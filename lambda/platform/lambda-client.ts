/**
 * One Lambda client per container, loaded on first use: only the functions that call another
 * function (an enable starting an export, the ANY fallback handing PROPPATCH on) pay for it.
 */
export interface Invoker {
  /** `Event`: queued, answers at once. `RequestResponse`: waits for the function's result. */
  invoke(functionName: string, payload: unknown, type: 'Event' | 'RequestResponse'): Promise<{ payload?: Uint8Array; functionError?: string }>;
}

export function lazyInvoker(env: Record<string, string | undefined>): Invoker {
  let client: Promise<Invoker> | undefined;
  return {
    async invoke(functionName, payload, type) {
      client ??= import('@aws-sdk/client-lambda').then(({ LambdaClient, InvokeCommand }) => {
        const lambda = new LambdaClient({ region: env.AWS_REGION || env.AWS_DEFAULT_REGION });
        return {
          async invoke(name, body, invocationType) {
            const out = await lambda.send(
              new InvokeCommand({ FunctionName: name, InvocationType: invocationType, Payload: new TextEncoder().encode(JSON.stringify(body)) }),
            );
            return { payload: out.Payload, functionError: out.FunctionError };
          },
        };
      });
      return (await client).invoke(functionName, payload, type);
    },
  };
}
