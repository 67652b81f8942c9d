import type { Scope } from '../base/scope.js';
import { certificateFacts, type CertificateFacts } from '../registry/cert-facts.js';
import { creationPage, factValues, FACT_COLUMNS, type CreationKey } from './certificates.js';
import type { Driver } from './driver.js';

export interface RegistrationConfigRecord {
  templateBody?: string;
  roleArn?: string;
  templateName?: string;
}

export interface CaCertificateRecord {
  certificateId: string;
  arn: string;
  /** ACTIVE or INACTIVE. */
  status: string;
  pem: string;
  /** The subject as node prints it; device certificates are matched to their CA by issuer = subject. */
  subject: string;
  certificateMode: string;
  autoRegistrationStatus: string;
  registrationConfig?: RegistrationConfigRecord;
  ownedBy: string;
  generationId: string;
  customerVersion: number;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
  modifiedAt: Date;
}

interface Row {
  certificate_id: string;
  arn: string;
  status: string;
  pem: string;
  subject: string;
  certificate_mode: string;
  auto_registration_status: string;
  registration_config: string | null;
  owned_by: string;
  generation_id: string;
  customer_version: number;
  not_before: number;
  not_after: number;
  created_at: number;
  modified_at: number;
}

const COLUMNS =
  'certificate_id, arn, status, pem, subject, certificate_mode, auto_registration_status, registration_config, owned_by, generation_id, customer_version, not_before, not_after, created_at, modified_at';

const fromRow = (r: Row): CaCertificateRecord => ({
  certificateId: r.certificate_id,
  arn: r.arn,
  status: r.status,
  pem: r.pem,
  subject: r.subject,
  certificateMode: r.certificate_mode,
  autoRegistrationStatus: r.auto_registration_status,
  registrationConfig: r.registration_config ? (JSON.parse(r.registration_config) as RegistrationConfigRecord) : undefined,
  ownedBy: r.owned_by,
  generationId: r.generation_id,
  customerVersion: Number(r.customer_version),
  notBefore: new Date(Number(r.not_before)),
  notAfter: new Date(Number(r.not_after)),
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

/** Registered CA certificates (table `ca_certificates` of the contract) and the registration code. */
export class CaCertificateRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, certificateId: string): Promise<CaCertificateRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM ca_certificates WHERE account_id = ? AND region = ? AND certificate_id = ?`, [
      scope.accountId,
      scope.region,
      certificateId,
    ]);
    return row && fromRow(row);
  }

  /** The CAs of this scope whose subject is `subject` (candidates for a device certificate's issuer). */
  async bySubject(scope: Scope, subject: string): Promise<CaCertificateRecord[]> {
    const rows = await this.db.all<Row>(
      `SELECT ${COLUMNS} FROM ca_certificates WHERE account_id = ? AND region = ? AND subject = ? ORDER BY created_at, certificate_id`,
      [scope.accountId, scope.region, subject],
    );
    return rows.map(fromRow);
  }

  /** The account that registered this CA in DEFAULT mode in the region, if it is another one. */
  async defaultModeOwnerElsewhere(scope: Scope, certificateId: string): Promise<string | undefined> {
    const row = await this.db.get<{ account_id: string }>(
      "SELECT account_id FROM ca_certificates WHERE region = ? AND certificate_id = ? AND certificate_mode = 'DEFAULT' AND account_id <> ?",
      [scope.region, certificateId, scope.accountId],
    );
    return row?.account_id;
  }

  /** `facts` as for device certificates: pass them when the certificate is already parsed. */
  async insert(scope: Scope, c: CaCertificateRecord, facts: CertificateFacts = certificateFacts(c.pem)): Promise<void> {
    await this.db.run(`INSERT INTO ca_certificates (account_id, region, ${COLUMNS}, ${FACT_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      scope.accountId,
      scope.region,
      c.certificateId,
      c.arn,
      c.status,
      c.pem,
      c.subject,
      c.certificateMode,
      c.autoRegistrationStatus,
      c.registrationConfig ? JSON.stringify(c.registrationConfig) : null,
      c.ownedBy,
      c.generationId,
      c.customerVersion,
      c.notBefore.getTime(),
      c.notAfter.getTime(),
      c.createdAt.getTime(),
      c.modifiedAt.getTime(),
      ...factValues(facts),
    ]);
  }

  /** Writes the mutable fields (status, auto-registration, registration config, generation, version, modified). */
  async update(scope: Scope, c: CaCertificateRecord): Promise<void> {
    await this.db.run(
      `UPDATE ca_certificates SET status = ?, auto_registration_status = ?, registration_config = ?, generation_id = ?, customer_version = ?, modified_at = ?
       WHERE account_id = ? AND region = ? AND certificate_id = ?`,
      [
        c.status,
        c.autoRegistrationStatus,
        c.registrationConfig ? JSON.stringify(c.registrationConfig) : null,
        c.generationId,
        c.customerVersion,
        c.modifiedAt.getTime(),
        scope.accountId,
        scope.region,
        c.certificateId,
      ],
    );
  }

  async delete(scope: Scope, certificateId: string): Promise<boolean> {
    const n = await this.db.run('DELETE FROM ca_certificates WHERE account_id = ? AND region = ? AND certificate_id = ?', [
      scope.accountId,
      scope.region,
      certificateId,
    ]);
    return n > 0;
  }

  /** A page in creation order (newest first unless ascending); limit + 1 rows. */
  async list(scope: Scope, opts: { templateName?: string; ascending: boolean; after?: CreationKey; limit: number }): Promise<CaCertificateRecord[]> {
    const where = ['account_id = ?', 'region = ?'];
    const params: unknown[] = [scope.accountId, scope.region];
    const order = creationPage(opts.ascending, opts.after, where, params);
    if (opts.templateName === undefined) {
      params.push(opts.limit + 1);
      return (await this.db.all<Row>(`SELECT ${COLUMNS} FROM ca_certificates WHERE ${where.join(' AND ')} ${order} LIMIT ?`, params)).map(fromRow);
    }
    // The template name lives in the JSON config; CA certificates are few per account, so filter here.
    const rows = (await this.db.all<Row>(`SELECT ${COLUMNS} FROM ca_certificates WHERE ${where.join(' AND ')} ${order}`, params)).map(fromRow);
    return rows.filter((r) => r.registrationConfig?.templateName === opts.templateName).slice(0, opts.limit + 1);
  }

  async registrationCode(scope: Scope): Promise<string | undefined> {
    const row = await this.db.get<{ code: string }>('SELECT code FROM registration_codes WHERE account_id = ? AND region = ?', [scope.accountId, scope.region]);
    return row?.code;
  }

  /** Stores `code` unless the scope already has one; returns the code in force. */
  async ensureRegistrationCode(scope: Scope, code: string, now: Date): Promise<string> {
    await this.db.run(
      'INSERT INTO registration_codes (account_id, region, code, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, region) DO NOTHING',
      [scope.accountId, scope.region, code, now.getTime()],
    );
    return (await this.registrationCode(scope)) ?? code;
  }

  async deleteRegistrationCode(scope: Scope): Promise<boolean> {
    return (await this.db.run('DELETE FROM registration_codes WHERE account_id = ? AND region = ?', [scope.accountId, scope.region])) > 0;
  }
}
