import { CfnResource } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * Pins a data resource's logical id so that renaming or moving its construct never makes CloudFormation
 * replace it (a replaced bucket or table is a new, empty one).
 */
export function keepLogicalId(construct: Construct, logicalId: string): void {
  const resource = construct.node.defaultChild;
  if (!CfnResource.isCfnResource(resource)) throw new Error(`${construct.node.path} has no CloudFormation resource to pin`);
  resource.overrideLogicalId(logicalId);
}
