// A TOKEN authorizer as API Gateway runs it: the identity header is passed unchanged as authorizationToken,
// the returned policy is cached per token for the TTL and evaluated against each request's method ARN
// (explicit Deny wins over Allow), and the outcome becomes a gateway response or the authorizer context.
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Statement } from 'aws-lambda';
import { gatewayResponses, type GatewayResponse } from './gateway-responses.js';

export type TokenAuthorizerHandler = (event: APIGatewayTokenAuthorizerEvent) => Promise<APIGatewayAuthorizerResult>;

export type AuthorizationOutcome =
  | { allowed: true; context: Record<string, string> }
  | { allowed: false; response: GatewayResponse };

export interface CachingAuthorizerOptions {
  handler: TokenAuthorizerHandler;
  /** How long a policy is reused for the same token; 0 calls the authorizer on every request. */
  ttlSeconds: number;
  now?: () => number;
}

export interface CachingAuthorizer {
  authorize(token: string | undefined, methodArn: string): Promise<AuthorizationOutcome>;
  /** How many times the authorizer handler ran; the cache's effect is visible to tests through it. */
  readonly invocations: number;
}

/** IAM-style wildcard match: '*' is any run of characters, '?' any single one. */
function matchesPattern(pattern: string, value: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(value);
}

function asList(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

function statementCovers(statement: Statement, methodArn: string): boolean {
  const actions = 'Action' in statement ? asList(statement.Action) : [];
  const resources = 'Resource' in statement ? asList(statement.Resource) : [];
  const actionMatches = actions.some((action) => matchesPattern(action.toLowerCase(), 'execute-api:invoke'));
  return actionMatches && resources.some((resource) => matchesPattern(resource, methodArn));
}

function isPolicyResult(result: unknown): result is APIGatewayAuthorizerResult {
  const candidate = result as APIGatewayAuthorizerResult | undefined;
  return (
    typeof candidate?.principalId === 'string' &&
    Array.isArray(candidate.policyDocument?.Statement) &&
    candidate.policyDocument.Statement.every((statement) => statement.Effect === 'Allow' || statement.Effect === 'Deny')
  );
}

export function evaluatePolicy(result: APIGatewayAuthorizerResult, methodArn: string): AuthorizationOutcome {
  const covering = result.policyDocument.Statement.filter((statement) => statementCovers(statement, methodArn));
  if (covering.some((statement) => statement.Effect === 'Deny')) return { allowed: false, response: gatewayResponses.explicitDeny };
  if (!covering.some((statement) => statement.Effect === 'Allow')) return { allowed: false, response: gatewayResponses.notAllowed };
  // API Gateway hands the context to the integration with every value as a string.
  const context: Record<string, string> = { principalId: result.principalId };
  for (const [key, value] of Object.entries(result.context ?? {})) {
    if (value !== null && value !== undefined) context[key] = String(value);
  }
  return { allowed: true, context };
}

export function createCachingAuthorizer(options: CachingAuthorizerOptions): CachingAuthorizer {
  const now = options.now ?? Date.now;
  const cache = new Map<string, { result: APIGatewayAuthorizerResult; expiresAt: number }>();
  let invocations = 0;

  async function policyFor(token: string, methodArn: string): Promise<APIGatewayAuthorizerResult | GatewayResponse> {
    const cached = cache.get(token);
    if (cached && cached.expiresAt > now()) return cached.result;
    cache.delete(token);
    invocations += 1;
    let result: unknown;
    try {
      result = await options.handler({ type: 'TOKEN', authorizationToken: token, methodArn });
    } catch (error) {
      return error instanceof Error && error.message === 'Unauthorized' ? gatewayResponses.unauthorized : gatewayResponses.authorizerFailure;
    }
    if (!isPolicyResult(result)) return gatewayResponses.authorizerFailure;
    if (options.ttlSeconds > 0) cache.set(token, { result, expiresAt: now() + options.ttlSeconds * 1000 });
    return result;
  }

  return {
    get invocations() {
      return invocations;
    },
    async authorize(token, methodArn) {
      if (!token) return { allowed: false, response: gatewayResponses.unauthorized };
      const policy = await policyFor(token, methodArn);
      if ('statusCode' in policy) return { allowed: false, response: policy };
      return evaluatePolicy(policy, methodArn);
    },
  };
}
