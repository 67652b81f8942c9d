import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import type { PoliciesTable, PolicyVersionsTable } from './schema.generated.js';
import { all, prepared, qb, run } from './sql.js';

export interface PolicyRecord {
  name: string;
  arn: string;
  /** The AWS version id string of the operative version. */
  defaultVersionId: string;
  /** The highest version id ever given to this policy; ids are never reused. */
  lastVersionId: number;
  generationId: string;
  createdAt: Date;
  modifiedAt: Date;
}

export interface PolicyVersionRecord {
  versionId: string;
  document: string;
  createdAt: Date;
}

/** A policy with the document of its default version. */
export interface PolicyWithDocument {
  name: string;
  arn: string;
  document: string;
}

/** The columns a policy record is read from. */
const COLUMNS = ['name', 'arn', 'default_version_id', 'last_version_id', 'generation_id', 'created_at', 'modified_at'] as const;
type Row = Pick<PoliciesTable, (typeof COLUMNS)[number]>;

const VERSION_COLUMNS = ['version_id', 'document', 'created_at'] as const;
type VersionRow = Pick<PolicyVersionsTable, (typeof VERSION_COLUMNS)[number]>;

const fromRow = (r: Row): PolicyRecord => ({
  name: r.name,
  arn: r.arn,
  defaultVersionId: String(r.default_version_id),
  lastVersionId: Number(r.last_version_id),
  generationId: r.generation_id,
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

const versionFromRow = (r: VersionRow): PolicyVersionRecord => ({
  versionId: String(r.version_id),
  document: r.document,
  createdAt: new Date(Number(r.created_at)),
});

const byName = prepared((q, accountId: string, region: string, name: string) =>
  q.selectFrom('policies').select(COLUMNS).where('account_id', '=', accountId).where('region', '=', region).where('name', '=', name),
);

const versionOf = prepared((q, accountId: string, region: string, name: string, versionId: number) =>
  q
    .selectFrom('policy_versions')
    .select(VERSION_COLUMNS)
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('policy_name', '=', name)
    .where('version_id', '=', versionId),
);

const versionsOf = prepared((q, accountId: string, region: string, name: string) =>
  q
    .selectFrom('policy_versions')
    .select(VERSION_COLUMNS)
    .where('account_id', '=', accountId)
    .where('region', '=', region)
    .where('policy_name', '=', name)
    .orderBy('version_id', 'desc'),
);

/** Policies and their versions. Attachments live in PolicyTargetRepo. */
export class PolicyRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<PolicyRecord | undefined> {
    const row = await byName(this.db, scope.accountId, scope.region, name).first();
    return row && fromRow(row);
  }

  async insert(scope: Scope, rec: PolicyRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('policies')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          name: rec.name,
          arn: rec.arn,
          default_version_id: rec.defaultVersionId,
          last_version_id: rec.lastVersionId,
          generation_id: rec.generationId,
          created_at: rec.createdAt.getTime(),
          modified_at: rec.modifiedAt.getTime(),
        }),
    );
  }

  /** Writes the default version, last version id, generation and modification time. */
  async update(scope: Scope, rec: PolicyRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .updateTable('policies')
        .set({ default_version_id: rec.defaultVersionId, last_version_id: rec.lastVersionId, generation_id: rec.generationId, modified_at: rec.modifiedAt.getTime() })
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('name', '=', rec.name),
    );
  }

  /** Deletes the policy and all its versions. */
  async delete(scope: Scope, name: string): Promise<boolean> {
    const q = qb(this.db);
    await run(this.db, q.deleteFrom('policy_versions').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('policy_name', '=', name));
    const n = await run(this.db, q.deleteFrom('policies').where('account_id', '=', scope.accountId).where('region', '=', scope.region).where('name', '=', name));
    return n > 0;
  }

  /** Keyset page in name order (descending when `ascending` is false); one row more than `limit`. */
  async list(scope: Scope, opts: { after?: string; ascending: boolean; limit: number }): Promise<PolicyRecord[]> {
    const query = qb(this.db)
      .selectFrom('policies')
      .select(COLUMNS)
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(opts.after !== undefined, (w) => w.where('name', opts.ascending ? '>' : '<', opts.after!))
      .orderBy('name', opts.ascending ? 'asc' : 'desc')
      .limit(opts.limit + 1);
    return (await all(this.db, query)).map(fromRow);
  }

  async getVersion(scope: Scope, name: string, versionId: number): Promise<PolicyVersionRecord | undefined> {
    const row = await versionOf(this.db, scope.accountId, scope.region, name, versionId).first();
    return row && versionFromRow(row);
  }

  /** Every version of a policy, newest first (at most five). */
  async listVersions(scope: Scope, name: string): Promise<PolicyVersionRecord[]> {
    return (await versionsOf(this.db, scope.accountId, scope.region, name).all()).map(versionFromRow);
  }

  async insertVersion(scope: Scope, name: string, v: PolicyVersionRecord): Promise<void> {
    await run(
      this.db,
      qb(this.db)
        .insertInto('policy_versions')
        .values({ account_id: scope.accountId, region: scope.region, policy_name: name, version_id: Number(v.versionId), document: v.document, created_at: v.createdAt.getTime() }),
    );
  }

  async deleteVersion(scope: Scope, name: string, versionId: number): Promise<boolean> {
    const n = await run(
      this.db,
      qb(this.db)
        .deleteFrom('policy_versions')
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('policy_name', '=', name)
        .where('version_id', '=', versionId),
    );
    return n > 0;
  }

  /** The named policies with their default version's document, in name order; unknown names are left out. */
  async withDefaultDocuments(scope: Scope, names: string[]): Promise<PolicyWithDocument[]> {
    if (names.length === 0) return [];
    const query = qb(this.db)
      .selectFrom('policies as p')
      .innerJoin('policy_versions as v', (j) =>
        j
          .onRef('v.account_id', '=', 'p.account_id')
          .onRef('v.region', '=', 'p.region')
          .onRef('v.policy_name', '=', 'p.name')
          .on((eb) => eb('v.version_id', '=', eb.cast<number>('p.default_version_id', 'integer'))),
      )
      .select(['p.name', 'p.arn', 'v.document'])
      .where('p.account_id', '=', scope.accountId)
      .where('p.region', '=', scope.region)
      .where('p.name', 'in', names)
      .orderBy('p.name');
    return all(this.db, query);
  }
}
