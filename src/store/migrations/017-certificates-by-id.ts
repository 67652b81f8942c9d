import type { Migration } from './migration.js';

/**
 * The MQTT broker finds a client certificate by its id alone, in every account and region
 * (CertificatesRepo.everywhere), at every TLS connection: an index on the id, so that lookup does
 * not read the whole table (certificates_by_id of migration 011 leads with the region).
 */
export const certificatesById: Migration = {
  version: 17,
  name: 'certificates by id',
  async up(db) {
    await db.exec('CREATE INDEX certificates_by_id_alone ON certificates (certificate_id)');
  },
};
