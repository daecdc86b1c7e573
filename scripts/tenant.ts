// `npm run tenant -- create <name> | list | revoke <tenant>`: manages API tenants. Local by default (the data of
// `npm start` under DATA_DIR, through the running stack when there is one); `--aws` manages the deployed table.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { DynamoDbTenantStore } from '../lambda/adapters/dynamodb-tenant-store.js';
import type { TenantStore } from '../lambda/ports.js';
import { localDynamoDbClient, provisionTenant, TenantNameTakenError } from '../local/embedded-dynamodb.js';
import { localClientSettings, localTenantsTable, openLocalTenantData, readRunningStack } from '../local/stack.js';

export const USAGE = `Usage:
  npm run tenant -- create <name> [--aws] [--table <name>]   create a tenant and print its token (shown once)
  npm run tenant -- list [--aws] [--table <name>]            list tenants (never their tokens)
  npm run tenant -- revoke <tenantId|name> [--aws] [--table <name>]

Locally it manages the tenants of \`npm start\` (DATA_DIR, default .local-data), running or not.
With --aws it manages the deployed tenants table: TENANTS_TABLE or --table (the stack's TenantsTableName output),
with the default AWS credentials and region (AWS_PROFILE, AWS_REGION, ...).`;

export interface TenantCommandIo {
  env: Readonly<Record<string, string | undefined>>;
  out: (line: string) => void;
  err: (line: string) => void;
}

class UsageError extends Error {}
/** The local data cannot be used as asked; the message says why and what to do. */
class LocalDataError extends Error {}

interface Command {
  action: 'create' | 'list' | 'revoke';
  argument?: string;
  aws: boolean;
  table?: string;
}

function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { aws: { type: 'boolean' }, table: { type: 'string' } } });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [action, argument, ...extra] = parsed.positionals;
  if (action !== 'create' && action !== 'list' && action !== 'revoke') {
    throw new UsageError(action ? `Unknown command "${action}".` : 'No command given.');
  }
  const wanted = action === 'list' ? 0 : 1;
  if (wanted === 1 && !argument) throw new UsageError(action === 'create' ? 'create needs the tenant name.' : 'revoke needs a tenantId or name.');
  if (extra.length > 0 || (wanted === 0 && argument)) throw new UsageError(`Unexpected argument "${wanted === 0 ? argument : extra[0]}".`);
  if (parsed.values.table && !parsed.values.aws) throw new UsageError('--table applies to --aws only.');
  return { action, argument, aws: parsed.values.aws ?? false, table: parsed.values.table };
}

function checkName(name: string): void {
  if (!/^[\p{L}\p{N}][\p{L}\p{N} _.@-]{0,99}$/u.test(name)) {
    throw new UsageError('A tenant name is 1 to 100 letters, digits, spaces or _.@- and starts with a letter or digit.');
  }
}

/** The store to use and how to let go of it afterwards. */
async function openStore(command: Command, env: TenantCommandIo['env']): Promise<{ store: TenantStore; where: string; close(): Promise<void> }> {
  if (command.aws) {
    const table = command.table ?? env.TENANTS_TABLE;
    if (!table) throw new UsageError('--aws needs the table: set TENANTS_TABLE or pass --table (the TenantsTableName stack output).');
    return { store: new DynamoDbTenantStore(table), where: `table ${table} on AWS`, close: async () => undefined };
  }
  const dataDir = resolve(env.DATA_DIR?.trim() || '.local-data');
  if (command.action !== 'create' && !existsSync(dataDir)) {
    throw new LocalDataError(`There is no local data in ${dataDir}: set DATA_DIR to the directory \`npm start\` uses, or create a tenant first.`);
  }
  const claimed = await readRunningStack(dataDir);
  if (claimed?.status === 'starting') throw new LocalDataError(`The local stack on ${dataDir} is starting (pid ${claimed.pid}); retry once it prints its URL.`);
  const running = claimed?.status === 'ready' ? claimed : undefined;
  const data = running ? undefined : await openLocalTenantData(dataDir);
  const client: DynamoDBClient = localDynamoDbClient(running?.endpoints.dynamodb ?? data!.endpoint, localClientSettings());
  return {
    store: new DynamoDbTenantStore(running?.tenantsTable ?? localTenantsTable, client),
    where: running ? `the local stack at ${running.url}` : `the local data in ${dataDir}`,
    close: async () => {
      client.destroy();
      await data?.close();
    },
  };
}

async function execute(command: Command, store: TenantStore, io: TenantCommandIo): Promise<number> {
  switch (command.action) {
    case 'create': {
      const { tenant, token } = await provisionTenant(store, { name: command.argument! });
      io.out(`Created tenant "${tenant.name}" (tenantId ${tenant.tenantId}).`);
      io.out(`Token, shown only this once: ${token}`);
      io.out(`Send it as the Authorization header: Authorization: ${token}`);
      return 0;
    }
    case 'list': {
      const tenants = await store.list();
      if (tenants.length === 0) io.out('No tenants yet: npm run tenant -- create <name>');
      for (const tenant of tenants) io.out([tenant.tenantId, tenant.name, tenant.status, tenant.createdAt].join('\t'));
      return 0;
    }
    case 'revoke': {
      if (!(await store.revoke(command.argument!))) {
        io.err(`No tenant has the id or name "${command.argument}" (npm run tenant -- list shows them).`);
        return 1;
      }
      io.out(`Revoked "${command.argument}". Its tokens are refused once API Gateway's authorizer cache (up to 300 s) expires.`);
      return 0;
    }
  }
}

export async function runTenantCommand(argv: string[], io: TenantCommandIo): Promise<number> {
  let command: Command;
  try {
    command = parseCommand(argv);
    if (command.action === 'create') checkName(command.argument!);
  } catch (error) {
    io.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  let opened;
  try {
    opened = await openStore(command, io.env);
  } catch (error) {
    if (error instanceof UsageError) io.err(`${error.message}\n\n${USAGE}`);
    else io.err(error instanceof LocalDataError ? error.message : `Cannot reach the tenants: ${(error as Error).message}`);
    return error instanceof UsageError ? 2 : 1;
  }
  try {
    return await execute(command, opened.store, io);
  } catch (error) {
    io.err(error instanceof TenantNameTakenError ? error.message : `Failed on ${opened.where}: ${(error as Error).message}`);
    return 1;
  } finally {
    await opened.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await runTenantCommand(process.argv.slice(2), {
    env: process.env,
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
}
