// Every answer API Gateway itself gives (before or instead of the integration), with the status, body and
// x-amzn-ErrorType header a deployed REST API sends, so clients see locally what they will see on AWS.

export interface GatewayResponse {
  statusCode: number;
  errorType: string;
  body: { message: string | null };
}

function gatewayResponse(statusCode: number, errorType: string, message: string | null): GatewayResponse {
  return { statusCode, errorType, body: { message } };
}

export const gatewayResponses = {
  /** MISSING_AUTHENTICATION_TOKEN: also what REST APIs answer for an unknown path or method. */
  missingAuthenticationToken: gatewayResponse(403, 'MissingAuthenticationTokenException', 'Missing Authentication Token'),
  /** UNAUTHORIZED: no identity header, or the TOKEN authorizer threw 'Unauthorized'. */
  unauthorized: gatewayResponse(401, 'UnauthorizedException', 'Unauthorized'),
  /** ACCESS_DENIED: the authorizer's policy denies the method explicitly. */
  explicitDeny: gatewayResponse(403, 'AccessDeniedException', 'User is not authorized to access this resource with an explicit deny'),
  /** ACCESS_DENIED: the authorizer's policy does not allow the method. */
  notAllowed: gatewayResponse(403, 'AccessDeniedException', 'User is not authorized to access this resource'),
  /** AUTHORIZER_CONFIGURATION_ERROR: the authorizer failed or returned something that is not a policy. */
  authorizerFailure: gatewayResponse(500, 'AuthorizerConfigurationException', null),
  /** REQUEST_TOO_LARGE: the body is over API Gateway's 10 MB payload quota (not customizable on AWS either). */
  requestTooLarge: gatewayResponse(413, 'RequestTooLargeException', 'Request Too Long'),
  /**
   * The event is over Lambda's 6 MB synchronous invocation limit: Lambda refuses the invoke with
   * RequestEntityTooLargeException and API Gateway answers 413 with this body (observed on a deployed REST API).
   */
  lambdaPayloadTooLarge: gatewayResponse(413, 'BadRequestException', 'Request Too Long'),
  /** The function threw, timed out inside Lambda, or returned a malformed proxy response. */
  integrationFailure: gatewayResponse(502, 'InternalServerErrorException', 'Internal server error'),
  /** INTEGRATION_TIMEOUT: no answer within the integration timeout (29 s by default). */
  integrationTimeout: gatewayResponse(504, 'IntegrationTimeoutException', 'Endpoint request timed out'),
} as const satisfies Record<string, GatewayResponse>;

/** Not an API Gateway answer: the local stack listens before its parts are ready and says so until they are. */
export const localStackStarting: GatewayResponse = gatewayResponse(
  503,
  'ServiceUnavailableException',
  'The local stack is still starting; retry when GET /health answers 200',
);
