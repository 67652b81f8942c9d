import type { Migration } from './index.js';

export const certificates: Migration = {
  version: 4,
  name: 'certificates, CA certificates and thing principals',
  async up() {
    // Tables come with the operations that use them.
  },
};
