import { ResponseType, type RestApi } from 'aws-cdk-lib/aws-apigateway';

/**
 * The answers API Gateway gives on its own (before or instead of the upload handler), in the API's error shape
 * `{"message": ..., "error": {"code": ...}}` with codes in the style of lambda/core/errors.ts, each telling the
 * client what went wrong and what to do.
 */
interface GatewayErrorResponse {
  id: string;
  type: ResponseType;
  /** Overrides API Gateway's status; unset keeps it. */
  statusCode?: string;
  code: string;
  /** A fixed sentence, or unset to pass API Gateway's own message through. */
  message?: string;
  headers?: Record<string, string>;
}

export const GATEWAY_ERROR_RESPONSES: readonly GatewayErrorResponse[] = [
  {
    id: 'Unauthorized',
    type: ResponseType.UNAUTHORIZED,
    statusCode: '401',
    code: 'UNAUTHORIZED',
    message:
      'The Authorization header is missing or its token is unknown. Send the token you were given as ' +
      '"Authorization: <token>" (or "Authorization: Bearer <token>").',
  },
  {
    id: 'AccessDenied',
    type: ResponseType.ACCESS_DENIED,
    statusCode: '403',
    code: 'FORBIDDEN',
    message: 'This token has been revoked. Ask the API operator for a new token.',
  },
  {
    // API Gateway's answer to an unknown path or method is a misleading 403 "Missing Authentication Token".
    id: 'UnknownRoute',
    type: ResponseType.MISSING_AUTHENTICATION_TOKEN,
    statusCode: '404',
    code: 'NOT_FOUND',
    message: 'No such endpoint. Upload images with POST /ia/faces/bulkUpload.',
  },
  {
    id: 'RequestTooLarge',
    type: ResponseType.REQUEST_TOO_LARGE,
    statusCode: '413',
    code: 'REQUEST_TOO_LARGE',
    message:
      'The request body is too large. One request carries about 4.4 MB of images at most; split the batch ' +
      'into several requests.',
  },
  {
    id: 'Throttled',
    type: ResponseType.THROTTLED,
    statusCode: '429',
    code: 'THROTTLED',
    message: 'Too many requests. Wait a moment, then retry with fewer requests in parallel.',
    headers: { 'Retry-After': '1' },
  },
  {
    id: 'IntegrationTimeout',
    type: ResponseType.INTEGRATION_TIMEOUT,
    statusCode: '504',
    code: 'GATEWAY_TIMEOUT',
    message:
      'Indexing took longer than API Gateway waits (29 seconds). Send fewer images per request and retry; ' +
      'images already indexed are not indexed twice: sending them again returns their faces.',
  },
  { id: 'Default4xx', type: ResponseType.DEFAULT_4XX, code: 'BAD_REQUEST' },
  {
    id: 'Default5xx',
    type: ResponseType.DEFAULT_5XX,
    code: 'INTERNAL_ERROR',
    message: 'The service failed to process the request. Retry later; if it persists, contact the API operator.',
  },
];

export function addGatewayErrorResponses(api: RestApi): void {
  for (const response of GATEWAY_ERROR_RESPONSES) {
    api.addGatewayResponse(response.id, {
      type: response.type,
      statusCode: response.statusCode,
      responseHeaders: {
        'Content-Type': "'application/json'",
        ...Object.fromEntries(Object.entries(response.headers ?? {}).map(([name, value]) => [name, `'${value}'`])),
      },
      templates: { 'application/json': errorBodyTemplate(response) },
    });
  }
}

function errorBodyTemplate({ message, code }: GatewayErrorResponse): string {
  // $context.error.messageString is API Gateway's message already quoted as a JSON string.
  const messageJson = message === undefined ? '$context.error.messageString' : JSON.stringify(message);
  return `{"message":${messageJson},"error":{"code":${JSON.stringify(code)}}}`;
}
