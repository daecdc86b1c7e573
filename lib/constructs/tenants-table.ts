import { Construct } from 'constructs';
import { RetainedTable } from './retained-table.js';

/** Tenants keyed by the hex SHA-256 of their token (`tokenHash`); the token itself is never stored. */
export class TenantsTable extends RetainedTable {
  constructor(scope: Construct, id: string) {
    super(scope, id, { partitionKey: 'tokenHash', logicalId: 'TenantsTable' });
  }
}
