import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { gatewayResponses } from '../../../local/api-gateway/gateway-responses.js';
import { createCachingAuthorizer, evaluatePolicy } from '../../../local/api-gateway/token-authorizer.js';

const methodArn = 'arn:aws:execute-api:eu-west-1:000000000000:local/local/POST/ia/faces/bulkUpload';

function policy(effect: 'Allow' | 'Deny', resource = 'arn:aws:execute-api:eu-west-1:000000000000:local/local/*/*'): APIGatewayAuthorizerResult {
  return {
    principalId: 'tenant-1',
    policyDocument: { Version: '2012-10-17', Statement: [{ Effect: effect, Action: 'execute-api:Invoke', Resource: resource }] },
    context: { tenantId: 'tenant-1', quota: 5, trusted: true },
  };
}

describe('policy evaluation', () => {
  it('allows a method covered by a wildcard Allow and hands over the context as strings', () => {
    expect(evaluatePolicy(policy('Allow'), methodArn)).toEqual({
      allowed: true,
      context: { principalId: 'tenant-1', tenantId: 'tenant-1', quota: '5', trusted: 'true' },
    });
  });

  it('refuses with the explicit-deny message when a Deny covers the method', () => {
    expect(evaluatePolicy(policy('Deny'), methodArn)).toEqual({ allowed: false, response: gatewayResponses.explicitDeny });
  });

  it('refuses when the Allow names another method', () => {
    const other = policy('Allow', 'arn:aws:execute-api:eu-west-1:000000000000:local/local/GET/other');
    expect(evaluatePolicy(other, methodArn)).toEqual({ allowed: false, response: gatewayResponses.notAllowed });
  });
});

describe('the caching TOKEN authorizer', () => {
  function counting(answer: (event: APIGatewayTokenAuthorizerEvent) => APIGatewayAuthorizerResult) {
    const seen: APIGatewayTokenAuthorizerEvent[] = [];
    return { seen, handler: async (event: APIGatewayTokenAuthorizerEvent) => (seen.push(event), answer(event)) };
  }

  it('answers 401 without calling the authorizer when the header is missing or empty', async () => {
    const { seen, handler } = counting(() => policy('Allow'));
    const authorizer = createCachingAuthorizer({ handler, ttlSeconds: 300 });
    expect(await authorizer.authorize(undefined, methodArn)).toEqual({ allowed: false, response: gatewayResponses.unauthorized });
    expect(await authorizer.authorize('', methodArn)).toEqual({ allowed: false, response: gatewayResponses.unauthorized });
    expect(seen).toHaveLength(0);
  });

  it('passes the header unchanged as a TOKEN event with the method ARN', async () => {
    const { seen, handler } = counting(() => policy('Allow'));
    await createCachingAuthorizer({ handler, ttlSeconds: 300 }).authorize('Bearer abc', methodArn);
    expect(seen).toEqual([{ type: 'TOKEN', authorizationToken: 'Bearer abc', methodArn }]);
  });

  it('reuses a policy for the same token until the TTL runs out', async () => {
    let clock = 0;
    const { seen, handler } = counting(() => policy('Allow'));
    const authorizer = createCachingAuthorizer({ handler, ttlSeconds: 300, now: () => clock });
    await authorizer.authorize('token-a', methodArn);
    clock = 299_000;
    await authorizer.authorize('token-a', methodArn);
    expect(seen).toHaveLength(1);
    await authorizer.authorize('token-b', methodArn);
    expect(seen).toHaveLength(2);
    clock = 301_000;
    await authorizer.authorize('token-a', methodArn);
    expect(seen).toHaveLength(3);
    expect(authorizer.invocations).toBe(3);
  });

  it('caches a Deny as well', async () => {
    const { seen, handler } = counting(() => policy('Deny'));
    const authorizer = createCachingAuthorizer({ handler, ttlSeconds: 300 });
    await authorizer.authorize('token-a', methodArn);
    expect(await authorizer.authorize('token-a', methodArn)).toEqual({ allowed: false, response: gatewayResponses.explicitDeny });
    expect(seen).toHaveLength(1);
  });

  it('calls the authorizer every time when the TTL is 0', async () => {
    const { seen, handler } = counting(() => policy('Allow'));
    const authorizer = createCachingAuthorizer({ handler, ttlSeconds: 0 });
    await authorizer.authorize('token-a', methodArn);
    await authorizer.authorize('token-a', methodArn);
    expect(seen).toHaveLength(2);
  });

  it("answers 401 when the authorizer throws 'Unauthorized', and 500 when it fails otherwise", async () => {
    const unauthorized = createCachingAuthorizer({ handler: async () => Promise.reject(new Error('Unauthorized')), ttlSeconds: 300 });
    expect(await unauthorized.authorize('token', methodArn)).toEqual({ allowed: false, response: gatewayResponses.unauthorized });
    const broken = createCachingAuthorizer({ handler: async () => Promise.reject(new Error('table missing')), ttlSeconds: 300 });
    expect(await broken.authorize('token', methodArn)).toEqual({ allowed: false, response: gatewayResponses.authorizerFailure });
  });

  it('answers 500 when the authorizer returns something that is not a policy', async () => {
    const handler = async () => ({ principalId: 'x' }) as unknown as APIGatewayAuthorizerResult;
    const authorizer = createCachingAuthorizer({ handler, ttlSeconds: 300 });
    expect(await authorizer.authorize('token', methodArn)).toEqual({ allowed: false, response: gatewayResponses.authorizerFailure });
  });
});
