import { Match, type Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { IMAGE_RECORD_KEY_ATTRIBUTE } from '../../lambda/adapters/dynamodb-image-record-store.js';
import { DEFAULTS } from '../../lambda/config.js';
import { IMAGE_RECORDS_PARTITION_KEY } from '../../lib/constructs/image-records-table.js';
import { synthesizeStack } from './synthesize-stack.js';

type Resource = { Type: string; Properties?: Record<string, any>; DeletionPolicy?: string; UpdateReplacePolicy?: string };

function resourcesOfType(template: Template, type: string): Array<[string, Resource]> {
  return Object.entries(template.findResources(type) as Record<string, Resource>);
}

function onlyResource(template: Template, type: string): [string, Resource] {
  const found = resourcesOfType(template, type);
  expect(found, `exactly one ${type}`).toHaveLength(1);
  return found[0]!;
}

function functionByDescription(template: Template, description: string): [string, Resource] {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').filter(([, r]) => r.Properties?.Description === description);
  expect(found, `the function "${description}"`).toHaveLength(1);
  return found[0]!;
}

/** Every statement any policy grants the role of the function described so. */
function statementsOfFunction(template: Template, description: string): unknown[] {
  const [, fn] = functionByDescription(template, description);
  const roleId = fn.Properties!.Role['Fn::GetAtt'][0] as string;
  const role = template.toJSON().Resources[roleId] as Resource;
  expect(role.Properties?.ManagedPolicyArns, 'no managed policy on a function role').toBeUndefined();
  expect(role.Properties?.Policies, 'no inline policy on a function role').toBeUndefined();
  return resourcesOfType(template, 'AWS::IAM::Policy')
    .filter(([, policy]) => (policy.Properties!.Roles as unknown[]).some((ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId })))
    .flatMap(([, policy]) => policy.Properties!.PolicyDocument.Statement as unknown[]);
}

function logGroupOf(template: Template, description: string): string {
  const [, fn] = functionByDescription(template, description);
  return fn.Properties!.LoggingConfig.LogGroup.Ref as string;
}

const getAtt = (logicalId: string) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });

describe('the facegate stack', () => {
  const { template } = synthesizeStack();

  describe('REST API', () => {
    it('serves POST /ia/faces/bulkUpload through the upload function as a Lambda proxy', () => {
      const [, method] = onlyResource(template, 'AWS::ApiGateway::Method');
      expect(method.Properties).toMatchObject({ HttpMethod: 'POST', Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' } });
      const [uploadId] = functionByDescription(template, 'facegate bulk face indexing');
      expect(JSON.stringify(method.Properties!.Integration.Uri)).toContain(uploadId);

      const paths = resourcesOfType(template, 'AWS::ApiGateway::Resource').map(([, r]) => r.Properties!.PathPart);
      expect(paths).toEqual(['ia', 'faces', 'bulkUpload']);
      const [resourceId] = resourcesOfType(template, 'AWS::ApiGateway::Resource').find(([, r]) => r.Properties!.PathPart === 'bulkUpload')!;
      expect(method.Properties!.ResourceId).toEqual({ Ref: resourceId });
    });

    it('passes multipart/form-data, and only that, to the handler as binary', () => {
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        BinaryMediaTypes: ['multipart/form-data'],
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
    });

    it('puts the method behind a TOKEN authorizer on the Authorization header, cached 300 seconds', () => {
      const [authorizerId, authorizer] = onlyResource(template, 'AWS::ApiGateway::Authorizer');
      expect(authorizer.Properties).toMatchObject({
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
        AuthorizerResultTtlInSeconds: 300,
      });
      const [authorizerFunctionId] = functionByDescription(template, 'facegate token authorizer');
      expect(JSON.stringify(authorizer.Properties!.AuthorizerUri)).toContain(authorizerFunctionId);

      const [, method] = onlyResource(template, 'AWS::ApiGateway::Method');
      expect(method.Properties).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
    });

    it('validates that the Authorization header is present', () => {
      const [validatorId] = onlyResource(template, 'AWS::ApiGateway::RequestValidator');
      template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestParameters: true });
      template.hasResourceProperties('AWS::ApiGateway::Method', {
        RequestValidatorId: { Ref: validatorId },
        RequestParameters: { 'method.request.header.Authorization': true },
      });
    });

    it('lets API Gateway invoke the authorizer as this API\'s authorizer and the handler for this route only', () => {
      const [apiId] = onlyResource(template, 'AWS::ApiGateway::RestApi');
      const sourceArnOf = (description: string) => {
        const [functionId] = functionByDescription(template, description);
        const permissions = resourcesOfType(template, 'AWS::Lambda::Permission')
          .map(([, p]) => p.Properties!)
          .filter((p) => JSON.stringify(p.FunctionName).includes(functionId));
        expect(permissions).toHaveLength(1);
        expect(permissions[0]).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'apigateway.amazonaws.com' });
        const sourceArn = JSON.stringify(permissions[0]!.SourceArn);
        expect(sourceArn).toContain(JSON.stringify({ Ref: apiId }));
        return sourceArn;
      };
      expect(sourceArnOf('facegate token authorizer')).toMatch(/\/authorizers\//);
      expect(sourceArnOf('facegate bulk face indexing')).toMatch(/\/POST\/ia\/faces\/bulkUpload"/);
    });

    it('logs every request as one JSON object without the token, and throttles by default', () => {
      const [, stage] = onlyResource(template, 'AWS::ApiGateway::Stage');
      const format = JSON.parse(stage.Properties!.AccessLogSetting.Format as string) as Record<string, string>;
      expect(format).toMatchObject({
        requestId: '$context.requestId',
        status: '$context.status',
        tenantId: '$context.authorizer.tenantId',
        errorMessage: '$context.error.message',
      });
      expect(JSON.stringify(format)).not.toMatch(/Authorization|requestOverride|body/i);
      expect(stage.Properties!.StageName).toBe('prod');
      expect(stage.Properties!.MethodSettings).toEqual([
        expect.objectContaining({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 10,
          ThrottlingBurstLimit: 20,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          MetricsEnabled: true,
        }),
      ]);
      const accessLogGroup = JSON.stringify(stage.Properties!.AccessLogSetting.DestinationArn).match(/"Ref":"(ApiAccessLogs[^"]+)"/)?.[1];
      expect(accessLogGroup).toBeDefined();
      expect(template.toJSON().Resources[accessLogGroup!].Properties.RetentionInDays).toBe(30);
    });

    it.each([
      ['UNAUTHORIZED', '401', 'UNAUTHORIZED'],
      ['ACCESS_DENIED', '403', 'FORBIDDEN'],
      ['MISSING_AUTHENTICATION_TOKEN', '404', 'NOT_FOUND'],
      ['REQUEST_TOO_LARGE', '413', 'REQUEST_TOO_LARGE'],
      ['THROTTLED', '429', 'THROTTLED'],
      ['INTEGRATION_TIMEOUT', '504', 'GATEWAY_TIMEOUT'],
      ['DEFAULT_5XX', undefined, 'INTERNAL_ERROR'],
    ])('answers API Gateway %s errors with status %s in the API error shape (%s) and a sentence', (type, status, code) => {
      const [, response] = resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties!.ResponseType === type)!;
      expect(response.Properties!.StatusCode).toBe(status);
      expect(response.Properties!.ResponseParameters['gatewayresponse.header.Content-Type']).toBe("'application/json'");
      const body = JSON.parse(response.Properties!.ResponseTemplates['application/json'] as string);
      expect(body).toEqual({ message: expect.stringMatching(/^[A-Z].{20,}\.$/), error: { code } });
    });

    it('passes API Gateway\'s own message through for any other 4XX, keeping its status', () => {
      const [, response] = resourcesOfType(template, 'AWS::ApiGateway::GatewayResponse').find(([, r]) => r.Properties!.ResponseType === 'DEFAULT_4XX')!;
      expect(response.Properties!.StatusCode).toBeUndefined();
      expect(response.Properties!.ResponseTemplates['application/json']).toBe(
        '{"message":$context.error.messageString,"error":{"code":"BAD_REQUEST"}}',
      );
    });

    it('tells a throttled client when to retry', () => {
      template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
        ResponseType: 'THROTTLED',
        ResponseParameters: Match.objectLike({ 'gatewayresponse.header.Retry-After': "'1'" }),
      });
    });
  });

  describe('functions', () => {
    it.each(['facegate token authorizer', 'facegate bulk face indexing'])(
      'runs "%s" on Node.js 22 / arm64 with source maps, logging to its own log group',
      (description) => {
        const [, fn] = functionByDescription(template, description);
        expect(fn.Properties).toMatchObject({
          Runtime: 'nodejs22.x',
          Architectures: ['arm64'],
          Handler: 'index.handler',
          Environment: { Variables: expect.objectContaining({ NODE_OPTIONS: '--enable-source-maps' }) },
        });
        const logGroup = template.toJSON().Resources[logGroupOf(template, description)] as Resource;
        expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
        expect(logGroup.Properties!.RetentionInDays).toBe(30);
      },
    );

    it('gives the authorizer only the tenants table name', () => {
      const [, fn] = functionByDescription(template, 'facegate token authorizer');
      expect(fn.Properties!.Environment.Variables).toEqual({
        TENANTS_TABLE: { Ref: 'TenantsTable' },
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(fn.Properties!.Timeout).toBe(10);
    });

    it('configures the upload handler through the environment lambda/config.ts reads', () => {
      const [, fn] = functionByDescription(template, 'facegate bulk face indexing');
      expect(fn.Properties!.Environment.Variables).toEqual({
        IMAGES_BUCKET: { Ref: 'ImagesBucket' },
        IMAGE_RECORDS_TABLE: { Ref: 'ImageRecordsTable' },
        COLLECTION_PREFIX: 'facegate-prod',
        MAX_IMAGES_PER_REQUEST: '50',
        MAX_IMAGE_BYTES: String(15 * 1024 * 1024),
        MAX_FACES: '100',
        QUALITY_FILTER: 'AUTO',
        INDEX_CONCURRENCY: '5',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(fn.Properties!.MemorySize).toBe(1024);
      expect(fn.Properties!.ReservedConcurrentExecutions).toBeUndefined();
    });

    it('stops the upload handler before API Gateway gives up on it (29 s)', () => {
      const [, fn] = functionByDescription(template, 'facegate bulk face indexing');
      expect(fn.Properties!.Timeout).toBeLessThan(29);
      expect(fn.Properties!.Timeout).toBeGreaterThanOrEqual(25);
    });

    it('lets an image record claim outlive any run of the upload handler, so only a dead request\'s claim is taken over', () => {
      const [, fn] = functionByDescription(template, 'facegate bulk face indexing');
      expect(DEFAULTS.claimTimeoutSeconds).toBeGreaterThan(fn.Properties!.Timeout as number);
      expect(DEFAULTS.timeReserveMs).toBeLessThan((fn.Properties!.Timeout as number) * 1000);
    });
  });

  describe('least privilege', () => {
    it('lets the authorizer read one item of the tenants table and write its own logs, nothing more', () => {
      expect(statementsOfFunction(template, 'facegate token authorizer')).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: getAtt(logGroupOf(template, 'facegate token authorizer')),
        },
        { Effect: 'Allow', Action: 'dynamodb:GetItem', Resource: getAtt('TenantsTable') },
      ]);
    });

    it('lets the upload handler reach only its bucket\'s objects, its image records and this deployment\'s collections', () => {
      expect(statementsOfFunction(template, 'facegate bulk face indexing')).toEqual([
        {
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: getAtt(logGroupOf(template, 'facegate bulk face indexing')),
        },
        {
          Effect: 'Allow',
          Action: ['s3:GetObject', 's3:PutObject'],
          Resource: { 'Fn::Join': ['', [getAtt('ImagesBucket'), '/*']] },
        },
        {
          Effect: 'Allow',
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
          Resource: getAtt('ImageRecordsTable'),
        },
        {
          Effect: 'Allow',
          Action: ['rekognition:CreateCollection', 'rekognition:IndexFaces'],
          Resource: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':rekognition:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':collection/facegate-prod-*',
              ],
            ],
          },
        },
      ]);
    });

    it('grants no "*" resource to anyone', () => {
      const resources = resourcesOfType(template, 'AWS::IAM::Policy').flatMap(([, policy]) =>
        (policy.Properties!.PolicyDocument.Statement as Array<{ Resource: unknown }>).flatMap((s) => [s.Resource].flat()),
      );
      expect(resources.length).toBeGreaterThan(0);
      expect(resources).not.toContain('*');
    });
  });

  describe('data', () => {
    it.each(['ImagesBucket', 'ImagesAccessLogsBucket'])('keeps %s private, encrypted and TLS-only', (logicalId) => {
      const bucket = template.toJSON().Resources[logicalId] as Resource;
      expect(bucket.Type).toBe('AWS::S3::Bucket');
      expect(bucket.Properties).toMatchObject({
        PublicAccessBlockConfiguration: { BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
      template.hasResourceProperties('AWS::S3::BucketPolicy', {
        Bucket: { Ref: logicalId },
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    });

    it('versions the images and logs every access to them', () => {
      expect(template.toJSON().Resources.ImagesBucket.Properties).toMatchObject({
        VersioningConfiguration: { Status: 'Enabled' },
        LoggingConfiguration: { DestinationBucketName: { Ref: 'ImagesAccessLogsBucket' } },
      });
    });

    it.each([
      ['TenantsTable', 'tokenHash'],
      ['ImageRecordsTable', 'recordKey'],
    ])('stores %s on demand by %s, with point-in-time recovery and deletion protection', (logicalId, partitionKey) => {
      const table = template.toJSON().Resources[logicalId] as Resource;
      expect(table.Type).toBe('AWS::DynamoDB::Table');
      expect(table.Properties).toMatchObject({
        KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      });
    });

    it('keys image records by what the record store adapter writes', () => {
      expect(IMAGE_RECORDS_PARTITION_KEY).toBe(IMAGE_RECORD_KEY_ATTRIBUTE);
    });

    it('lets no function but the upload handler reach the image records', () => {
      const grants = resourcesOfType(template, 'AWS::IAM::Policy').filter(([, policy]) =>
        JSON.stringify(policy.Properties!.PolicyDocument).includes('"ImageRecordsTable"'),
      );
      expect(grants).toHaveLength(1);
      const [, uploadFunction] = functionByDescription(template, 'facegate bulk face indexing');
      expect(grants[0]![1].Properties!.Roles).toEqual([{ Ref: uploadFunction.Properties!.Role['Fn::GetAtt'][0] }]);
    });

    it.each(['ImagesBucket', 'ImagesAccessLogsBucket', 'TenantsTable', 'ImageRecordsTable'])(
      'retains %s under a stable logical id when the stack is deleted or the resource replaced',
      (logicalId) => {
        const resource = template.toJSON().Resources[logicalId] as Resource | undefined;
        expect(resource).toBeDefined();
        expect(resource!.DeletionPolicy).toBe('Retain');
        expect(resource!.UpdateReplacePolicy).toBe('Retain');
      },
    );

    it('keeps those logical ids whatever the construct tree looks like', () => {
      const other = synthesizeStack({ stage: 'dev' }).template.toJSON().Resources;
      expect(Object.keys(other)).toEqual(expect.arrayContaining(['ImagesBucket', 'ImagesAccessLogsBucket', 'TenantsTable', 'ImageRecordsTable']));
    });
  });

  describe('outputs', () => {
    it('gives the full bulk upload URL, the bucket, the tables and the collection prefix', () => {
      const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
      const url = JSON.stringify(outputs.BulkUploadUrl?.Value);
      expect(url).toMatch(/^\{"Fn::Join":\["",\["https:\/\/",.*"\/ia\/faces\/bulkUpload"\]\]\}$/);
      expect(outputs.ImagesBucketName?.Value).toEqual({ Ref: 'ImagesBucket' });
      expect(outputs.TenantsTableName?.Value).toEqual({ Ref: 'TenantsTable' });
      expect(outputs.ImageRecordsTableName?.Value).toEqual({ Ref: 'ImageRecordsTable' });
      expect(outputs.CollectionPrefix?.Value).toBe('facegate-prod');
    });
  });
});

describe('the facegate stack with tuned settings', () => {
  const { template } = synthesizeStack({
    stage: 'dev',
    maxImagesPerRequest: '20',
    maxFaces: 10,
    qualityFilter: 'high',
    indexConcurrency: 3,
    maxImageBytes: 5_000_000,
    reservedConcurrency: 4,
    uploadMemoryMb: 2048,
    throttlingRateLimit: 2,
    throttlingBurstLimit: 4,
    logRetentionDays: 7,
    apiGatewayCloudWatchRole: 'false',
  });

  it('names the stage and prefixes collections after it', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', { StageName: 'dev' });
    const [, fn] = functionByDescription(template, 'facegate bulk face indexing');
    expect(fn.Properties!.Environment.Variables.COLLECTION_PREFIX).toBe('facegate-dev');
    expect(JSON.stringify(statementsOfFunction(template, 'facegate bulk face indexing'))).toContain(':collection/facegate-dev-*');
  });

  it('passes the limits to the upload handler', () => {
    const [, fn] = functionByDescription(template, 'facegate bulk face indexing');
    expect(fn.Properties!.Environment.Variables).toMatchObject({
      MAX_IMAGES_PER_REQUEST: '20',
      MAX_IMAGE_BYTES: '5000000',
      MAX_FACES: '10',
      QUALITY_FILTER: 'HIGH',
      INDEX_CONCURRENCY: '3',
    });
    expect(fn.Properties).toMatchObject({ ReservedConcurrentExecutions: 4, MemorySize: 2048 });
  });

  it('applies the throttling and log retention', () => {
    const [, stage] = onlyResource(template, 'AWS::ApiGateway::Stage');
    expect(stage.Properties!.MethodSettings[0]).toMatchObject({ ThrottlingRateLimit: 2, ThrottlingBurstLimit: 4 });
    for (const [, logGroup] of resourcesOfType(template, 'AWS::Logs::LogGroup')) expect(logGroup.Properties!.RetentionInDays).toBe(7);
  });

  it('leaves the account\'s API Gateway logging role alone when asked to', () => {
    template.resourceCountIs('AWS::ApiGateway::Account', 0);
    expect(resourcesOfType(template, 'AWS::IAM::Role').map(([, role]) => role.Properties!.ManagedPolicyArns)).not.toContainEqual(
      expect.anything(),
    );
  });

  it('creates that role by default, and keeps it when the stack goes', () => {
    const defaults = synthesizeStack().template;
    const [, account] = onlyResource(defaults, 'AWS::ApiGateway::Account');
    expect(account.DeletionPolicy).toBe('Retain');
  });
});
