import {
  DetectFacesCommand, InternalServerError, InvalidParameterException, ListCollectionsCommand, RekognitionServiceException,
} from '@aws-sdk/client-rekognition';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFakeEngine, fakeImage } from './fake-engine.js';
import { type Harness, startHarness } from './service-harness.js';

function failingEngine() {
  const engine = createFakeEngine();
  engine.analyze = async () => {
    throw new Error('tensor exploded at /secret/path');
  };
  return engine;
}

describe('face service wire protocol', () => {
  let harness: Harness;
  beforeEach(async () => {
    harness = await startHarness(createFakeEngine());
  });
  afterEach(async () => {
    await harness.stop();
  });

  const post = async (target: string | undefined, body: string) => {
    const response = await fetch(`${harness.service.url}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', ...(target && { 'X-Amz-Target': target }) },
      body,
    });
    return { status: response.status, contentType: response.headers.get('content-type'), body: (await response.json()) as Record<string, unknown> };
  };

  it('listens on loopback on the free port it was given', () => {
    expect(harness.service.url).toBe(`http://127.0.0.1:${harness.service.port}`);
    expect(harness.service.port).toBeGreaterThan(0);
  });

  it('stops listening on close and leaves open an engine it was given', async () => {
    const engine = createFakeEngine();
    let engineClosed = false;
    engine.close = async () => {
      engineClosed = true;
    };
    const own = await startHarness(engine);
    await own.stop();
    await expect(fetch(`${own.service.url}/`, { method: 'POST' })).rejects.toThrow();
    expect(engineClosed).toBe(false);
  });

  it('answers AWS JSON 1.1 to a request without a signature', async () => {
    const response = await post('RekognitionService.CreateCollection', '{"CollectionId":"raw"}');
    expect(response.status).toBe(200);
    expect(response.contentType).toBe('application/x-amz-json-1.1');
    expect(response.body).toMatchObject({ StatusCode: 200, CollectionArn: 'aws:rekognition:us-east-1:000000000000:collection/raw' });
  });

  it('shapes errors as Rekognition does: __type, Message and HTTP 400', async () => {
    const response = await post('RekognitionService.DescribeCollection', '{"CollectionId":"missing"}');
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      __type: 'ResourceNotFoundException', Code: 'ResourceNotFoundException', Message: 'The collection id: missing does not exist',
    });
  });

  it('answers UnknownOperationException for an operation it does not have, and for no target at all', async () => {
    const unknown = await post('RekognitionService.DetectLabels', '{}');
    expect(unknown.status).toBe(400);
    expect(unknown.body.__type).toBe('UnknownOperationException');
    const missing = await post(undefined, '{}');
    expect(missing.body.__type).toBe('UnknownOperationException');
    const inherited = await post('RekognitionService.toString', '{}');
    expect(inherited.body.__type).toBe('UnknownOperationException');
  });

  it('answers SerializationException for a body that is not a JSON object', async () => {
    for (const body of ['{not json', '[1,2]']) {
      const response = await post('RekognitionService.ListCollections', body);
      expect(response.status).toBe(400);
      expect(response.body.__type).toBe('SerializationException');
    }
  });

  it('gives the SDK the status and fault side of each error, so it retries only server faults', async () => {
    const error = await harness.client.send(new ListCollectionsCommand({ MaxResults: -1 })).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(InvalidParameterException);
    expect((error as RekognitionServiceException).$metadata.httpStatusCode).toBe(400);
    expect((error as RekognitionServiceException).$fault).toBe('client');

    await harness.stop();
    harness = await startHarness(failingEngine());
    const serverError = await harness.client.send(new DetectFacesCommand({ Image: { Bytes: fakeImage({ faces: [] }) } })).catch((caught: unknown) => caught);
    expect(serverError).toBeInstanceOf(InternalServerError);
    expect((serverError as RekognitionServiceException).$metadata.httpStatusCode).toBe(500);
    expect((serverError as RekognitionServiceException).$fault).toBe('server');
  });

  it('answers InternalServerError with HTTP 500 and no internals when the engine fails', async () => {
    await harness.stop();
    harness = await startHarness(failingEngine());
    const response = await post('RekognitionService.DetectFaces', JSON.stringify({ Image: { Bytes: Buffer.from(fakeImage({ faces: [] })).toString('base64') } }));
    expect(response.status).toBe(500);
    expect(response.body.__type).toBe('InternalServerError');
    expect(response.body.Message).not.toMatch(/secret|tensor/);
  });

  it('logs one line per request with operation, status and duration, never the image or face attributes', async () => {
    await post('RekognitionService.CreateCollection', '{"CollectionId":"logged"}');
    await post('RekognitionService.IndexFaces', JSON.stringify({
      CollectionId: 'logged', Image: { Bytes: Buffer.from(fakeImage({ faces: [{ person: 'ann' }] })).toString('base64') }, DetectionAttributes: ['ALL'],
    }));
    await post('RekognitionService.DescribeCollection', '{"CollectionId":"nope"}');
    expect(harness.logLines).toHaveLength(3);
    expect(harness.logLines[0]).toMatch(/^CreateCollection 200 \d+ms$/);
    expect(harness.logLines[1]).toMatch(/^IndexFaces 200 \d+ms$/);
    expect(harness.logLines[2]).toMatch(/^DescribeCollection 400 \d+ms ResourceNotFoundException$/);
  });
});
