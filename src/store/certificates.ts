import { sql, type SelectQueryBuilder } from 'kysely';
import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { CertificatesTable, Database } from './schema.generated.js';
import { after, all, first, inChunks, prepared, preparedPerShape, qb, run, selectIn, type Compiled } from './sql.js';

export interface CertificateRecord {
  certificateId: string;
  arn: string;
  /** The AWS status string (ACTIVE, INACTIVE, REVOKED, PENDING_TRANSFER, REGISTER_INACTIVE, PENDING_ACTIVATION). */
  status: string;
  caCertificateId?: string;
  pem: string;
  certificateMode: string;
  ownedBy: string;
  previousOwnedBy?: string;
  transferData?: TransferDataRecord;
  /** The account the latest transfer offered the certificate to (kept after the transfer ends). */
  transferTarget?: string;
  generationId: string;
  customerVersion: number;
  notBefore: Date;
  notAfter: Date;
  createdAt: Date;
  modifiedAt: Date;
}

/** DescribeCertificate's `transferData`: the latest transfer's message, reason and dates. */
export interface TransferDataRecord {
  transferMessage?: string;
  rejectReason?: string;
  transferDate?: Date;
  acceptDate?: Date;
  rejectDate?: Date;
}

/** A certificate together with the account whose row it is (lookups across the accounts of a region). */
export type LocatedCertificate = CertificateRecord & { accountId: string };

const TRANSFER_DATES = ['transferDate', 'acceptDate', 'rejectDate'] as const;

/** Stored as JSON with the dates in epoch milliseconds. */
const transferJson = (t: TransferDataRecord | undefined): string | null => {
  if (!t) return null;
  const out: Record<string, unknown> = { ...t };
  for (const k of TRANSFER_DATES) if (t[k]) out[k] = t[k]!.getTime();
  return JSON.stringify(out);
};

const transferFromJson = (json: string | null): TransferDataRecord | undefined => {
  if (!json) return undefined;
  const raw = JSON.parse(json) as Record<string, unknown>;
  const t: TransferDataRecord = {};
  if (typeof raw.transferMessage === 'string') t.transferMessage = raw.transferMessage;
  if (typeof raw.rejectReason === 'string') t.rejectReason = raw.rejectReason;
  for (const k of TRANSFER_DATES) if (typeof raw[k] === 'number' || typeof raw[k] === 'string') t[k] = new Date(raw[k] as number | string);
  return t;
};

/** The columns a certificate record is read from. */
const COLUMNS = [
  'certificate_id',
  'arn',
  'status',
  'ca_certificate_id',
  'pem',
  'certificate_mode',
  'owned_by',
  'previous_owned_by',
  'transfer_data',
  'transfer_target',
  'generation_id',
  'customer_version',
  'not_before',
  'not_after',
  'created_at',
  'modified_at',
] as const;
type Row = Pick<CertificatesTable, (typeof COLUMNS)[number]>;

/**
 * What the audit checks read of a certificate, worked out by the caller when it stores one
 * (registry/cert-facts.ts parses them): serial number, issuer, the key-quality verdict and the
 * CRL distribution point URLs (a JSON array).
 */
export interface StoredCertificateFacts {
  serialNumber: string;
  issuer: string | null;
  keyQuality: string | null;
  crlUrls: string | null;
}

/** The facts as the columns of `certificates` and `ca_certificates` (migration 009). */
export const factColumns = (f: StoredCertificateFacts) => ({ serial_number: f.serialNumber, issuer: f.issuer, key_quality: f.keyQuality, crl_urls: f.crlUrls });

const fromRow = (r: Row): CertificateRecord => ({
  certificateId: r.certificate_id,
  arn: r.arn,
  status: r.status,
  caCertificateId: r.ca_certificate_id ?? undefined,
  pem: r.pem,
  certificateMode: r.certificate_mode,
  ownedBy: r.owned_by,
  previousOwnedBy: r.previous_owned_by ?? undefined,
  transferData: transferFromJson(r.transfer_data),
  transferTarget: r.transfer_target ?? undefined,
  generationId: r.generation_id,
  customerVersion: Number(r.customer_version),
  notBefore: new Date(Number(r.not_before)),
  notAfter: new Date(Number(r.not_after)),
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

/** Where a page in creation order starts: after this (creation time, id). */
export interface CreationKey {
  createdAt: number;
  id: string;
}

/**
 * Keyset condition and order for a list in (created_at, certificate_id) order, either direction.
 * Shared by device and CA certificate lists.
 */
export function creationPage<TB extends 'certificates' | 'ca_certificates', O>(
  q: SelectQueryBuilder<Database, TB, O>,
  ascending: boolean,
  from: CreationKey | undefined,
): SelectQueryBuilder<Database, TB, O> {
  const dir = ascending ? 'asc' : 'desc';
  return q
    .$if(from !== undefined, (w) => w.where((eb) => after(eb, ['created_at', 'certificate_id'], [from!.createdAt, from!.id], !ascending)))
    .orderBy(sql.ref('created_at'), dir)
    .orderBy(sql.ref('certificate_id'), dir);
}

/** One certificate of a scope, read per request (Describe, Update, the engine's actions). */
const byId = prepared((q, accountId: string, region: string, certificateId: string) =>
  q.selectFrom('certificates').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('certificate_id', '=', certificateId),
);

/** What UpdateCertificate's state machine reads and writes of a certificate. */
export type CertificateStatusRecord = Pick<CertificateRecord, 'certificateId' | 'status' | 'generationId' | 'customerVersion' | 'modifiedAt'>;

const STATUS_COLUMNS = ['certificate_id', 'status', 'generation_id', 'customer_version', 'modified_at'] as const;

const statusById = prepared((q, accountId: string, region: string, certificateId: string) =>
  q.selectFrom('certificates').select(STATUS_COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('certificate_id', '=', certificateId),
);

const setStatusOf = prepared((q, status: string, generationId: string, modifiedAt: number, accountId: string, region: string, certificateId: string) =>
  q
    .updateTable('certificates')
    .set((eb) => ({ status, generation_id: generationId, customer_version: eb('customer_version', '+', 1), modified_at: modifiedAt }))
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('certificate_id', '=', certificateId),
);

/**
 * One status on a chunk of certificates, each with its own new generation id (a CASE over the
 * chunk's ids), compiled once per chunk size: status, modified time, scope, then the chunk's ids
 * and their generation ids.
 */
const setStatusesOf = preparedPerShape(
  (size: number) =>
    prepared(
      (q, status: unknown, modifiedAt: unknown, accountId: unknown, region: unknown, ...pairs: unknown[]) => {
        const ids = pairs.slice(0, size) as string[];
        const generations = pairs.slice(size) as string[];
        return q
          .updateTable('certificates')
          .set((eb) => {
            let generation = eb.case('certificate_id').when(ids[0]).then(generations[0]);
            for (let i = 1; i < size; i++) generation = generation.when(ids[i]).then(generations[i]);
            return { status: status as string, generation_id: generation.else(eb.ref('generation_id')).end(), customer_version: eb('customer_version', '+', 1), modified_at: modifiedAt as number };
          })
          .where('account_id', '=', accountId as string)
          .where('region', '=', region as string)
          .where('certificate_id', 'in', ids);
      },
      4 + 2 * size,
    ) as (db: Driver, ...args: unknown[]) => Compiled<never>,
);

/** Device certificates (table `certificates` of the contract). */
export class CertificateRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, certificateId: string): Promise<CertificateRecord | undefined> {
    const row = await byId(this.db, scope.accountId, scope.region, certificateId).first();
    return row && fromRow(row);
  }

  /**
   * One statement: inserts unless the id is already registered in the scope; false when it was.
   * `facts` are what the audit checks read (serial, issuer, key quality, CRL URLs).
   */
  async insertIfAbsent(scope: Scope, c: CertificateRecord, facts: StoredCertificateFacts): Promise<boolean> {
    const query = qb(this.db)
      .insertInto('certificates')
      .values({
        account_id: scope.accountId,
        region: scope.region,
        certificate_id: c.certificateId,
        arn: c.arn,
        status: c.status,
        ca_certificate_id: c.caCertificateId ?? null,
        pem: c.pem,
        certificate_mode: c.certificateMode,
        owned_by: c.ownedBy,
        previous_owned_by: c.previousOwnedBy ?? null,
        transfer_data: transferJson(c.transferData),
        transfer_target: c.transferTarget ?? null,
        generation_id: c.generationId,
        customer_version: c.customerVersion,
        not_before: c.notBefore.getTime(),
        not_after: c.notAfter.getTime(),
        created_at: c.createdAt.getTime(),
        modified_at: c.modifiedAt.getTime(),
        ...factColumns(facts),
      })
      .onConflict((oc) => oc.columns(['account_id', 'region', 'certificate_id']).doNothing());
    return (await run(this.db, query)) > 0;
  }

  /** The status of each certificate of the scope among `certificateIds` (normalised ids), by id, in one query per chunk. */
  async statuses(scope: Scope, certificateIds: readonly string[]): Promise<Map<string, CertificateStatusRecord>> {
    const ids = [...new Set(certificateIds)];
    const rows =
      ids.length === 1
        ? await statusById(this.db, scope.accountId, scope.region, ids[0]).all()
        : await selectIn(this.db, ids, (chunk) =>
            qb(this.db).selectFrom('certificates').select(STATUS_COLUMNS).where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('certificate_id', 'in', chunk),
          );
    return new Map(
      rows.map((r) => [
        r.certificate_id,
        { certificateId: r.certificate_id, status: r.status, generationId: r.generation_id, customerVersion: Number(r.customer_version), modifiedAt: new Date(Number(r.modified_at)) },
      ]),
    );
  }

  /** Sets one status on many certificates (distinct ids), each with its own new generation id; each customer version goes up by one. */
  async setStatuses(scope: Scope, status: string, modifiedAt: Date, changes: readonly { certificateId: string; generationId: string }[]): Promise<number> {
    if (changes.length === 1) return (await this.setStatus(scope, changes[0].certificateId, status, changes[0].generationId, modifiedAt)) ? 1 : 0;
    let changed = 0;
    await inChunks(changes, async (chunk) => {
      const args = [...chunk.map((c) => c.certificateId), ...chunk.map((c) => c.generationId)];
      changed += await setStatusesOf(chunk.length)(this.db, status, modifiedAt.getTime(), scope.accountId, scope.region, ...args).run();
    });
    return changed;
  }

  /** Sets the status with a new generation id; the customer version goes up by one. */
  async setStatus(scope: Scope, certificateId: string, status: string, generationId: string, modifiedAt: Date): Promise<boolean> {
    return (await setStatusOf(this.db, status, generationId, modifiedAt.getTime(), scope.accountId, scope.region, certificateId).run()) > 0;
  }

  async delete(scope: Scope, certificateId: string): Promise<boolean> {
    const query = qb(this.db).deleteFrom('certificates').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('certificate_id', '=', certificateId);
    return (await run(this.db, query)) > 0;
  }

  /** A page in creation order (newest first unless ascending), optionally only those signed by one CA; limit + 1 rows. */
  async list(scope: Scope, opts: { caCertificateId?: string; ascending: boolean; after?: CreationKey; limit: number }): Promise<CertificateRecord[]> {
    const query = qb(this.db)
      .selectFrom('certificates')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(opts.caCertificateId !== undefined, (w) => w.where('ca_certificate_id', '=', opts.caCertificateId!));
    return (await all(this.db, creationPage(query, opts.ascending, opts.after).limit(opts.limit + 1))).map(fromRow);
  }

  /** The certificate's rows in every account of the region (one, or a few for a certificate registered in several accounts). */
  async inRegion(region: string, certificateId: string): Promise<LocatedCertificate[]> {
    const query = qb(this.db).selectFrom('certificates').select(['account_id', ...COLUMNS]).where('region', '=', region).where('certificate_id', '=', certificateId).orderBy('account_id');
    return (await all(this.db, query)).map((r) => ({ ...fromRow(r), accountId: r.account_id }));
  }

  /**
   * The certificate's rows in every account and region: the MQTT broker's look-up by fingerprint
   * (a device names no account or region). No index leads with certificate_id (the ones there
   * start with the region), so this reads the table's certificates_by_id index once per region.
   */
  async everywhere(certificateId: string): Promise<(LocatedCertificate & { region: string })[]> {
    const query = qb(this.db).selectFrom('certificates').select(['account_id', 'region', ...COLUMNS]).where('certificate_id', '=', certificateId).orderBy('account_id').orderBy('region');
    return (await all(this.db, query)).map((r) => ({ ...fromRow(r), accountId: r.account_id, region: r.region }));
  }

  /**
   * Every certificate that is not ACTIVE, in every account and region (a node that may have missed
   * status notices closes their sessions: src/registry/certificate-events.ts).
   */
  async notActive(): Promise<{ accountId: string; region: string; certificateId: string; status: string }[]> {
    const query = qb(this.db).selectFrom('certificates').select(['account_id', 'region', 'certificate_id', 'status']).where('status', '<>', 'ACTIVE');
    return (await all(this.db, query)).map((r) => ({ accountId: r.account_id, region: r.region, certificateId: r.certificate_id, status: r.status }));
  }

  /** The accounts and regions that hold a certificate (where MQTT sessions may be). */
  async scopes(): Promise<Scope[]> {
    const query = qb(this.db).selectFrom('certificates').select(['account_id', 'region']).distinct().orderBy('account_id').orderBy('region');
    return (await all(this.db, query)).map((r) => ({ accountId: r.account_id, region: r.region }));
  }

  /**
   * Certificates of other accounts pending transfer to the scope's account, in creation order
   * (newest first unless ascending), as `list` pages them; limit + 1 rows.
   */
  async incomingTransfers(scope: Scope, opts: { ascending: boolean; after?: CreationKey; limit: number }): Promise<CertificateRecord[]> {
    const query = qb(this.db)
      .selectFrom('certificates')
      .select(COLUMNS)
      .where('region', '=', scope.region)
      .where('transfer_target', '=', scope.accountId)
      .where('status', '=', 'PENDING_TRANSFER')
      .where('account_id', '<>', scope.accountId);
    return (await all(this.db, creationPage(query, opts.ascending, opts.after).limit(opts.limit + 1))).map(fromRow);
  }

  /**
   * A step of a transfer that keeps the certificate in its account (start, reject, cancel): status,
   * target and transfer data, with a new generation and the customer version one higher, only
   * while the status is still `from`; false when it was not.
   */
  async updateTransfer(
    scope: Scope,
    certificateId: string,
    from: string,
    to: { status: string; transferTarget: string; transferData: TransferDataRecord; generationId: string; modifiedAt: Date },
  ): Promise<boolean> {
    const query = qb(this.db)
      .updateTable('certificates')
      .set((eb) => ({
        status: to.status,
        transfer_target: to.transferTarget,
        transfer_data: transferJson(to.transferData),
        generation_id: to.generationId,
        customer_version: eb('customer_version', '+', 1),
        modified_at: to.modifiedAt.getTime(),
      }))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('certificate_id', '=', certificateId)
      .where('status', '=', from);
    return (await run(this.db, query)) > 0;
  }

  /**
   * An accepted transfer: the row (with its audit facts and creation date) moves from `from` to
   * the account `to`, with the given ARN, status, owners and transfer data, a new generation and the
   * customer version one higher. False, and nothing changes, when `to` already holds a certificate
   * with that id.
   */
  async moveTo(
    from: Scope,
    to: string,
    certificateId: string,
    c: { arn: string; status: string; ownedBy: string; previousOwnedBy: string; transferData: TransferDataRecord; generationId: string; modifiedAt: Date },
  ): Promise<boolean> {
    const moved = qb(this.db)
      .selectFrom('certificates')
      .select((eb) => [
        eb.val(to).as('account_id'),
        'region',
        'certificate_id',
        eb.val(c.arn).as('arn'),
        eb.val(c.status).as('status'),
        'ca_certificate_id',
        'pem',
        'certificate_mode',
        eb.val(c.ownedBy).as('owned_by'),
        eb.val(c.previousOwnedBy).as('previous_owned_by'),
        eb.val(transferJson(c.transferData)).as('transfer_data'),
        'transfer_target',
        eb.val(c.generationId).as('generation_id'),
        eb('customer_version', '+', 1).as('customer_version'),
        'not_before',
        'not_after',
        'created_at',
        eb.cast<number>(eb.val(c.modifiedAt.getTime()), 'bigint').as('modified_at'),
        'serial_number',
        'issuer',
        'key_quality',
        'crl_urls',
      ])
      .where('account_id', '=', from.accountId)
      .where('region', '=', from.region)
      .where('certificate_id', '=', certificateId);
    const query = qb(this.db)
      .insertInto('certificates')
      .columns([...(['account_id', 'region'] as const), ...COLUMNS, 'serial_number', 'issuer', 'key_quality', 'crl_urls'])
      .expression(moved)
      .onConflict((oc) => oc.columns(['account_id', 'region', 'certificate_id']).doNothing());
    if ((await run(this.db, query)) === 0) return false;
    await this.delete(from, certificateId);
    return true;
  }

  async countByCa(scope: Scope, caCertificateId: string): Promise<number> {
    const query = qb(this.db)
      .selectFrom('certificates')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .where('ca_certificate_id', '=', caCertificateId);
    return Number((await first(this.db, query))?.n ?? 0);
  }
}
