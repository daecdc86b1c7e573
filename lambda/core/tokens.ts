// Tenant tokens: random, shown once, stored only as their SHA-256 so a leaked table reveals no usable token.
import { createHash, randomBytes } from 'node:crypto';

const TOKEN_BYTES = 32;

/** A new random token: 256 bits, base64url (URL-safe, no padding), 43 characters. */
export function generateToken(): string {
  return randomBytes(TOKEN_BYTES).toString('base64url');
}

/** The hex SHA-256 of the token's UTF-8 bytes: the tenants table's partition key. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * The token carried by an `Authorization` header: the raw token (as the published API sends it) or
 * `Bearer <token>` (scheme in any case). Undefined when the header holds no token.
 */
export function tokenFromAuthorizationHeader(header: string | undefined): string | undefined {
  const value = header?.trim() ?? '';
  const bearer = /^bearer(?:\s+(.*))?$/i.exec(value);
  const token = (bearer ? (bearer[1] ?? '') : value).trim();
  return token === '' || /\s/.test(token) ? undefined : token;
}
