// The one write to pii_access_log (created by migrations/1763700000100_create-pii-access-log.ts).
import type pg from 'pg';

export interface PiiAccess {
  /** The AWS caller ARN, or the OS user when no AWS identity is in play. */
  actor: string;
  actorKind: 'aws' | 'os';
  osUser: string;
  host: string;
  reason: string;
  maskedValues: readonly string[];
  recoveredCount: number;
}

export interface PiiAccessRecord {
  id: string;
  accessedAt: Date;
}

export async function recordPiiAccess(db: pg.Pool | pg.PoolClient, access: PiiAccess): Promise<PiiAccessRecord> {
  const { rows } = await db.query<{ id: string; accessed_at: Date }>({
    name: 'pii-access-log-insert',
    text: `INSERT INTO pii_access_log (actor, actor_kind, os_user, host, reason, masked_values, value_count, recovered_count)
           VALUES ($1, $2, $3, $4, $5, $6::text[], cardinality($6::text[]), $7)
           RETURNING id, accessed_at`,
    values: [access.actor, access.actorKind, access.osUser, access.host, access.reason, access.maskedValues, access.recoveredCount],
  });
  const row = rows[0]!;
  return { id: row.id, accessedAt: row.accessed_at };
}
