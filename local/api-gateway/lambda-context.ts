// The context object the Lambda runtime passes to a handler; the remaining time counts down from the
// function's timeout so handlers that budget their work against it behave as they do on AWS.
import type { Context } from 'aws-lambda';

export interface LambdaFunctionSettings {
  functionName: string;
  timeoutMs: number;
  memoryLimitInMB: number;
  region: string;
  accountId: string;
}

export function createLambdaContext(settings: LambdaFunctionSettings, awsRequestId: string, now: () => number = Date.now): Context {
  const deadline = now() + settings.timeoutMs;
  const unsupported = () => {
    throw new Error('done/fail/succeed are not supported: return a promise from the handler');
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: settings.functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${settings.region}:${settings.accountId}:function:${settings.functionName}`,
    memoryLimitInMB: String(settings.memoryLimitInMB),
    awsRequestId,
    logGroupName: `/aws/lambda/${settings.functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported,
    fail: unsupported,
    succeed: unsupported,
  };
}
