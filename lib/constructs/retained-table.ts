import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { keepLogicalId } from './keep-logical-id.js';

export interface RetainedTableProps {
  /** The string partition key. */
  partitionKey: string;
  /** Pinned CloudFormation logical id (see keepLogicalId). */
  logicalId: string;
}

/**
 * A table of data that must outlive the stack: on demand, point-in-time recovery, encrypted, protected from
 * deletion, retained when the stack goes, under a logical id no refactoring changes.
 */
export class RetainedTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: RetainedTableProps) {
    super(scope, id);

    this.table = new Table(this, 'Table', {
      partitionKey: { name: props.partitionKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    keepLogicalId(this.table, props.logicalId);
  }
}
