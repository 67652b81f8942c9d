import type { Scope } from '../base/scope.js';
import type { Driver } from './driver.js';
import { all, qb, run, selectIn } from './sql.js';

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

export class IamRoleRepo {
  constructor(private readonly db: Driver) {}

  /** Inserts or replaces each role (all of what Warden knows of it). */
  async put(scope: Scope, roles: readonly IamRoleRecord[]): Promise<void> {
    for (const r of roles) {
      const query = qb(this.db)
        .insertInto('iam_roles')
        .values({
          account_id: scope.accountId,
          region: scope.region,
          role_arn: r.roleArn,
          documents: JSON.stringify(r.documents),
          services_used: JSON.stringify(r.servicesUsed),
          updated_at: r.updatedAt.getTime(),
        })
        .onConflict((oc) =>
          oc.columns(['account_id', 'region', 'role_arn']).doUpdateSet((eb) => ({
            documents: eb.ref('excluded.documents'),
            services_used: eb.ref('excluded.services_used'),
            updated_at: eb.ref('excluded.updated_at'),
          })),
        );
      await run(this.db, query);
    }
  }

  /**
   * A keyset page of role aliases (by name, after `after`) with the roles they name. Two queries
   * rather than a join: the two role_arn columns differ in collation on PostgreSQL.
   */
  private async aliasesWithRoles(scope: Scope, after: string | undefined, limit: number): Promise<AliasWithRole[]> {
    const page = qb(this.db)
      .selectFrom('role_aliases')
      .select(['alias', 'arn', 'role_arn'])
      .where('account_id', '=', scope.accountId)
      .where('region', '=', scope.region)
      .$if(after !== undefined, (w) => w.where('alias', '>', after!))
      .orderBy('alias')
      .limit(limit);
    const aliases = await all(this.db, page);
    const arns = [...new Set(aliases.map((a) => a.role_arn))];
    const rows = await selectIn(this.db, arns, (chunk) =>
      qb(this.db)
        .selectFrom('iam_roles')
        .select(['role_arn', 'documents', 'services_used'])
        .where('account_id', '=', scope.accountId)
        .where('region', '=', scope.region)
        .where('role_arn', 'in', chunk),
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
