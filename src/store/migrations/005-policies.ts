import type { Migration } from './index.js';

export const policies: Migration = {
  version: 5,
  name: 'policies, versions, targets, logging options and role aliases',
  async up() {
    // Tables come with the operations that use them.
  },
};
