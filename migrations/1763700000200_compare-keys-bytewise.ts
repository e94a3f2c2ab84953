// message_id, masked_ip and masked_device_id compare byte by byte (COLLATE "C"), whatever the
// database's default collation. RDS creates its database with en_US.UTF-8, and under that collation
// every comparison in these three indexes goes through the C library's locale rules: each inserted
// row then cost PostgreSQL 10 to 13 µs more CPU, about a third more (docs/performance.md).
// These columns hold opaque tokens, so nothing is lost. Under a deterministic collation, which
// en_US.UTF-8 is, equal means byte-equal already, so uniqueness and lookups keep their meaning. Only
// the order of an ORDER BY on these columns changes.
//
// Online, because the table is written to while deploys run: new indexes are built CONCURRENTLY with
// the new collation, then one short transaction drops the old ones, changes the columns' collation
// (PostgreSQL keeps the new indexes as they are, with no rebuild and no table scan) and gives the new
// indexes the old names. Writers wait only for that transaction.
import type { MigrationBuilder } from 'node-pg-migrate';

type Collation = '"C"' | '"default"';

interface Key {
  column: string;
  type: string;
  index: string;
  /** The unique constraint that owns the index, if any; ON CONFLICT (message_id) relies on it. */
  constraint?: string;
}

const KEYS: readonly Key[] = [
  { column: 'message_id', type: 'varchar(128)', index: 'user_logins_message_id_key', constraint: 'user_logins_message_id_key' },
  { column: 'masked_ip', type: 'varchar(256)', index: 'user_logins_masked_ip_idx' },
  { column: 'masked_device_id', type: 'varchar(256)', index: 'user_logins_masked_device_id_idx' },
];

/** Short, so that the swap does not queue every writer behind it for long; it is retried instead. */
const LOCK_TIMEOUT_MS = 2_000;
const SWAP_ATTEMPTS = 30;
const PAUSE_BETWEEN_ATTEMPTS_MS = 2_000;
const LOCK_NOT_AVAILABLE = '55P03';

export class CollationSwapError extends Error {
  override readonly name = 'CollationSwapError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

const next = (key: Key): string => `${key.index}_next`;

async function recollate(pgm: MigrationBuilder, collation: Collation): Promise<void> {
  for (const key of KEYS) {
    // A run that failed at the swap leaves its new indexes built: keep them. Start afresh an invalid
    // one (a build cut short), and one with the other collation (a roll-back cut short), which the
    // swap would otherwise rebuild itself, under its lock.
    const [built] = await pgm.db.select(
      `SELECT i.indisvalid AND i.indcollation[0] = (SELECT oid FROM pg_collation WHERE collname = $2 AND collnamespace = 'pg_catalog'::regnamespace) AS usable
       FROM pg_index i WHERE i.indexrelid = to_regclass($1)`,
      [next(key), collation.slice(1, -1)],
    );
    if (built?.usable) continue;
    await pgm.db.query(`DROP INDEX CONCURRENTLY IF EXISTS ${next(key)}`);
    await pgm.db.query(
      `CREATE ${key.constraint ? 'UNIQUE ' : ''}INDEX CONCURRENTLY ${next(key)} ON user_logins (${key.column} COLLATE ${collation})`,
    );
  }
  const swap = [
    'BEGIN',
    `SET LOCAL lock_timeout = ${LOCK_TIMEOUT_MS}`,
    ...KEYS.map((key) => (key.constraint ? `ALTER TABLE user_logins DROP CONSTRAINT ${key.constraint}` : `DROP INDEX ${key.index}`)),
    `ALTER TABLE user_logins ${KEYS.map((key) => `ALTER COLUMN ${key.column} TYPE ${key.type} COLLATE ${collation}`).join(', ')}`,
    ...KEYS.map((key) =>
      key.constraint
        ? `ALTER TABLE user_logins ADD CONSTRAINT ${key.constraint} UNIQUE USING INDEX ${next(key)}`
        : `ALTER INDEX ${next(key)} RENAME TO ${key.index}`,
    ),
    'COMMIT',
  ];
  for (let attempt = 1; ; attempt++) {
    try {
      for (const statement of swap) await pgm.db.query(statement);
      return;
    } catch (error) {
      // Outside a transaction (BEGIN itself failed) this only warns; on a dead connection it throws,
      // and the error that matters is the first one.
      await pgm.db.query('ROLLBACK').catch(() => undefined);
      const code = (error as { code?: string }).code;
      if (code !== LOCK_NOT_AVAILABLE || attempt === SWAP_ATTEMPTS) {
        throw new CollationSwapError(
          code === LOCK_NOT_AVAILABLE
            ? `user_logins stayed locked by other sessions through ${SWAP_ATTEMPTS} attempts of ${LOCK_TIMEOUT_MS} ms; ` +
                'the new indexes are built and kept, so running the migration again once those sessions are done finishes it'
            : `swapping the key columns of user_logins to COLLATE ${collation} failed`,
          { cause: error },
        );
      }
      await new Promise((resolve) => setTimeout(resolve, PAUSE_BETWEEN_ATTEMPTS_MS));
    }
  }
}

export async function up(pgm: MigrationBuilder): Promise<void> {
  pgm.noTransaction();
  await recollate(pgm, '"C"');
}

export async function down(pgm: MigrationBuilder): Promise<void> {
  pgm.noTransaction();
  await recollate(pgm, '"default"');
}
