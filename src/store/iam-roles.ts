import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { selectIn } from './rows.js';

/**
 * What Warden is told about an IAM role (POST /_warden/iam-roles): its permission policy
 * documents and the services its credentials used (AWS reads these from IAM and access advisor;
 * Warden has no IAM, so it is told). Read by the role-alias audit checks.
 */
export interface IamRoleRecord {
  roleArn: string;
  /** The policy documents as JSON objects, in the order given. */
  documents: unknown[];
  /** Services used; `lastUsed` in epoch milliseconds, absent when unknown. */
  servicesUsed: { service: string; lastUsed?: number }[];
  updatedAt: Date;
}

/** A role alias and, when Warden knows it, the role it names. */
export interface AliasWithRole {
  alias: string;
  aliasArn: string;
  roleArn: string;
  role?: Pick<IamRoleRecord, 'documents' | 'servicesUsed'>;
}

interface RoleRow {
  role_arn: string;
  documents: string;
  services_used: string | null;
}

export class IamRoleRepo {
  constructor(private readonly db: Driver) {}

  /** Inserts or replaces each role (all of what Warden knows of it). */
  async put(scope: Scope, roles: readonly IamRoleRecord[]): Promise<void> {
    for (const r of roles) {
      await this.db.run(
        `INSERT INTO iam_roles (account_id, region, role_arn, documents, services_used, updated_at) VALUES (?, ?, ?, ?, ?, ?)
         ON CONFLICT (account_id, region, role_arn) DO UPDATE SET documents = excluded.documents, services_used = excluded.services_used, updated_at = excluded.updated_at`,
        [scope.accountId, scope.region, r.roleArn, JSON.stringify(r.documents), JSON.stringify(r.servicesUsed), r.updatedAt.getTime()],
      );
    }
  }

  /**
   * A keyset page of role aliases (by name, after `after`) with the roles they name. Two queries
   * rather than a join: the two role_arn columns differ in collation on PostgreSQL.
   */
  private async aliasesWithRoles(scope: Scope, after: string | undefined, limit: number): Promise<AliasWithRole[]> {
    const params: unknown[] = [scope.accountId, scope.region];
    let where = 'account_id = ? AND region = ?';
    if (after !== undefined) {
      where += ' AND alias > ?';
      params.push(after);
    }
    params.push(limit);
    const aliases = await this.db.all<{ alias: string; arn: string; role_arn: string }>(
      `SELECT alias, arn, role_arn FROM role_aliases WHERE ${where} ORDER BY alias LIMIT ?`,
      params,
    );
    const arns = [...new Set(aliases.map((a) => a.role_arn))];
    const rows = await selectIn<RoleRow>(
      this.db,
      (list) => `SELECT role_arn, documents, services_used FROM iam_roles WHERE account_id = ? AND region = ? AND role_arn IN (${list})`,
      [scope.accountId, scope.region],
      arns,
    );
    const roles = new Map(rows.map((r) => [r.role_arn, r]));
    return aliases.map((a) => {
      const r = roles.get(a.role_arn);
      return {
        alias: a.alias,
        aliasArn: a.arn,
        roleArn: a.role_arn,
        role: r && { documents: JSON.parse(r.documents), servicesUsed: JSON.parse(r.services_used ?? '[]') },
      };
    });
  }

  /** Every role alias with its role, a page at a time (stops early when `signal` aborts). */
  async *aliasPages(scope: Scope, signal?: AbortSignal, pageSize = 500): AsyncGenerator<AliasWithRole[]> {
    let after: string | undefined;
    for (;;) {
      if (signal?.aborted) return;
      const page = await this.aliasesWithRoles(scope, after, pageSize);
      if (page.length) yield page;
      if (page.length < pageSize) return;
      after = page[page.length - 1].alias;
    }
  }
}
