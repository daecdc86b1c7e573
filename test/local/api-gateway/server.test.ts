import type { APIGatewayAuthorizerResult, APIGatewayProxyEvent, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { request as httpRequest } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import {
  startApiGateway,
  type LambdaProxyRoute,
  type ProxyHandler,
  type RestApiDefinition,
  type RunningApiGateway,
} from '../../../local/api-gateway/server.js';

const ALLOWED_TOKEN = 'allowed-token';
const DENIED_TOKEN = 'denied-token';

// A small authorizer written to the aws-lambda types: one token allowed, one denied, anything else refused.
async function authorizer(event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  if (event.authorizationToken !== ALLOWED_TOKEN && event.authorizationToken !== DENIED_TOKEN) throw new Error('Unauthorized');
  const apiWide = event.methodArn.split('/').slice(0, 2).join('/') + '/*/*';
  return {
    principalId: 'tenant-1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Effect: event.authorizationToken === ALLOWED_TOKEN ? 'Allow' : 'Deny', Action: 'execute-api:Invoke', Resource: apiWide }],
    },
    context: { tenantId: 'tenant-1' },
  };
}

interface Captured {
  event: APIGatewayProxyEvent;
  remainingAtStart: number;
  remainingLater: number;
}

function echoHandler(captured: Captured[]): ProxyHandler {
  return async (event: APIGatewayProxyEvent, context: Context) => {
    const remainingAtStart = context.getRemainingTimeInMillis();
    await new Promise((resolve) => setTimeout(resolve, 20));
    captured.push({ event, remainingAtStart, remainingLater: context.getRemainingTimeInMillis() });
    return { statusCode: 201, headers: { 'X-Handled-By': 'echo' }, body: JSON.stringify({ ok: true }) };
  };
}

function route(handler: ProxyHandler, overrides: Partial<LambdaProxyRoute> = {}): LambdaProxyRoute {
  return {
    method: 'POST',
    resource: '/ia/faces/bulkUpload',
    handler,
    function: { functionName: 'bulk-upload', timeoutMs: 10_000, memoryLimitInMB: 1024 },
    ...overrides,
  };
}

function api(routes: LambdaProxyRoute[], ttlSeconds = 300): RestApiDefinition {
  return { stage: 'local', binaryMediaTypes: ['multipart/form-data'], authorizer: { handler: authorizer, ttlSeconds }, routes };
}

let gateway: RunningApiGateway | undefined;
afterEach(async () => {
  await gateway?.close();
  gateway = undefined;
});

async function start(definition?: RestApiDefinition, limits?: { maxRequestBytes?: number; maxEventBytes?: number }) {
  gateway = await startApiGateway({ port: 0, host: '127.0.0.1', region: 'eu-west-1', api: definition, limits });
  return gateway;
}

function upload(url: string, init: { token?: string; body?: RequestInit['body']; headers?: Record<string, string> } = {}) {
  const headers: Record<string, string> = { ...init.headers };
  if (init.token) headers.Authorization = init.token;
  return fetch(`${url}/ia/faces/bulkUpload`, { method: 'POST', headers, body: init.body ?? '{}' });
}

describe('the local API Gateway', () => {
  it('answers GET /health 503 until an API is served, then 200', async () => {
    const running = await start();
    expect((await fetch(`${running.url}/health`)).status).toBe(503);
    const early = await upload(running.url, { token: ALLOWED_TOKEN });
    expect(early.status).toBe(503);
    running.serve(api([route(echoHandler([]))]));
    const health = await fetch(`${running.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ready' });
  });

  it('hands the handler a proxy event with the raw headers, query, stage, request id and authorizer context', async () => {
    const captured: Captured[] = [];
    const running = await start(api([route(echoHandler(captured))]));
    const response = await fetch(`${running.url}/ia/faces/bulkUpload?debug=1&debug=2`, {
      method: 'POST',
      headers: { Authorization: ALLOWED_TOKEN, 'Content-Type': 'application/json', 'X-Trace': 'abc' },
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-handled-by')).toBe('echo');
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toEqual({ ok: true });
    const { event } = captured[0]!;
    expect(event).toMatchObject({
      resource: '/ia/faces/bulkUpload',
      path: '/ia/faces/bulkUpload',
      httpMethod: 'POST',
      body: '{"hello":"world"}',
      isBase64Encoded: false,
      queryStringParameters: { debug: '2' },
      multiValueQueryStringParameters: { debug: ['1', '2'] },
    });
    expect(event.headers.Authorization).toBe(ALLOWED_TOKEN);
    expect(event.requestContext.stage).toBe('local');
    expect(event.requestContext.requestId).toBe(response.headers.get('x-amzn-requestid'));
    expect(event.requestContext.identity.sourceIp).toBe('127.0.0.1');
    expect(event.requestContext.authorizer).toEqual({ principalId: 'tenant-1', tenantId: 'tenant-1' });
  });

  it('base64-encodes a multipart upload so the file bytes reach the handler unchanged', async () => {
    const captured: Captured[] = [];
    const running = await start(api([route(echoHandler(captured))]));
    const file = Buffer.from(Array.from({ length: 70_000 }, (_, index) => (index * 7) % 256));
    const form = new FormData();
    form.append('inputImages[]', new Blob([file], { type: 'image/jpeg' }), 'photo.jpg');
    form.append('collection', 'test-collection');
    expect((await upload(running.url, { token: ALLOWED_TOKEN, body: form })).status).toBe(201);
    const { event } = captured[0]!;
    expect(event.isBase64Encoded).toBe(true);
    const body = Buffer.from(event.body!, 'base64');
    expect(body.includes(file)).toBe(true);
  });

  it('gives the handler a context whose remaining time counts down from the function timeout', async () => {
    const captured: Captured[] = [];
    const running = await start(api([route(echoHandler(captured))]));
    await upload(running.url, { token: ALLOWED_TOKEN });
    const { remainingAtStart, remainingLater } = captured[0]!;
    expect(remainingAtStart).toBeLessThanOrEqual(10_000);
    expect(remainingAtStart).toBeGreaterThan(5_000);
    expect(remainingLater).toBeLessThan(remainingAtStart);
  });

  it('answers 401 Unauthorized without the Authorization header, and for a token the authorizer refuses', async () => {
    const captured: Captured[] = [];
    const running = await start(api([route(echoHandler(captured))]));
    const missing = await upload(running.url);
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    expect(running.authorizerInvocations).toBe(0);
    const unknown = await upload(running.url, { token: 'someone-else' });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ message: 'Unauthorized' });
    expect(captured).toHaveLength(0);
  });

  it('answers 403 with the explicit-deny message when the policy denies', async () => {
    const captured: Captured[] = [];
    const running = await start(api([route(echoHandler(captured))]));
    const denied = await upload(running.url, { token: DENIED_TOKEN });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'User is not authorized to access this resource with an explicit deny' });
    expect(captured).toHaveLength(0);
  });

  it('runs the authorizer once per token within the TTL, and on every request with a TTL of 0', async () => {
    const running = await start(api([route(echoHandler([]))]));
    for (let attempt = 0; attempt < 3; attempt += 1) await upload(running.url, { token: ALLOWED_TOKEN });
    expect(running.authorizerInvocations).toBe(1);
    running.serve(api([route(echoHandler([]))], 0));
    for (let attempt = 0; attempt < 3; attempt += 1) await upload(running.url, { token: ALLOWED_TOKEN });
    expect(running.authorizerInvocations).toBe(3);
  });

  it('answers unknown paths and methods 403 Missing Authentication Token, as a REST API does', async () => {
    const running = await start(api([route(echoHandler([]))]));
    const unknownPath = await fetch(`${running.url}/ia/faces/nothing`, { method: 'POST', headers: { Authorization: ALLOWED_TOKEN } });
    expect(unknownPath.status).toBe(403);
    expect(await unknownPath.json()).toEqual({ message: 'Missing Authentication Token' });
    const wrongMethod = await fetch(`${running.url}/ia/faces/bulkUpload`, { headers: { Authorization: ALLOWED_TOKEN } });
    expect(wrongMethod.status).toBe(403);
    expect(wrongMethod.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
  });

  it('answers 413 Request Too Long for a body over 10 MB, declared or streamed, without calling the handler', async () => {
    const captured: Captured[] = [];
    const running = await start(api([route(echoHandler(captured))]));
    const eleven = new Uint8Array(11 * 1024 * 1024);
    const declared = await upload(running.url, { token: ALLOWED_TOKEN, body: eleven, headers: { 'Content-Type': 'multipart/form-data; boundary=x' } });
    expect(declared.status).toBe(413);
    expect(await declared.json()).toEqual({ message: 'Request Too Long' });

    const streamed = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const request = httpRequest(`${running.url}/ia/faces/bulkUpload`, {
        method: 'POST',
        headers: { Authorization: ALLOWED_TOKEN, 'Content-Type': 'multipart/form-data; boundary=x' },
      });
      request.on('response', (response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => (body += chunk.toString()));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      });
      request.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024);
      for (let index = 0; index < 11; index += 1) request.write(chunk);
      request.end();
    });
    expect(streamed).toEqual({ status: 413, body: '{"message":"Request Too Long"}' });
    expect(captured).toHaveLength(0);
  });

  it("answers 413 when the base64 event would exceed Lambda's 6 MB invocation limit", async () => {
    const captured: Captured[] = [];
    const running = await start(api([route(echoHandler(captured))]));
    const fiveMegabytes = new Uint8Array(5 * 1024 * 1024);
    const response = await upload(running.url, {
      token: ALLOWED_TOKEN,
      body: fiveMegabytes,
      headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Too Long' });
    expect(captured).toHaveLength(0);
    const fourMegabytes = await upload(running.url, {
      token: ALLOWED_TOKEN,
      body: new Uint8Array(4 * 1024 * 1024),
      headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
    });
    expect(fourMegabytes.status).toBe(201);
  });

  it('answers 502 Internal server error when the handler throws, returns a malformed result or one over 6 MB', async () => {
    const running = await start(
      api([
        route(async () => Promise.reject(new Error('boom'))),
        route(async () => ({ body: 'no status' }) as never, { resource: '/malformed' }),
        route(async () => ({ statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024 + 200) }), { resource: '/oversized' }),
      ]),
    );
    const thrown = await upload(running.url, { token: ALLOWED_TOKEN });
    expect(thrown.status).toBe(502);
    expect(await thrown.json()).toEqual({ message: 'Internal server error' });
    const malformed = await fetch(`${running.url}/malformed`, { method: 'POST', headers: { Authorization: ALLOWED_TOKEN } });
    expect(malformed.status).toBe(502);
    const oversized = await fetch(`${running.url}/oversized`, { method: 'POST', headers: { Authorization: ALLOWED_TOKEN } });
    expect(oversized.status).toBe(502);
  });

  it('answers 504 Endpoint request timed out when the integration timeout passes first', async () => {
    const slow: ProxyHandler = () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200, body: '' }), 2_000));
    const running = await start({ ...api([route(slow)]), integrationTimeoutMs: 100 });
    const response = await upload(running.url, { token: ALLOWED_TOKEN });
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  it('decodes a base64 proxy result before sending it', async () => {
    const running = await start(
      api([route(async () => ({ statusCode: 200, headers: { 'Content-Type': 'text/plain' }, body: Buffer.from('hello').toString('base64'), isBase64Encoded: true }))]),
    );
    const response = await upload(running.url, { token: ALLOWED_TOKEN });
    expect(await response.text()).toBe('hello');
  });
});
