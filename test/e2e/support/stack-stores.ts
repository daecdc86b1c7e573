// What a running local stack holds, read straight from its stores through the AWS APIs: Rekognition collections
// and faces, S3 objects, DynamoDB items. Tests check these, not only the HTTP answers.
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { ListCollectionsCommand, ListFacesCommand, RekognitionClient, type Face } from '@aws-sdk/client-rekognition';
import { ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LocalStack } from '../../../local/stack.js';

function settings(stack: LocalStack) {
  const { AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY } = stack.environment;
  return { region: AWS_REGION!, credentials: { accessKeyId: AWS_ACCESS_KEY_ID!, secretAccessKey: AWS_SECRET_ACCESS_KEY! }, maxAttempts: 1 };
}

async function using<Client extends { destroy(): void }, Result>(client: Client, read: (client: Client) => Promise<Result>): Promise<Result> {
  try {
    return await read(client);
  } finally {
    client.destroy();
  }
}

export const rekognitionOf = (stack: LocalStack) => new RekognitionClient({ ...settings(stack), endpoint: stack.endpoints.rekognition });

export function collectionIds(stack: LocalStack): Promise<string[]> {
  return using(rekognitionOf(stack), async (client) => (await client.send(new ListCollectionsCommand({ MaxResults: 4096 }))).CollectionIds ?? []);
}

/** The collection a client's collection name became (ids end with `-<name>`), or undefined when none exists. */
export async function collectionNamed(stack: LocalStack, name: string): Promise<string[]> {
  return (await collectionIds(stack)).filter((id) => id.endsWith(`-${name}`));
}

export function facesIn(stack: LocalStack, collectionId: string): Promise<Face[]> {
  return using(rekognitionOf(stack), async (client) => {
    const faces: Face[] = [];
    let NextToken: string | undefined;
    do {
      const page = await client.send(new ListFacesCommand({ CollectionId: collectionId, MaxResults: 4096, NextToken }));
      faces.push(...(page.Faces ?? []));
      NextToken = page.NextToken;
    } while (NextToken);
    return faces;
  });
}

export function storedKeys(stack: LocalStack): Promise<string[]> {
  return using(new S3Client({ ...settings(stack), endpoint: stack.endpoints.s3, forcePathStyle: true }), async (client) => {
    const keys: string[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: stack.environment.IMAGES_BUCKET, ContinuationToken }));
      keys.push(...(page.Contents ?? []).map((object) => object.Key!));
      ContinuationToken = page.NextContinuationToken;
    } while (ContinuationToken);
    return keys.sort();
  });
}

export function tableItems(stack: LocalStack, table: string): Promise<Array<Record<string, unknown>>> {
  return using(new DynamoDBClient({ ...settings(stack), endpoint: stack.endpoints.dynamodb }), async (client) => {
    const items: Array<Record<string, unknown>> = [];
    let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(new ScanCommand({ TableName: table, ExclusiveStartKey, ConsistentRead: true }));
      items.push(...(page.Items ?? []).map((item) => unmarshall(item)));
      ExclusiveStartKey = page.LastEvaluatedKey;
    } while (ExclusiveStartKey);
    return items;
  });
}
