import type { Migration } from './index.js';

export const outbox: Migration = {
  version: 8,
  name: 'outbox of messages to publish',
  async up() {
    // Tables come with the code that uses them.
  },
};
