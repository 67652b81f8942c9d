import type { Scope } from '../base/scope.js';
import { creationPage, factColumns, type CreationKey, type StoredCertificateFacts } from './certificates.js';
import type { Driver } from './driver.js';
import type { CaCertificatesTable } from './schema.generated.js';
import { all, first, prepared, qb, run } from './sql.js';

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

/** The columns a CA certificate record is read from. */
const COLUMNS = [
  'certificate_id',
  'arn',
  'status',
  'pem',
  'subject',
  'certificate_mode',
  'auto_registration_status',
  'registration_config',
  'owned_by',
  'generation_id',
  'customer_version',
  'not_before',
  'not_after',
  'created_at',
  'modified_at',
] as const;
type Row = Pick<CaCertificatesTable, (typeof COLUMNS)[number]>;

const byId = prepared((q, accountId: string, region: string, certificateId: string) =>
  q.selectFrom('ca_certificates').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('certificate_id', '=', certificateId),
);

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
    const row = await byId(this.db, scope.accountId, scope.region, certificateId).first();
    return row && fromRow(row);
  }

  /** The CAs of this scope whose subject is `subject` (candidates for a device certificate's issuer). */
  async bySubject(scope: Scope, subject: string): Promise<CaCertificateRecord[]> {
    const query = qb(this.db)
      .selectFrom('ca_certificates')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('subject', '=', subject)
      .orderBy('created_at')
      .orderBy('certificate_id');
    return (await all(this.db, query)).map(fromRow);
  }

  /** Every CA certificate that is not ACTIVE, in every account and region (the broker's re-read after missed notices). */
  async notActive(): Promise<{ accountId: string; region: string; certificateId: string; status: string }[]> {
    const query = qb(this.db).selectFrom('ca_certificates').select(['account_id', 'region', 'certificate_id', 'status']).where('status', '<>', 'ACTIVE');
    return (await all(this.db, query)).map((r) => ({ accountId: r.account_id, region: r.region, certificateId: r.certificate_id, status: r.status }));
  }

  /** CA certificates with this subject in every account and region (the broker's just-in-time registration). */
  async bySubjectEverywhere(subject: string): Promise<(CaCertificateRecord & { accountId: string; region: string })[]> {
    const query = qb(this.db)
      .selectFrom('ca_certificates')
      .select(['account_id', 'region', ...COLUMNS])
      .where('subject', '=', subject)
      .orderBy('account_id')
      .orderBy('region')
      .orderBy('created_at');
    return (await all(this.db, query)).map((r) => ({ ...fromRow(r), accountId: r.account_id, region: r.region }));
  }

  /** The account that registered this CA in DEFAULT mode in the region, if it is another one. */
  async defaultModeOwnerElsewhere(scope: Scope, certificateId: string): Promise<string | undefined> {
    const query = qb(this.db)
      .selectFrom('ca_certificates')
      .select('account_id')
      .where('region', '=', scope.region)
      .where('certificate_id', '=', certificateId)
      .where('certificate_mode', '=', 'DEFAULT')
      .where('account_id', '<>', scope.accountId);
    return (await first(this.db, query))?.account_id;
  }

  /** `facts` as for device certificates: what the audit checks read, parsed by the caller. */
  async insert(scope: Scope, c: CaCertificateRecord, facts: StoredCertificateFacts): Promise<void> {
    const query = qb(this.db)
      .insertInto('ca_certificates')
      .values({
        account_id: scope.accountId,
        region: scope.region,
        certificate_id: c.certificateId,
        arn: c.arn,
        status: c.status,
        pem: c.pem,
        subject: c.subject,
        certificate_mode: c.certificateMode,
        auto_registration_status: c.autoRegistrationStatus,
        registration_config: c.registrationConfig ? JSON.stringify(c.registrationConfig) : null,
        owned_by: c.ownedBy,
        generation_id: c.generationId,
        customer_version: c.customerVersion,
        not_before: c.notBefore.getTime(),
        not_after: c.notAfter.getTime(),
        created_at: c.createdAt.getTime(),
        modified_at: c.modifiedAt.getTime(),
        ...factColumns(facts),
      });
    await run(this.db, query);
  }

  /** Writes the mutable fields (status, auto-registration, registration config, generation, version, modified). */
  async update(scope: Scope, c: CaCertificateRecord): Promise<void> {
    const query = qb(this.db)
      .updateTable('ca_certificates')
      .set({
        status: c.status,
        auto_registration_status: c.autoRegistrationStatus,
        registration_config: c.registrationConfig ? JSON.stringify(c.registrationConfig) : null,
        generation_id: c.generationId,
        customer_version: c.customerVersion,
        modified_at: c.modifiedAt.getTime(),
      })
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('certificate_id', '=', c.certificateId);
    await run(this.db, query);
  }

  async delete(scope: Scope, certificateId: string): Promise<boolean> {
    const query = qb(this.db).deleteFrom('ca_certificates').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('certificate_id', '=', certificateId);
    return (await run(this.db, query)) > 0;
  }

  /** A page in creation order (newest first unless ascending); limit + 1 rows. */
  async list(scope: Scope, opts: { templateName?: string; ascending: boolean; after?: CreationKey; limit: number }): Promise<CaCertificateRecord[]> {
    const query = creationPage(qb(this.db).selectFrom('ca_certificates').select(COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region), opts.ascending, opts.after);
    if (opts.templateName === undefined) return (await all(this.db, query.limit(opts.limit + 1))).map(fromRow);
    // The template name lives in the JSON config; CA certificates are few per account, so filter here.
    const rows = (await all(this.db, query)).map(fromRow);
    return rows.filter((r) => r.registrationConfig?.templateName === opts.templateName).slice(0, opts.limit + 1);
  }

  async registrationCode(scope: Scope): Promise<string | undefined> {
    const query = qb(this.db).selectFrom('registration_codes').select('code').where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    return (await first(this.db, query))?.code;
  }

  /** Stores `code` unless the scope already has one; returns the code in force. */
  async ensureRegistrationCode(scope: Scope, code: string, now: Date): Promise<string> {
    const query = qb(this.db)
      .insertInto('registration_codes')
      .values({ account_id: scope.accountId, region: scope.region, code, created_at: now.getTime() })
      .onConflict((oc) => oc.columns(['account_id', 'region']).doNothing());
    await run(this.db, query);
    return (await this.registrationCode(scope)) ?? code;
  }

  async deleteRegistrationCode(scope: Scope): Promise<boolean> {
    const query = qb(this.db).deleteFrom('registration_codes').where('account_id', '=', scope.accountId).where('region', '=', scope.region);
    return (await run(this.db, query)) > 0;
  }
}
