import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';

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

interface Row {
  name: string;
  arn: string;
  default_version_id: string;
  last_version_id: number;
  generation_id: string;
  created_at: number;
  modified_at: number;
}

const COLUMNS = 'name, arn, default_version_id, last_version_id, generation_id, created_at, modified_at';

const fromRow = (r: Row): PolicyRecord => ({
  name: r.name,
  arn: r.arn,
  defaultVersionId: String(r.default_version_id),
  lastVersionId: Number(r.last_version_id),
  generationId: r.generation_id,
  createdAt: new Date(Number(r.created_at)),
  modifiedAt: new Date(Number(r.modified_at)),
});

const versionFromRow = (r: { version_id: number; document: string; created_at: number }): PolicyVersionRecord => ({
  versionId: String(r.version_id),
  document: r.document,
  createdAt: new Date(Number(r.created_at)),
});

/** Policies and their versions. Attachments live in PolicyTargetRepo. */
export class PolicyRepo {
  constructor(private readonly db: Driver) {}

  async get(scope: Scope, name: string): Promise<PolicyRecord | undefined> {
    const row = await this.db.get<Row>(`SELECT ${COLUMNS} FROM policies WHERE account_id = ? AND region = ? AND name = ?`, [scope.accountId, scope.region, name]);
    return row && fromRow(row);
  }

  async insert(scope: Scope, rec: PolicyRecord): Promise<void> {
    await this.db.run(`INSERT INTO policies (account_id, region, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, [
      scope.accountId,
      scope.region,
      rec.name,
      rec.arn,
      rec.defaultVersionId,
      rec.lastVersionId,
      rec.generationId,
      rec.createdAt.getTime(),
      rec.modifiedAt.getTime(),
    ]);
  }

  /** Writes the default version, last version id, generation and modification time. */
  async update(scope: Scope, rec: PolicyRecord): Promise<void> {
    await this.db.run(
      'UPDATE policies SET default_version_id = ?, last_version_id = ?, generation_id = ?, modified_at = ? WHERE account_id = ? AND region = ? AND name = ?',
      [rec.defaultVersionId, rec.lastVersionId, rec.generationId, rec.modifiedAt.getTime(), scope.accountId, scope.region, rec.name],
    );
  }

  /** Deletes the policy and all its versions. */
  async delete(scope: Scope, name: string): Promise<boolean> {
    await this.db.run('DELETE FROM policy_versions WHERE account_id = ? AND region = ? AND policy_name = ?', [scope.accountId, scope.region, name]);
    const n = await this.db.run('DELETE FROM policies WHERE account_id = ? AND region = ? AND name = ?', [scope.accountId, scope.region, name]);
    return n > 0;
  }

  /** Keyset page in name order (descending when `ascending` is false); one row more than `limit`. */
  async list(scope: Scope, opts: { after?: string; ascending: boolean; limit: number }): Promise<PolicyRecord[]> {
    const params: unknown[] = [scope.accountId, scope.region];
    let where = 'account_id = ? AND region = ?';
    if (opts.after !== undefined) {
      where += opts.ascending ? ' AND name > ?' : ' AND name < ?';
      params.push(opts.after);
    }
    params.push(opts.limit + 1);
    const rows = await this.db.all<Row>(`SELECT ${COLUMNS} FROM policies WHERE ${where} ORDER BY name ${opts.ascending ? 'ASC' : 'DESC'} LIMIT ?`, params);
    return rows.map(fromRow);
  }

  async getVersion(scope: Scope, name: string, versionId: number): Promise<PolicyVersionRecord | undefined> {
    const row = await this.db.get<{ version_id: number; document: string; created_at: number }>(
      'SELECT version_id, document, created_at FROM policy_versions WHERE account_id = ? AND region = ? AND policy_name = ? AND version_id = ?',
      [scope.accountId, scope.region, name, versionId],
    );
    return row && versionFromRow(row);
  }

  /** Every version of a policy, newest first (at most five). */
  async listVersions(scope: Scope, name: string): Promise<PolicyVersionRecord[]> {
    const rows = await this.db.all<{ version_id: number; document: string; created_at: number }>(
      'SELECT version_id, document, created_at FROM policy_versions WHERE account_id = ? AND region = ? AND policy_name = ? ORDER BY version_id DESC',
      [scope.accountId, scope.region, name],
    );
    return rows.map(versionFromRow);
  }

  async insertVersion(scope: Scope, name: string, v: PolicyVersionRecord): Promise<void> {
    await this.db.run('INSERT INTO policy_versions (account_id, region, policy_name, version_id, document, created_at) VALUES (?, ?, ?, ?, ?, ?)', [
      scope.accountId,
      scope.region,
      name,
      Number(v.versionId),
      v.document,
      v.createdAt.getTime(),
    ]);
  }

  async deleteVersion(scope: Scope, name: string, versionId: number): Promise<boolean> {
    const n = await this.db.run('DELETE FROM policy_versions WHERE account_id = ? AND region = ? AND policy_name = ? AND version_id = ?', [
      scope.accountId,
      scope.region,
      name,
      versionId,
    ]);
    return n > 0;
  }

  /** The named policies with their default version's document, in name order; unknown names are left out. */
  async withDefaultDocuments(scope: Scope, names: string[]): Promise<PolicyWithDocument[]> {
    if (names.length === 0) return [];
    const rows = await this.db.all<{ name: string; arn: string; document: string }>(
      `SELECT p.name, p.arn, v.document FROM policies p
       JOIN policy_versions v ON v.account_id = p.account_id AND v.region = p.region AND v.policy_name = p.name AND v.version_id = CAST(p.default_version_id AS INTEGER)
       WHERE p.account_id = ? AND p.region = ? AND p.name IN (${names.map(() => '?').join(', ')}) ORDER BY p.name`,
      [scope.accountId, scope.region, ...names],
    );
    return rows;
  }
}
