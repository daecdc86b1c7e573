import { describe, expect, it } from 'vitest';
import { gatewayResponses, renderGatewayResponse, type GatewayResponseCustomization } from '../../../local/api-gateway/gateway-responses.js';

const customizations: GatewayResponseCustomization[] = [
  {
    type: 'MISSING_AUTHENTICATION_TOKEN',
    statusCode: 404,
    template: '{"message":"No such endpoint.","error":{"code":"NOT_FOUND"}}',
  },
  { type: 'DEFAULT_4XX', template: '{"message":$context.error.messageString,"error":{"code":"BAD_REQUEST"}}' },
  { type: 'REQUEST_TOO_LARGE', statusCode: 400, template: '{"message":"custom"}' },
];

describe('gateway responses', () => {
  it("are API Gateway's defaults when the API customizes nothing", () => {
    expect(renderGatewayResponse(gatewayResponses.missingAuthenticationToken)).toEqual({
      statusCode: 403,
      headers: { 'content-type': 'application/json', 'x-amzn-errortype': 'MissingAuthenticationTokenException' },
      body: '{"message":"Missing Authentication Token"}',
    });
    expect(renderGatewayResponse(gatewayResponses.authorizerFailure).body).toBe('{"message":null}');
  });

  it('take the status and template the API gives their type', () => {
    const rendered = renderGatewayResponse(gatewayResponses.missingAuthenticationToken, customizations);
    expect(rendered.statusCode).toBe(404);
    expect(JSON.parse(rendered.body)).toEqual({ message: 'No such endpoint.', error: { code: 'NOT_FOUND' } });
  });

  it("fall back to DEFAULT_4XX, with API Gateway's message substituted as a JSON string", () => {
    const rendered = renderGatewayResponse(gatewayResponses.explicitDeny, customizations);
    expect(rendered.statusCode).toBe(403);
    expect(JSON.parse(rendered.body)).toEqual({
      message: 'User is not authorized to access this resource with an explicit deny',
      error: { code: 'BAD_REQUEST' },
    });
  });

  it('keep a 5xx default when only DEFAULT_4XX is customized', () => {
    expect(renderGatewayResponse(gatewayResponses.integrationFailure, customizations).body).toBe('{"message":"Internal server error"}');
  });

  it('ignore customizations of REQUEST_TOO_LARGE, which AWS does not apply', () => {
    const rendered = renderGatewayResponse(gatewayResponses.requestTooLarge, customizations);
    expect(rendered.statusCode).toBe(413);
    expect(rendered.body).toBe('{"message":"Request Too Long"}');
  });
});
