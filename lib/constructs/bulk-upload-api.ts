import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import {
  AccessLogField,
  AccessLogFormat,
  AuthorizationType,
  EndpointType,
  IdentitySource,
  LambdaIntegration,
  LogGroupLogDestination,
  MethodLoggingLevel,
  RequestValidator,
  RestApi,
  TokenAuthorizer,
} from 'aws-cdk-lib/aws-apigateway';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { addGatewayErrorResponses } from './gateway-error-responses.js';

export const BULK_UPLOAD_PATH = 'ia/faces/bulkUpload';

export interface BulkUploadApiProps {
  stage: string;
  authorizerFunction: IFunction;
  uploadFunction: IFunction;
  throttling: { rateLimit: number; burstLimit: number };
  logRetention: RetentionDays;
  createCloudWatchRole: boolean;
}

/** The REST API: `POST /ia/faces/bulkUpload` behind the token authorizer, with access logs and throttling. */
export class BulkUploadApi extends Construct {
  readonly api: RestApi;
  /** The full URL clients post their images to. */
  readonly bulkUploadUrl: string;

  constructor(scope: Construct, id: string, props: BulkUploadApiProps) {
    super(scope, id);

    const authorizer = new TokenAuthorizer(this, 'TokenAuthorizer', {
      handler: props.authorizerFunction,
      identitySource: IdentitySource.header('Authorization'),
      // The authorizer answers with a policy for the whole API, so one cached answer serves every method.
      resultsCacheTtl: Duration.seconds(300),
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.api = new RestApi(this, 'Api', {
      restApiName: `facegate-${props.stage}`,
      description: 'facegate: bulk face indexing into Amazon Rekognition collections',
      endpointTypes: [EndpointType.REGIONAL],
      // Exactly this type: only matching requests reach the handler base64-encoded with their bytes intact,
      // and a wider pattern (*/*) would base64-encode every other body too.
      binaryMediaTypes: ['multipart/form-data'],
      cloudWatchRole: props.createCloudWatchRole,
      // The role is account-wide: deleting this stack must not silence the logs of the account's other APIs.
      ...(props.createCloudWatchRole ? { cloudWatchRoleRemovalPolicy: RemovalPolicy.RETAIN } : {}),
      defaultMethodOptions: { authorizer, authorizationType: AuthorizationType.CUSTOM },
      deployOptions: {
        stageName: props.stage,
        throttlingRateLimit: props.throttling.rateLimit,
        throttlingBurstLimit: props.throttling.burstLimit,
        metricsEnabled: true,
        loggingLevel: MethodLoggingLevel.ERROR,
        // Full request logging would write tokens and face photos to CloudWatch.
        dataTraceEnabled: false,
        accessLogDestination: new LogGroupLogDestination(accessLogs),
        accessLogFormat: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });
    addGatewayErrorResponses(this.api);
    const cloudWatchRole = this.api.node.tryFindChild('CloudWatchRole');
    if (cloudWatchRole) {
      Validations.of(cloudWatchRole).acknowledge({
        id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
        reason:
          'The policy AWS maintains for API Gateway\'s account-wide logging role: it only creates and writes ' +
          'CloudWatch log groups, which API Gateway needs for every stage of the account.',
      });
    }

    // What API Gateway can check is that the request carries the header the authorizer needs; the multipart body
    // has no model (see the APIG2 acknowledgement below).
    const requestValidator = new RequestValidator(this, 'RequestValidator', {
      restApi: this.api,
      validateRequestParameters: true,
      validateRequestBody: false,
    });
    this.api.root.resourceForPath(BULK_UPLOAD_PATH).addMethod(
      'POST',
      new LambdaIntegration(props.uploadFunction, { allowTestInvoke: false }),
      { requestValidator, requestParameters: { 'method.request.header.Authorization': true } },
    );
    this.bulkUploadUrl = this.api.urlForPath(`/${BULK_UPLOAD_PATH}`);

    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-COG4',
        reason:
          'Tenants are machines holding opaque API tokens, not Cognito users: the TOKEN authorizer checks every ' +
          'request against the tenants table.',
      },
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Request parameters are validated; the body is multipart/form-data, which no API Gateway model can ' +
          'describe, so the upload handler validates it (form fields, counts, sizes, image formats).',
      },
      {
        id: 'AwsSolutions-APIG3',
        reason:
          'No WAF web ACL by default (it is billed per ACL and rule): the token authorizer rejects anonymous ' +
          'callers and the stage throttles every client. Associate a web ACL with the stage when the API is ' +
          'exposed to untrusted networks at scale.',
      },
    );
  }
}

// One JSON object per request. Neither the Authorization header nor the body appears: tokens and photos stay out
// of the logs.
const ACCESS_LOG_FIELDS = {
  requestId: AccessLogField.contextRequestId(),
  extendedRequestId: AccessLogField.contextExtendedRequestId(),
  requestTime: AccessLogField.contextRequestTime(),
  sourceIp: AccessLogField.contextIdentitySourceIp(),
  userAgent: AccessLogField.contextIdentityUserAgent(),
  httpMethod: AccessLogField.contextHttpMethod(),
  resourcePath: AccessLogField.contextResourcePath(),
  protocol: AccessLogField.contextProtocol(),
  status: AccessLogField.contextStatus(),
  responseLength: AccessLogField.contextResponseLength(),
  responseLatency: AccessLogField.contextResponseLatency(),
  integrationLatency: AccessLogField.contextIntegrationLatency(),
  integrationStatus: AccessLogField.contextIntegrationStatus(),
  tenantId: AccessLogField.contextAuthorizer('tenantId'),
  authorizerLatency: AccessLogField.contextAuthorizerLatency(),
  authorizerError: AccessLogField.contextAuthorizerError(),
  errorType: AccessLogField.contextErrorResponseType(),
  errorMessage: AccessLogField.contextErrorMessage(),
};
