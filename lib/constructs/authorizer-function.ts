import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BundledFunction } from './bundled-function.js';

export interface AuthorizerFunctionProps {
  tenantsTable: ITable;
  logRetention: RetentionDays;
}

/** The TOKEN authorizer: looks the token's hash up in the tenants table, and may do nothing else. */
export class AuthorizerFunction extends BundledFunction {
  constructor(scope: Construct, id: string, props: AuthorizerFunctionProps) {
    super(scope, id, {
      entry: 'lambda/handlers/authorizer.ts',
      description: 'facegate token authorizer',
      environment: { TENANTS_TABLE: props.tenantsTable.tableName },
      // One GetItem per uncached token: small and quick.
      memorySize: 256,
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
    });
    this.allow(new PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [props.tenantsTable.tableArn] }));
  }
}
