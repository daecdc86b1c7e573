// Every answer API Gateway itself gives (before or instead of the integration): its gateway response type and
// the status, body and x-amzn-ErrorType header a REST API sends by default. An API can customize them (the
// deployed stack does, in lib/constructs/gateway-error-responses.ts); `renderGatewayResponse` applies such
// customizations the way API Gateway does, so local answers match the deployed API's.

export interface GatewayResponse {
  /** API Gateway's gateway response type; customizations are looked up by it, then by DEFAULT_4XX / DEFAULT_5XX. */
  type: string;
  statusCode: number;
  errorType: string;
  message: string | null;
  /** REQUEST_TOO_LARGE cannot be customized on AWS: the default answer is sent whatever the API configures. */
  customizable: boolean;
}

function gatewayResponse(type: string, statusCode: number, errorType: string, message: string | null, customizable = true): GatewayResponse {
  return { type, statusCode, errorType, message, customizable };
}

export const gatewayResponses = {
  /** Also what REST APIs answer for an unknown path or method. */
  missingAuthenticationToken: gatewayResponse('MISSING_AUTHENTICATION_TOKEN', 403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  /** No identity header, or the TOKEN authorizer threw 'Unauthorized'. */
  unauthorized: gatewayResponse('UNAUTHORIZED', 401, 'UnauthorizedException', 'Unauthorized'),
  /** The authorizer's policy denies the method explicitly. */
  explicitDeny: gatewayResponse('ACCESS_DENIED', 403, 'AccessDeniedException', 'User is not authorized to access this resource with an explicit deny'),
  /** The authorizer's policy does not allow the method. */
  notAllowed: gatewayResponse('ACCESS_DENIED', 403, 'AccessDeniedException', 'User is not authorized to access this resource'),
  /** The authorizer failed or returned something that is not a policy. */
  authorizerFailure: gatewayResponse('AUTHORIZER_CONFIGURATION_ERROR', 500, 'AuthorizerConfigurationException', null),
  /** The body is over API Gateway's 10 MB payload quota. */
  requestTooLarge: gatewayResponse('REQUEST_TOO_LARGE', 413, 'RequestTooLargeException', 'Request Too Long', false),
  /**
   * The event is over Lambda's 6 MB synchronous invocation limit: Lambda refuses the invoke with
   * RequestEntityTooLargeException and API Gateway answers 413 with this body (observed on a deployed REST API).
   */
  lambdaPayloadTooLarge: gatewayResponse('REQUEST_TOO_LARGE', 413, 'BadRequestException', 'Request Too Long', false),
  /** The function threw, timed out inside Lambda, or returned a malformed proxy response (DEFAULT_5XX applies). */
  integrationFailure: gatewayResponse('DEFAULT_5XX', 502, 'InternalServerErrorException', 'Internal server error'),
  /** No answer within the integration timeout (29 s by default). */
  integrationTimeout: gatewayResponse('INTEGRATION_TIMEOUT', 504, 'IntegrationTimeoutException', 'Endpoint request timed out'),
} as const satisfies Record<string, GatewayResponse>;

/** Not an API Gateway answer: the local stack listens before its parts are ready and says so until they are. */
export const localStackStarting: GatewayResponse = gatewayResponse(
  'LOCAL_STACK_STARTING',
  503,
  'ServiceUnavailableException',
  'The local stack is still starting; retry when GET /health answers 200',
  false,
);

/** A customization as given to API Gateway (the properties of AWS::ApiGateway::GatewayResponse). */
export interface GatewayResponseCustomization {
  type: string;
  statusCode?: number;
  headers?: Record<string, string>;
  /** The application/json mapping template; only $context.error.* variables are substituted. */
  template?: string;
}

export interface RenderedGatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

function customizationFor(response: GatewayResponse, customizations: readonly GatewayResponseCustomization[]): GatewayResponseCustomization | undefined {
  if (!response.customizable) return undefined;
  const fallback = response.statusCode >= 500 ? 'DEFAULT_5XX' : 'DEFAULT_4XX';
  return customizations.find((custom) => custom.type === response.type) ?? customizations.find((custom) => custom.type === fallback);
}

export function renderGatewayResponse(response: GatewayResponse, customizations: readonly GatewayResponseCustomization[] = []): RenderedGatewayResponse {
  const custom = customizationFor(response, customizations);
  const body = custom?.template
    ? custom.template
        .replaceAll('$context.error.messageString', JSON.stringify(response.message))
        .replaceAll('$context.error.message', response.message ?? '')
        .replaceAll('$context.error.responseType', response.type)
    : JSON.stringify({ message: response.message });
  return {
    statusCode: custom?.statusCode ?? response.statusCode,
    headers: { 'content-type': 'application/json', 'x-amzn-errortype': response.errorType, ...lowerCaseKeys(custom?.headers ?? {}) },
    body,
  };
}

function lowerCaseKeys(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}
