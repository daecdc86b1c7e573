// API Gateway TOKEN authorizer: the SHA-256 of the token is looked up in the tenants table.
// Unknown token → throw 'Unauthorized' (API Gateway answers 401); revoked → Deny policy (API Gateway answers
// 403); active → Allow on the whole API, because API Gateway reuses a cached policy for every method.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { createAuthorizerDependencies } from '../composition.js';
import type { LogSink, TenantStore } from '../ports.js';
import { jsonLineLog } from '../core/json-log.js';
import { hashToken, tokenFromAuthorizationHeader } from '../core/tokens.js';

export interface AuthorizerHandlerDependencies {
  tenants: TenantStore;
  log?: LogSink;
}

export type AuthorizerHandler = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

/** `arn:aws:execute-api:region:account:apiId/stage/*\/*` from the method ARN of the current request. */
export function wholeApiArn(methodArn: string): string {
  const match = /^(arn:[^:]+:execute-api:[^:]*:[^:]*:)([^/]+)\/([^/]+)\//.exec(methodArn);
  return match ? `${match[1]}${match[2]}/${match[3]}/*/*` : methodArn;
}

function policy(principalId: string, effect: 'Allow' | 'Deny', resource: string, context?: Record<string, string>): APIGatewayAuthorizerResult {
  return {
    principalId,
    policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] },
    ...(context ? { context } : {}),
  };
}

export function createAuthorizerHandler(dependencies: AuthorizerHandlerDependencies): AuthorizerHandler {
  const { tenants } = dependencies;
  const log = dependencies.log ?? jsonLineLog;
  return async (event) => {
    const token = tokenFromAuthorizationHeader(event.authorizationToken);
    const tenant = token === undefined ? undefined : await tenants.findByTokenHash(hashToken(token));
    if (!tenant) {
      log({ level: 'info', event: 'authorize', decision: 'unauthorized', reason: token === undefined ? 'no token' : 'unknown token' });
      throw new Error('Unauthorized');
    }
    const resource = wholeApiArn(event.methodArn);
    if (tenant.status !== 'active') {
      log({ level: 'info', event: 'authorize', decision: 'deny', tenantId: tenant.tenantId, reason: `tenant ${tenant.status}` });
      return policy(tenant.tenantId, 'Deny', resource);
    }
    log({ level: 'info', event: 'authorize', decision: 'allow', tenantId: tenant.tenantId });
    return policy(tenant.tenantId, 'Allow', resource, { tenantId: tenant.tenantId });
  };
}

let productionHandler: AuthorizerHandler | undefined;

/** The Lambda entry point: the tenant store is built on the first invocation and reused by the container. */
export const handler: AuthorizerHandler = (event) => {
  productionHandler ??= createAuthorizerHandler(createAuthorizerDependencies(process.env));
  return productionHandler(event);
};
