// The local API Gateway: an HTTP server that does what a deployed REST API with Lambda proxy integrations does
// (route, size limits, TOKEN authorizer with caching, proxy event, Lambda context and timeout, proxy result
// back to HTTP), so the real handlers run unchanged behind it.
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  gatewayResponses,
  localStackStarting,
  renderGatewayResponse,
  type GatewayResponse,
  type GatewayResponseCustomization,
} from './gateway-responses.js';
import { answerForClientError, MAX_HEADER_BYTES, sendOnSocket } from './http-errors.js';
import { createLambdaContext, type LambdaFunctionSettings } from './lambda-context.js';
import { buildProxyEvent, headerValue, type IncomingRequest, type RouteMatch } from './proxy-event.js';
import { matchResource } from './route-table.js';
import { serveWebPage } from '../web/static-site.js';
import { createCachingAuthorizer, type CachingAuthorizer, type TokenAuthorizerHandler } from './token-authorizer.js';

export type ProxyHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** API Gateway's payload quota for REST APIs (10 MB) and Lambda's synchronous invocation limit (6 MB). */
export const API_GATEWAY_MAX_REQUEST_BYTES = 10 * 1024 * 1024;
export const LAMBDA_MAX_EVENT_BYTES = 6 * 1024 * 1024;
/** Lambda refuses a synchronous response over 6 MB + 100 bytes; API Gateway then answers 502. */
export const LAMBDA_MAX_RESPONSE_BYTES = 6 * 1024 * 1024 + 100;
/** REST API default integration timeout. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;
/** Long enough for 10 MB over a slow uplink; a client that stalls mid-body is answered 408 after it. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 60_000;

export interface LambdaProxyRoute {
  /** An HTTP method, or 'ANY'. */
  method: string;
  resource: string;
  handler: ProxyHandler;
  function: Omit<LambdaFunctionSettings, 'region' | 'accountId'>;
}

export interface RestApiDefinition {
  stage: string;
  binaryMediaTypes: readonly string[];
  authorizer: { handler: TokenAuthorizerHandler; identityHeader?: string; ttlSeconds: number };
  routes: readonly LambdaProxyRoute[];
  integrationTimeoutMs?: number;
  /** The API's customized gateway responses; API Gateway's defaults otherwise. */
  gatewayResponses?: readonly GatewayResponseCustomization[];
}

export interface ApiGatewayOptions {
  port?: number;
  host?: string;
  /** The API to serve; without it every API request answers 503 until `serve` is called (GET /health says so). */
  api?: RestApiDefinition;
  region: string;
  accountId?: string;
  apiId?: string;
  limits?: {
    maxRequestBytes?: number;
    maxEventBytes?: number;
    /** How long a client may take to send the whole request, headers and body (60 s). */
    requestTimeoutMs?: number;
  };
  /** One line per request; receives no token and no body. */
  log?: (line: Record<string, unknown>) => void;
}

export interface RunningApiGateway {
  url: string;
  port: number;
  serve(api: RestApiDefinition): void;
  /** Authorizer invocations since `serve`; how tests see the cache at work. */
  readonly authorizerInvocations: number;
  close(): Promise<void>;
}

interface ServedApi {
  definition: RestApiDefinition;
  authorizer: CachingAuthorizer;
}

class PayloadTooLarge extends Error {}

/** The client stopped sending before the body was complete (it closed its side, or Node gave up waiting). */
const incompleteBody: GatewayResponse = {
  type: 'INCOMPLETE_BODY',
  statusCode: 400,
  errorType: 'BadRequestException',
  message: 'The request body ended before its declared Content-Length; send the whole body.',
  customizable: false,
};

/** Reads the body up to `limit` bytes; beyond that it stops keeping bytes, so a huge upload never sits in memory. */
async function readBodyWithin(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) throw new PayloadTooLarge();
  const chunks: Buffer[] = [];
  let received = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    received += chunk.length;
    if (received > limit) throw new PayloadTooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, received);
}

/** Sends API Gateway's own answer, customized as the API says; returns the status sent. */
function sendGatewayResponse(
  response: ServerResponse,
  gatewayResponse: GatewayResponse,
  requestId: string,
  customizations: readonly GatewayResponseCustomization[] = [],
): number {
  const rendered = renderGatewayResponse(gatewayResponse, customizations);
  response.writeHead(rendered.statusCode, { ...rendered.headers, 'content-length': Buffer.byteLength(rendered.body), 'x-amzn-requestid': requestId });
  response.end(rendered.body);
  return rendered.statusCode;
}

function isProxyResult(result: unknown): result is APIGatewayProxyResult {
  const candidate = result as APIGatewayProxyResult | undefined;
  return (
    typeof candidate === 'object' &&
    candidate !== null &&
    Number.isInteger(candidate.statusCode) &&
    (candidate.body === undefined || candidate.body === null || typeof candidate.body === 'string')
  );
}

function sendProxyResult(response: ServerResponse, result: APIGatewayProxyResult, requestId: string): void {
  const body = result.body ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const headers: Record<string, string | string[]> = {};
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name.toLowerCase()] = values.map(String);
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name.toLowerCase()] = String(value);
  headers['content-type'] ??= 'application/json';
  headers['content-length'] = String(body.length);
  headers['x-amzn-requestid'] = requestId;
  response.writeHead(result.statusCode, headers);
  response.end(body);
}

type InvocationOutcome = { result: APIGatewayProxyResult } | { failure: GatewayResponse };

async function invoke(route: LambdaProxyRoute, event: APIGatewayProxyEvent, context: Context, integrationTimeoutMs: number): Promise<InvocationOutcome> {
  const gatewayGivesUpFirst = integrationTimeoutMs <= route.function.timeoutMs;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<InvocationOutcome>((resolve) => {
    timer = setTimeout(
      () => resolve({ failure: gatewayGivesUpFirst ? gatewayResponses.integrationTimeout : gatewayResponses.integrationFailure }),
      Math.min(integrationTimeoutMs, route.function.timeoutMs),
    );
  });
  const run = route.handler(event, context).then(
    (result): InvocationOutcome =>
      isProxyResult(result) && Buffer.byteLength(JSON.stringify(result)) <= LAMBDA_MAX_RESPONSE_BYTES
        ? { result }
        : { failure: gatewayResponses.integrationFailure },
    (error: unknown): InvocationOutcome => {
      // What CloudWatch would show for the function; the client only gets API Gateway's 502.
      console.error(`[api-gateway] ${route.function.functionName} failed:`, error);
      return { failure: gatewayResponses.integrationFailure };
    },
  );
  try {
    return await Promise.race([run, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function startApiGateway(options: ApiGatewayOptions): Promise<RunningApiGateway> {
  const accountId = options.accountId ?? '000000000000';
  const apiId = options.apiId ?? 'local';
  const maxRequestBytes = options.limits?.maxRequestBytes ?? API_GATEWAY_MAX_REQUEST_BYTES;
  const maxEventBytes = options.limits?.maxEventBytes ?? LAMBDA_MAX_EVENT_BYTES;
  let served: ServedApi | undefined;

  function serve(definition: RestApiDefinition): void {
    served = {
      definition,
      authorizer: createCachingAuthorizer({ handler: definition.authorizer.handler, ttlSeconds: definition.authorizer.ttlSeconds }),
    };
  }

  function findRoute(api: RestApiDefinition, method: string, path: string): { route: LambdaProxyRoute; match: RouteMatch } | undefined {
    for (const route of api.routes) {
      if (route.method !== 'ANY' && route.method !== method) continue;
      const match = matchResource(route.resource, path);
      if (match) return { route, match };
    }
    return undefined;
  }

  async function handle(request: IncomingMessage, response: ServerResponse, requestId: string): Promise<number> {
    // Concatenated, not resolved against a base: a path such as //x must stay a path, not become a host.
    const url = new URL(`http://localhost${request.url ?? '/'}`);
    const method = request.method ?? 'GET';
    if (method === 'GET' && url.pathname === '/health') {
      const status = served ? 200 : 503;
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: served ? 'ready' : 'starting' }));
      return status;
    }
    // The upload page (local only, like /health): a deployed API has no such route.
    if (serveWebPage(request, response)) return response.statusCode;
    if (!served) return sendGatewayResponse(response, localStackStarting, requestId);
    const { definition, authorizer } = served;
    const reply = (gatewayResponse: GatewayResponse) => sendGatewayResponse(response, gatewayResponse, requestId, definition.gatewayResponses);
    const found = findRoute(definition, method, url.pathname);
    if (!found) return reply(gatewayResponses.missingAuthenticationToken);

    let body: Buffer;
    try {
      body = await readBodyWithin(request, maxRequestBytes);
    } catch (error) {
      if (error instanceof PayloadTooLarge) return reply(gatewayResponses.requestTooLarge);
      // Aborted mid-body: the answer reaches the client only if its connection still reads.
      if (response.writable && !response.headersSent) return reply(incompleteBody);
      return incompleteBody.statusCode;
    }

    const incoming: IncomingRequest = {
      method,
      path: url.pathname,
      query: url.search.slice(1),
      rawHeaders: request.rawHeaders,
      body,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
    };
    const identityHeader = definition.authorizer.identityHeader ?? 'Authorization';
    const methodArn = `arn:aws:execute-api:${options.region}:${accountId}:${apiId}/${definition.stage}/${method}${found.match.resource}`;
    const authorization = await authorizer.authorize(headerValue(request.rawHeaders, identityHeader), methodArn);
    if (!authorization.allowed) return reply(authorization.response);

    const event = buildProxyEvent(incoming, found.match, {
      stage: definition.stage,
      apiId,
      accountId,
      requestId,
      binaryMediaTypes: definition.binaryMediaTypes,
      authorizer: authorization.context,
      now: new Date(),
    });
    if (Buffer.byteLength(JSON.stringify(event)) > maxEventBytes) return reply(gatewayResponses.lambdaPayloadTooLarge);
    const functionSettings: LambdaFunctionSettings = { ...found.route.function, region: options.region, accountId };
    const context = createLambdaContext(functionSettings, randomUUID());
    const outcome = await invoke(found.route, event, context, definition.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS);
    if ('failure' in outcome) return reply(outcome.failure);
    sendProxyResult(response, outcome.result, requestId);
    return outcome.result.statusCode;
  }

  const requestTimeoutMs = options.limits?.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  // Node checks the request timeout on this interval; the default (30 s) would make short timeouts late.
  const serverOptions = { maxHeaderSize: MAX_HEADER_BYTES, requestTimeout: requestTimeoutMs, connectionsCheckingInterval: Math.min(1000, requestTimeoutMs) };
  const server = createServer(serverOptions, (request, response) => {
    const requestId = randomUUID();
    const started = Date.now();
    handle(request, response, requestId)
      .then((status) => options.log?.({ requestId, method: request.method, path: request.url?.split('?')[0], status, ms: Date.now() - started }))
      .catch((error: unknown) => {
        console.error('[api-gateway] request failed:', error);
        if (!response.headersSent) sendGatewayResponse(response, gatewayResponses.integrationFailure, requestId, served?.definition.gatewayResponses);
        else response.destroy();
      });
  });
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    const answer = answerForClientError(error, requestTimeoutMs);
    if (!answer) {
      socket.destroy();
      return;
    }
    sendOnSocket(socket, answer);
    options.log?.({ requestId: randomUUID(), status: answer.status, error: answer.code });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  if (options.api) serve(options.api);

  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    serve,
    get authorizerInvocations() {
      return served?.authorizer.invocations ?? 0;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
