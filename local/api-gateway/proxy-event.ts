// Builds the REST API Lambda proxy event exactly as API Gateway sends it: header names keep the client's case,
// repeated headers and query parameters appear in the multi-value maps, and the body is base64 only for
// content types listed in binaryMediaTypes (anything else is passed as UTF-8 text, as on AWS).
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface IncomingRequest {
  method: string;
  /** Path as requested, without the query string. */
  path: string;
  /** Query string without the leading '?', possibly empty. */
  query: string;
  /** Alternating names and values as received (Node's `rawHeaders`), so the client's case is kept. */
  rawHeaders: string[];
  body: Buffer;
  sourceIp: string;
}

export interface RouteMatch {
  resource: string;
  pathParameters: Record<string, string> | null;
}

export interface ProxyEventSettings {
  stage: string;
  apiId: string;
  accountId: string;
  requestId: string;
  binaryMediaTypes: readonly string[];
  /** Authorizer context with principalId; values already turned into strings as API Gateway does. */
  authorizer: Record<string, string | number> | null;
  now: Date;
}

export function headerValue(rawHeaders: string[], name: string): string | undefined {
  let found: string | undefined;
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    if (rawHeaders[index]!.toLowerCase() === name.toLowerCase()) found = rawHeaders[index + 1];
  }
  return found;
}

export function isBinaryMediaType(contentType: string | undefined, binaryMediaTypes: readonly string[]): boolean {
  if (!contentType) return false;
  const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
  const [type, subtype] = mediaType.split('/');
  return binaryMediaTypes.some((listed) => {
    const [listedType, listedSubtype] = listed.toLowerCase().split('/');
    return (listedType === '*' || listedType === type) && (listedSubtype === '*' || listedSubtype === subtype);
  });
}

function headerMaps(rawHeaders: string[]): Pick<APIGatewayProxyEvent, 'headers' | 'multiValueHeaders'> {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let index = 0; index + 1 < rawHeaders.length; index += 2) {
    const name = rawHeaders[index]!;
    const value = rawHeaders[index + 1]!;
    headers[name] = value;
    (multiValueHeaders[name] ??= []).push(value);
  }
  return { headers, multiValueHeaders };
}

function queryMaps(query: string): Pick<APIGatewayProxyEvent, 'queryStringParameters' | 'multiValueQueryStringParameters'> {
  const parameters = new URLSearchParams(query);
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of parameters) {
    single[name] = value;
    (multi[name] ??= []).push(value);
  }
  const empty = Object.keys(single).length === 0;
  return { queryStringParameters: empty ? null : single, multiValueQueryStringParameters: empty ? null : multi };
}

/** Formats like API Gateway's requestTime: 04/Dec/2026:20:05:45 +0000. */
function requestTime(now: Date): string {
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(now.getUTCDate())}/${months[now.getUTCMonth()]}/${now.getUTCFullYear()}:${pad(now.getUTCHours())}:${pad(
    now.getUTCMinutes(),
  )}:${pad(now.getUTCSeconds())} +0000`;
}

export function buildProxyEvent(request: IncomingRequest, route: RouteMatch, settings: ProxyEventSettings): APIGatewayProxyEvent {
  const { headers, multiValueHeaders } = headerMaps(request.rawHeaders);
  const binary = isBinaryMediaType(headerValue(request.rawHeaders, 'content-type'), settings.binaryMediaTypes);
  const body = request.body.length === 0 ? null : binary ? request.body.toString('base64') : request.body.toString('utf8');
  return {
    resource: route.resource,
    path: request.path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    ...queryMaps(request.query),
    pathParameters: route.pathParameters,
    stageVariables: null,
    requestContext: {
      accountId: settings.accountId,
      apiId: settings.apiId,
      authorizer: settings.authorizer,
      domainName: headerValue(request.rawHeaders, 'host') ?? 'localhost',
      domainPrefix: (headerValue(request.rawHeaders, 'host') ?? 'localhost').split('.')[0],
      extendedRequestId: settings.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: null,
        userAgent: headerValue(request.rawHeaders, 'user-agent') ?? null,
        userArn: null,
      },
      path: `/${settings.stage}${request.path}`,
      protocol: 'HTTP/1.1',
      requestId: settings.requestId,
      requestTime: requestTime(settings.now),
      requestTimeEpoch: settings.now.getTime(),
      resourceId: settings.apiId,
      resourcePath: route.resource,
      stage: settings.stage,
    },
    body,
    isBase64Encoded: binary && body !== null,
  };
}
