import { describe, expect, it } from 'vitest';
import { buildProxyEvent, isBinaryMediaType, type IncomingRequest, type ProxyEventSettings } from '../../../local/api-gateway/proxy-event.js';

const settings: ProxyEventSettings = {
  stage: 'local',
  apiId: 'api123',
  accountId: '000000000000',
  requestId: 'request-1',
  binaryMediaTypes: ['multipart/form-data'],
  authorizer: { principalId: 'tenant-1', tenantId: 'tenant-1' },
  now: new Date(Date.UTC(2026, 11, 4, 20, 5, 45)),
};

function request(overrides: Partial<IncomingRequest> = {}): IncomingRequest {
  return {
    method: 'POST',
    path: '/ia/faces/bulkUpload',
    query: '',
    rawHeaders: ['Host', '127.0.0.1:3000', 'Content-Type', 'application/json'],
    body: Buffer.from('{"a":1}'),
    sourceIp: '127.0.0.1',
    ...overrides,
  };
}

const route = { resource: '/ia/faces/bulkUpload', pathParameters: null };

describe('the REST proxy event', () => {
  it('keeps header names as the client sent them and lists repeated headers in multiValueHeaders', () => {
    const event = buildProxyEvent(
      request({ rawHeaders: ['authorization', 'token-a', 'X-Custom', 'one', 'X-Custom', 'two'] }),
      route,
      settings,
    );
    expect(event.headers).toEqual({ authorization: 'token-a', 'X-Custom': 'two' });
    expect(event.multiValueHeaders).toEqual({ authorization: ['token-a'], 'X-Custom': ['one', 'two'] });
  });

  it('gives query parameters in both maps, and null for both when there are none', () => {
    const withQuery = buildProxyEvent(request({ query: 'a=1&b=2&a=3' }), route, settings);
    expect(withQuery.queryStringParameters).toEqual({ a: '3', b: '2' });
    expect(withQuery.multiValueQueryStringParameters).toEqual({ a: ['1', '3'], b: ['2'] });
    const without = buildProxyEvent(request(), route, settings);
    expect(without.queryStringParameters).toBeNull();
    expect(without.multiValueQueryStringParameters).toBeNull();
  });

  it('base64-encodes a multipart body, byte for byte, because multipart/form-data is a binary media type', () => {
    const bytes = Buffer.from([0, 255, 13, 10, 128, 64]);
    const event = buildProxyEvent(
      request({ rawHeaders: ['Content-Type', 'multipart/form-data; boundary=x'], body: bytes }),
      route,
      settings,
    );
    expect(event.isBase64Encoded).toBe(true);
    expect(Buffer.from(event.body!, 'base64').equals(bytes)).toBe(true);
  });

  it('passes a JSON body as text', () => {
    const event = buildProxyEvent(request(), route, settings);
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe('{"a":1}');
  });

  it('gives a null body when the request has none', () => {
    expect(buildProxyEvent(request({ body: Buffer.alloc(0) }), route, settings).body).toBeNull();
  });

  it('fills the request context with the stage, request id, source ip and authorizer context', () => {
    const event = buildProxyEvent(request({ rawHeaders: ['User-Agent', 'curl/8'] }), route, settings);
    expect(event.resource).toBe('/ia/faces/bulkUpload');
    expect(event.requestContext).toMatchObject({
      stage: 'local',
      requestId: 'request-1',
      path: '/local/ia/faces/bulkUpload',
      resourcePath: '/ia/faces/bulkUpload',
      httpMethod: 'POST',
      authorizer: { principalId: 'tenant-1', tenantId: 'tenant-1' },
      identity: { sourceIp: '127.0.0.1', userAgent: 'curl/8' },
      requestTime: '04/Dec/2026:20:05:45 +0000',
      requestTimeEpoch: settings.now.getTime(),
    });
  });
});

describe('binary media types', () => {
  it('match whatever the case and parameters of the content type', () => {
    expect(isBinaryMediaType('Multipart/Form-Data; boundary=abc', ['multipart/form-data'])).toBe(true);
    expect(isBinaryMediaType('application/json', ['multipart/form-data'])).toBe(false);
    expect(isBinaryMediaType(undefined, ['multipart/form-data'])).toBe(false);
  });

  it('support wildcards as API Gateway does', () => {
    expect(isBinaryMediaType('image/png', ['image/*'])).toBe(true);
    expect(isBinaryMediaType('application/json', ['*/*'])).toBe(true);
  });
});
