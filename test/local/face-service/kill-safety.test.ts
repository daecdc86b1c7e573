import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { pathToFileURL } from 'node:url';
import { CreateCollectionCommand, DescribeCollectionCommand, IndexFacesCommand, ListFacesCommand } from '@aws-sdk/client-rekognition';
import { describe, expect, it } from 'vitest';
import { createFakeEngine, fakeImage } from './fake-engine.js';
import { rekognitionClientFor, startHarness } from './service-harness.js';

const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const serviceScript = path.join(import.meta.dirname, 'fake-service-process.ts');

describe('face service killed while indexing', () => {
  it('keeps every face it acknowledged and starts cleanly after SIGKILL', async () => {
    const dataDir = await mkdtemp(path.join(tmpdir(), 'face-service-kill-'));
    const child = spawn(process.execPath, ['--import', tsxLoader, serviceScript, dataDir], { stdio: ['ignore', 'pipe', 'inherit'] });
    const exited = once(child, 'exit');
    const [url] = (await once(createInterface({ input: child.stdout! }), 'line')) as [string];
    const client = rekognitionClientFor(url);
    await client.send(new CreateCollectionCommand({ CollectionId: 'staff' }));

    const acknowledged: string[] = [];
    const requests = Array.from({ length: 60 }, (_, index) =>
      client
        .send(new IndexFacesCommand({ CollectionId: 'staff', ExternalImageId: `photo-${index}`, Image: { Bytes: fakeImage({ faces: [{ person: `p${index}` }, { person: `q${index}`, size: 120 }] }) } }))
        .then((result) => {
          acknowledged.push(...result.FaceRecords!.map((record) => record.Face!.FaceId!));
          if (acknowledged.length >= 20) child.kill('SIGKILL');
        }, () => undefined),
    );
    await Promise.all(requests);
    await exited;
    client.destroy();
    expect(acknowledged.length).toBeGreaterThanOrEqual(20);

    const harness = await startHarness(createFakeEngine(), dataDir);
    try {
      const listed = await harness.client.send(new ListFacesCommand({ CollectionId: 'staff' }));
      const stored = listed.Faces!.map((face) => face.FaceId!);
      expect(stored).toEqual(expect.arrayContaining(acknowledged));
      // Faces are stored per image, both or neither: a half-stored image would leave an odd count.
      expect(stored.length % 2).toBe(0);
      expect((await harness.client.send(new DescribeCollectionCommand({ CollectionId: 'staff' }))).FaceCount).toBe(stored.length);
    } finally {
      await harness.stop();
    }
  });
});
