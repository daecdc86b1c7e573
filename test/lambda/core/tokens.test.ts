import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { generateToken, hashToken, tokenFromAuthorizationHeader } from '../../../lambda/core/tokens.js';

describe('tokens', () => {
  it('are URL-safe and carry at least 256 random bits', () => {
    const tokens = Array.from({ length: 100 }, generateToken);
    for (const token of tokens) {
      expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
      expect(Buffer.from(token, 'base64url').length).toBeGreaterThanOrEqual(32);
    }
    expect(new Set(tokens).size).toBe(tokens.length);
  });

  it('hash to the hex SHA-256 of their UTF-8 bytes', () => {
    expect(hashToken('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(hashToken('clé')).toBe(createHash('sha256').update(Buffer.from('clé', 'utf8')).digest('hex'));
  });
});

describe('tokenFromAuthorizationHeader', () => {
  it('takes the raw token or the one after a Bearer scheme of any case', () => {
    expect(tokenFromAuthorizationHeader('64FWlMjfhgiNeQGm')).toBe('64FWlMjfhgiNeQGm');
    expect(tokenFromAuthorizationHeader('Bearer 64FWlMjfhgiNeQGm')).toBe('64FWlMjfhgiNeQGm');
    expect(tokenFromAuthorizationHeader('BEARER\t64FWlMjfhgiNeQGm ')).toBe('64FWlMjfhgiNeQGm');
  });

  it('finds no token in an empty, blank or multi-word header', () => {
    for (const header of [undefined, '', '  ', 'Bearer ', 'Basic dXNlcjpwYXNz extra']) expect(tokenFromAuthorizationHeader(header)).toBeUndefined();
  });
});
