// Request validation with Rekognition's own patterns and limits. Messages follow the AWS wording
// ("Value '...' at '...' failed to satisfy constraint: ...") so clients can tell which field to fix and how.
import { invalidParameter } from './errors.js';

export type JsonObject = Record<string, unknown>;

function violation(field: string, value: unknown, constraint: string): Error {
  const shown = typeof value === 'string' ? value.slice(0, 300) : JSON.stringify(value);
  return invalidParameter(`1 validation error detected: Value '${shown}' at '${field}' failed to satisfy constraint: ${constraint}`);
}

export function requireObject(input: JsonObject, field: string): JsonObject {
  const value = input[field];
  if (value === undefined || value === null) throw invalidParameter(`${field} is required.`);
  if (typeof value !== 'object' || Array.isArray(value)) throw violation(field, value, 'Member must be an object');
  return value as JsonObject;
}

interface StringRule {
  min: number;
  max: number;
  pattern?: RegExp;
  /** How the pattern reads in messages (AWS prints the regular expression). */
  patternText?: string;
}

function checkString(field: string, value: unknown, rule: StringRule): string {
  if (typeof value !== 'string') throw violation(field, value, 'Member must be a string');
  if (value.length < rule.min) throw violation(field, value, `Member must have length greater than or equal to ${rule.min}`);
  if (value.length > rule.max) throw violation(field, value, `Member must have length less than or equal to ${rule.max}`);
  if (rule.pattern && !rule.pattern.test(value)) {
    throw violation(field, value, `Member must satisfy regular expression pattern: ${rule.patternText}`);
  }
  return value;
}

export function requiredString(input: JsonObject, field: string, rule: StringRule): string {
  if (input[field] === undefined || input[field] === null) throw invalidParameter(`${field} is required.`);
  return checkString(field, input[field], rule);
}

export function optionalString(input: JsonObject, field: string, rule: StringRule): string | undefined {
  if (input[field] === undefined || input[field] === null) return undefined;
  return checkString(field, input[field], rule);
}

export const COLLECTION_ID: StringRule = { min: 1, max: 255, pattern: /^[a-zA-Z0-9_.\-]+$/, patternText: '[a-zA-Z0-9_.\\-]+' };
export const EXTERNAL_IMAGE_ID: StringRule = { min: 1, max: 255, pattern: /^[a-zA-Z0-9_.\-:]+$/, patternText: '[a-zA-Z0-9_.\\-:]+' };
export const FACE_ID: StringRule = {
  min: 36,
  max: 36,
  pattern: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  patternText: '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}',
};
export const NEXT_TOKEN: StringRule = { min: 0, max: 255 };
export const USER_ID: StringRule = { min: 1, max: 128, pattern: /^[a-zA-Z0-9_.\-:]+$/, patternText: '[a-zA-Z0-9_.\\-:]+' };
export const S3_BUCKET: StringRule = { min: 3, max: 255, pattern: /^[0-9A-Za-z.\-_]*$/, patternText: '[0-9A-Za-z\\.\\-_]*' };
export const S3_NAME: StringRule = { min: 1, max: 1024 };
export const S3_VERSION: StringRule = { min: 1, max: 1024 };

export function optionalInteger(input: JsonObject, field: string, range: { min: number; max?: number }): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) throw violation(field, value, 'Member must be an integer');
  if (value < range.min) throw violation(field, value, `Member must have value greater than or equal to ${range.min}`);
  if (range.max !== undefined && value > range.max) {
    throw violation(field, value, `Member must have value less than or equal to ${range.max}`);
  }
  return value;
}

export function optionalNumber(input: JsonObject, field: string, range: { min: number; max: number }): number | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) throw violation(field, value, 'Member must be a number');
  if (value < range.min) throw violation(field, value, `Member must have value greater than or equal to ${range.min}`);
  if (value > range.max) throw violation(field, value, `Member must have value less than or equal to ${range.max}`);
  return value;
}

export function optionalEnum<T extends string>(input: JsonObject, field: string, values: readonly T[]): T | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw violation(field, value, `Member must satisfy enum value set: [${values.join(', ')}]`);
  }
  return value as T;
}

export function optionalEnumList<T extends string>(input: JsonObject, field: string, values: readonly T[]): T[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw violation(field, value, 'Member must be a list');
  for (const item of value) {
    if (typeof item !== 'string' || !(values as readonly string[]).includes(item)) {
      throw violation(field, value, `Member must satisfy constraint: [Member must satisfy enum value set: [${values.join(', ')}]]`);
    }
  }
  return value as T[];
}

export function stringList(input: JsonObject, field: string, size: { min: number; max: number }, item: StringRule): string[] | undefined {
  const value = input[field];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw violation(field, value, 'Member must be a list');
  if (value.length < size.min) throw violation(field, value, `Member must have length greater than or equal to ${size.min}`);
  if (value.length > size.max) throw violation(field, `a list of ${value.length}`, `Member must have length less than or equal to ${size.max}`);
  return value.map((entry, index) => checkString(`${field}.${index + 1}.member`, entry, item));
}
