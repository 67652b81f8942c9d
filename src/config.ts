import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import type { Credential } from './api/sigv4.js';

/** A configuration mistake found at start-up: printed as one line, exit non-zero. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

export const DEFAULT_CREDENTIAL: Credential = { accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' };

/**
 * A credentials file, YAML or JSON: either a list or `{credentials: [...]}` of
 * `{accessKeyId, secretAccessKey, accountId}`.
 */
export function loadCredentialsFile(path: string): Credential[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`cannot read the credentials file ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text); // YAML is a superset of JSON
  } catch (e) {
    throw new ConfigError(`the credentials file ${path} is neither YAML nor JSON: ${(e as Error).message.split('\n')[0]}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { credentials?: unknown })?.credentials;
  if (!Array.isArray(list) || list.length === 0) {
    throw new ConfigError(`the credentials file ${path} must hold a non-empty list of {accessKeyId, secretAccessKey, accountId} (or {credentials: [...]})`);
  }
  return list.map((c, i) => checkCredential(c, `${path} entry ${i + 1}`));
}

export function checkCredential(c: unknown, where: string): Credential {
  const o = c as Record<string, unknown>;
  const accountId = typeof o?.accountId === 'number' ? String(o.accountId).padStart(12, '0') : o?.accountId;
  if (typeof o?.accessKeyId !== 'string' || !o.accessKeyId) throw new ConfigError(`${where}: accessKeyId must be a non-empty string`);
  if (typeof o.secretAccessKey !== 'string' || !o.secretAccessKey) throw new ConfigError(`${where}: secretAccessKey must be a non-empty string`);
  if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) throw new ConfigError(`${where}: accountId must be 12 digits`);
  return { accessKeyId: o.accessKeyId, secretAccessKey: o.secretAccessKey, accountId };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}
