import type { Migration } from './index.js';

export const findings: Migration = {
  version: 6,
  name: 'audit tasks, audit findings, violations and violation events',
  async up() {
    // Tables come with the code that uses them.
  },
};
