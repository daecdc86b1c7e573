import { describe, expect, it } from 'vitest';
import {
  collectionIdFor,
  COLLECTION_ID_PATTERN,
  EXTERNAL_IMAGE_ID_PATTERN,
  externalImageIdFor,
  imageKeyFor,
  metadataValue,
  sha256Hex,
} from '../../../lambda/core/naming.js';

const CONTENT = sha256Hex('image bytes');

const HOSTILE_NAMES = [
  'IMG 0001 (1).jpg',
  'IMG 0001 (2).jpg',
  'été.jpg',
  'ete.jpg',
  '照片📷.png',
  '../../etc/passwd',
  'a+b=c&d.jpeg',
  '.jpg',
  ' ',
  '%00.jpg',
  'x'.repeat(255),
  'x'.repeat(256),
  'x'.repeat(300),
  'y'.repeat(1000) + '.jpg',
  'Ω'.repeat(300),
  'name.with.dots.JPEG',
  'trailing space .jpg',
  'tab\tname.jpg',
];

describe('externalImageIdFor', () => {
  it('keeps a name that already fits Rekognition unchanged', () => {
    for (const name of ['kerwin.jpeg', 'drivers-license-requirements-2.jpg', 'a:b_c.d-e.PNG', 'x'.repeat(255)]) {
      expect(externalImageIdFor(name, CONTENT)).toBe(name);
    }
  });

  it('turns every name into a valid ExternalImageId of at most 255 characters', () => {
    for (const name of HOSTILE_NAMES) {
      const id = externalImageIdFor(name, CONTENT);
      expect(id, name).toMatch(EXTERNAL_IMAGE_ID_PATTERN);
      expect(id.length, name).toBeLessThanOrEqual(255);
    }
  });

  it('gives the same name the same id every time', () => {
    for (const name of HOSTILE_NAMES) expect(externalImageIdFor(name, CONTENT)).toBe(externalImageIdFor(name, sha256Hex('other bytes')));
  });

  it('never collapses two different names into one id', () => {
    const names = [...HOSTILE_NAMES, 'kerwin.jpeg', 'IMG_0001_1_.jpg', 'ete_.jpg', 'x'.repeat(301), 'x'.repeat(299) + 'y'];
    const ids = names.map((name) => externalImageIdFor(name, CONTENT));
    expect(new Set(ids).size).toBe(names.length);
  });

  it('keeps rewritten names readable, extension last', () => {
    expect(externalImageIdFor('IMG 0001 (1).jpg', CONTENT)).toMatch(/^IMG_0001_1__[0-9a-f]{16}\.jpg$/);
    expect(externalImageIdFor('été.jpg', CONTENT)).toMatch(/^ete_[0-9a-f]{16}\.jpg$/);
  });

  it('names a file sent without a name after its content', () => {
    expect(externalImageIdFor('', CONTENT)).toBe(`unnamed_${CONTENT.slice(0, 16)}`);
    expect(externalImageIdFor('', sha256Hex('other bytes'))).not.toBe(externalImageIdFor('', CONTENT));
  });
});

describe('collectionIdFor', () => {
  it('starts with the deployment prefix so IAM can scope to prefix-*', () => {
    expect(collectionIdFor('facegate-prod', 'a1b2c3', 'staff')).toBe('facegate-prod-a1b2c3-staff');
  });

  it('keeps tenants apart even when their ids and collection names line up', () => {
    const pairs: Array<[string, string]> = [
      ['acme', 'x-staff'],
      ['acme-x', 'staff'],
      ['acme_2dx', 'staff'],
      ['acme.x', 'staff'],
      ['ACME', 'x-staff'],
      ['tenant/1', 'staff'],
      ['tenant_1', 'staff'],
      ['tenant_2f1', 'staff'],
      ['é', 'staff'],
    ];
    const ids = pairs.map(([tenant, collection]) => collectionIdFor('fg', tenant, collection));
    expect(new Set(ids).size).toBe(pairs.length);
    for (const id of ids) expect(id).toMatch(COLLECTION_ID_PATTERN);
  });

  it('fits 255 characters with the longest prefix, a UUID tenant and the longest collection name', () => {
    const id = collectionIdFor('p'.repeat(40), '3f2b8c9e-1d4a-4f6b-9c2e-7a8b9c0d1e2f', 'c'.repeat(100));
    expect(id).toMatch(COLLECTION_ID_PATTERN);
  });

  it('refuses to build an id Rekognition would reject', () => {
    expect(() => collectionIdFor('fg', 't'.repeat(200), 'c'.repeat(100))).toThrow(/limits/);
  });
});

describe('imageKeyFor', () => {
  it('scopes the key by tenant and collection and addresses it by content', () => {
    expect(imageKeyFor('t-1', 'staff', CONTENT, 'jpg')).toBe(`tenants/t-1/collections/staff/${CONTENT}.jpg`);
  });

  it('cannot be steered into another tenant by a crafted tenant id', () => {
    const key = imageKeyFor('t-1/collections/x/../../t-2', 'staff', CONTENT, 'jpg');
    expect(key.startsWith('tenants/t-1%2Fcollections%2Fx%2F..%2F..%2Ft-2/')).toBe(true);
  });

  it('gives different content different keys and the same content the same key', () => {
    expect(imageKeyFor('t', 'c', sha256Hex('a'), 'png')).not.toBe(imageKeyFor('t', 'c', sha256Hex('b'), 'png'));
    expect(imageKeyFor('t', 'c', sha256Hex('a'), 'png')).toBe(imageKeyFor('t', 'c', sha256Hex('a'), 'png'));
  });
});

describe('metadataValue', () => {
  it('encodes any name as ASCII that decodes back to it', () => {
    for (const name of ['été (1).jpg', '照片📷.png', 'plain.jpg']) {
      const value = metadataValue(name);
      expect(value).toMatch(/^[\x20-\x7e]*$/);
      expect(decodeURIComponent(value)).toBe(name);
    }
  });

  it('cuts a very long name after a whole character, within S3 metadata limits', () => {
    const value = metadataValue('📷'.repeat(500));
    expect(value.length).toBeLessThanOrEqual(1024);
    expect(decodeURIComponent(value)).toBe('📷'.repeat(value.length / 12));
  });
});
