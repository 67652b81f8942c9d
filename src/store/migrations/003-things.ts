import type { Migration } from './index.js';

export const things: Migration = {
  version: 3,
  name: 'things, thing types, thing groups and their members',
  async up() {
    // Tables come with the operations that use them.
  },
};
