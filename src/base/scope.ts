/** Where a request's state lives: every stored resource belongs to one (account, region). */
export interface Scope {
  readonly accountId: string;
  readonly region: string;
}
