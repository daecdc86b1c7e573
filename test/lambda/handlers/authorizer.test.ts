import type { APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { beforeEach, describe, expect, it } from 'vitest';
import { generateToken, hashToken } from '../../../lambda/core/tokens.js';
import { createAuthorizerHandler, wholeApiArn } from '../../../lambda/handlers/authorizer.js';
import { FakeTenantStore } from '../support/fakes.js';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/POST/ia/faces/bulkUpload';
const WHOLE_API = 'arn:aws:execute-api:eu-west-1:123456789012:abc123def4/prod/*/*';

let tenants: FakeTenantStore;
let logLines: Array<Record<string, unknown>>;
let token: string;

function event(authorizationToken: string): APIGatewayTokenAuthorizerEvent {
  return { type: 'TOKEN', authorizationToken, methodArn: METHOD_ARN };
}

function authorize(authorizationToken: string) {
  return createAuthorizerHandler({ tenants, log: (line) => logLines.push(line) })(event(authorizationToken));
}

beforeEach(async () => {
  tenants = new FakeTenantStore();
  logLines = [];
  token = generateToken();
  await tenants.create({ tenantId: 'a1b2c3', name: 'acme', status: 'active', createdAt: '2026-01-01T00:00:00.000Z' }, hashToken(token));
});

describe('the token authorizer', () => {
  it('allows an active tenant on the whole API, with its id in the context', async () => {
    expect(await authorize(token)).toEqual({
      principalId: 'a1b2c3',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: WHOLE_API }] },
      context: { tenantId: 'a1b2c3' },
    });
  });

  it('accepts the token raw, as the published API sends it, or after Bearer', async () => {
    for (const header of [token, `Bearer ${token}`, `bearer ${token}`, `  Bearer   ${token}  `]) {
      expect((await authorize(header)).context).toEqual({ tenantId: 'a1b2c3' });
    }
  });

  it('refuses an unknown token as Unauthorized, which API Gateway answers with 401', async () => {
    await expect(authorize(generateToken())).rejects.toThrow(/^Unauthorized$/);
    await expect(authorize(`Bearer ${token}x`)).rejects.toThrow(/^Unauthorized$/);
  });

  it('refuses an empty or blank token without looking it up', async () => {
    for (const header of ['', '   ', 'Bearer ', 'Bearer two words']) {
      await expect(authorize(header)).rejects.toThrow(/^Unauthorized$/);
    }
    expect(tenants.lookups).toBe(0);
  });

  it('denies a revoked tenant, which API Gateway answers with 403', async () => {
    await tenants.revoke('acme');
    const result = await authorize(token);
    expect(result.policyDocument.Statement).toEqual([{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: WHOLE_API }]);
    expect(result.context).toBeUndefined();
  });

  it('never logs the token or its hash', async () => {
    await authorize(token);
    await authorize('unknown-token-value').catch(() => undefined);
    const logged = JSON.stringify(logLines);
    expect(logLines).toHaveLength(2);
    for (const secret of [token, hashToken(token), 'unknown-token-value', hashToken('unknown-token-value')]) expect(logged).not.toContain(secret);
    expect(logLines.map((line) => line.decision)).toEqual(['allow', 'unauthorized']);
  });
});

describe('wholeApiArn', () => {
  it('covers every method and path of the stage the request came through', () => {
    expect(wholeApiArn(METHOD_ARN)).toBe(WHOLE_API);
    expect(wholeApiArn('arn:aws-cn:execute-api:cn-north-1:123456789012:api9/dev/GET/')).toBe('arn:aws-cn:execute-api:cn-north-1:123456789012:api9/dev/*/*');
  });

  it('keeps an ARN of unexpected shape as it is rather than widening it', () => {
    expect(wholeApiArn('not-an-arn')).toBe('not-an-arn');
  });
});
