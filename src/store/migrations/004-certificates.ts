import { binary, type Migration } from './migration.js';

/**
 * Device certificates, CA certificates, the per-account Warden CA, registration codes and
 * thing principals. Columns named in the table contract (certificates, ca_certificates,
 * thing_principals) are read by the other registry families.
 */
export const certificates: Migration = {
  version: 4,
  name: 'certificates, CA certificates and thing principals',
  async up(db) {
    await db.exec(`
      CREATE TABLE certificates (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        certificate_id TEXT ${binary(db)} NOT NULL,
        arn TEXT NOT NULL,
        status TEXT NOT NULL,
        ca_certificate_id TEXT NULL,
        pem TEXT NOT NULL,
        certificate_mode TEXT NOT NULL,
        owned_by TEXT NOT NULL,
        previous_owned_by TEXT NULL,
        transfer_data TEXT NULL,
        generation_id TEXT NOT NULL,
        customer_version INTEGER NOT NULL,
        not_before BIGINT NOT NULL,
        not_after BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, certificate_id)
      )`);
    await db.exec('CREATE INDEX certificates_by_creation ON certificates (account_id, region, created_at, certificate_id)');
    await db.exec('CREATE INDEX certificates_by_ca ON certificates (account_id, region, ca_certificate_id, created_at, certificate_id)');

    await db.exec(`
      CREATE TABLE ca_certificates (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        certificate_id TEXT ${binary(db)} NOT NULL,
        arn TEXT NOT NULL,
        status TEXT NOT NULL,
        pem TEXT NOT NULL,
        subject TEXT NOT NULL,
        certificate_mode TEXT NOT NULL,
        auto_registration_status TEXT NOT NULL,
        registration_config TEXT NULL,
        owned_by TEXT NOT NULL,
        generation_id TEXT NOT NULL,
        customer_version INTEGER NOT NULL,
        not_before BIGINT NOT NULL,
        not_after BIGINT NOT NULL,
        created_at BIGINT NOT NULL,
        modified_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, certificate_id)
      )`);
    await db.exec('CREATE INDEX ca_certificates_by_creation ON ca_certificates (account_id, region, created_at, certificate_id)');
    await db.exec('CREATE INDEX ca_certificates_by_subject ON ca_certificates (account_id, region, subject)');
    // "A CA certificate can be registered in DEFAULT mode by only one account in a Region."
    await db.exec('CREATE INDEX ca_certificates_by_id ON ca_certificates (region, certificate_id)');

    await db.exec(`
      CREATE TABLE thing_principals (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        thing_name TEXT ${binary(db)} NOT NULL,
        principal TEXT ${binary(db)} NOT NULL,
        principal_type TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region, thing_name, principal)
      )`);
    await db.exec('CREATE INDEX thing_principals_by_principal ON thing_principals (account_id, region, principal, thing_name)');

    // Warden's own CA that signs CreateKeysAndCertificate certificates: one per account, all regions.
    await db.exec(`
      CREATE TABLE warden_cas (
        account_id TEXT NOT NULL PRIMARY KEY,
        key_pem TEXT NOT NULL,
        cert_pem TEXT NOT NULL,
        created_at BIGINT NOT NULL
      )`);

    await db.exec(`
      CREATE TABLE registration_codes (
        account_id TEXT NOT NULL,
        region TEXT NOT NULL,
        code TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        PRIMARY KEY (account_id, region)
      )`);
  },
};
