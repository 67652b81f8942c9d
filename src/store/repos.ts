import type { Driver } from './driver.js';
import { MitigationActionRepo } from './mitigation-actions.js';
import { TagRepo } from './tags.js';

/**
 * Every repository, bound to one connection or one transaction. Adding a kind of resource:
 * a repo class in its own file, one member here and one line in `repos`.
 */
export interface Repos {
  readonly mitigationActions: MitigationActionRepo;
  readonly tags: TagRepo;
}

export function repos(db: Driver): Repos {
  return {
    mitigationActions: new MitigationActionRepo(db),
    tags: new TagRepo(db),
  };
}
