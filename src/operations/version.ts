import { VersionConflictException } from '../generated/errors.js';

/** `expectedVersion` of the registry's updates and deletes (things, thing groups, billing groups). */
export function checkExpectedVersion(kind: string, r: { name: string; version: number }, expected: number | undefined): void {
  if (expected !== undefined && expected !== r.version) {
    throw new VersionConflictException(`${kind} ${r.name} is at version ${r.version}, not the expected version ${expected}.`);
  }
}
