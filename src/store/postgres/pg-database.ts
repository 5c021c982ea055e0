/** One pg.Pool shared by the directory and the ledger, with lost connections reported as StoreUnavailableError. */
import type { Pool, PoolClient, QueryResult, QueryResultRow } from 'pg';
import { storeError, type PgTarget } from './pg-errors.js';

export class PgDatabase {
  constructor(
    readonly pool: Pool,
    readonly target: PgTarget,
  ) {}

  async query<R extends QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<QueryResult<R>> {
    try {
      return await this.pool.query<R>(text, [...values]);
    } catch (error) {
      throw storeError(this.target, error);
    }
  }

  /** Runs `work` in one transaction (opened by `begin`, e.g. with an isolation level); rolls back on any error. */
  async transaction<T>(work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (error) {
      throw storeError(this.target, error);
    }
    let broken: Error | undefined;
    try {
      await client.query(begin);
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      try {
        await client.query('ROLLBACK');
      } catch (rollbackError) {
        // A client that cannot roll back is not fit to return to the pool.
        broken = rollbackError instanceof Error ? rollbackError : new Error(String(rollbackError));
      }
      throw storeError(this.target, error);
    } finally {
      client.release(broken);
    }
  }
}
