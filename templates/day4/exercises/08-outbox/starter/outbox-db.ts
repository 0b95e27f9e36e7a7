// The order service's SQLite database, shared by order-service.ts and relay.ts. The checker reads
// it too, so keep the tables and columns as they are.
import Database from 'better-sqlite3';

/** A row of the outbox table: one event waiting to be published, or already published. */
export interface OutboxRow {
  /** Insertion order; the relay publishes in this order. */
  seq: number;
  /** The envelope id of the event, the same on every publish of this row. */
  event_id: string;
  /** The Kafka record key: the order id. */
  message_key: string;
  /** The whole event envelope as JSON, exactly as it goes to Kafka. */
  payload: string;
  created_at: string;
  /** When the broker acknowledged the event; NULL while it is unsent. */
  sent_at: string | null;
}

/** Opens (and creates, the first time) the database at `file`. Both programs may open it at once. */
export function openOrdersDb(file: string): Database.Database {
  const db = new Database(file);
  // Wait up to 5 s for the other program's write lock instead of failing at once with SQLITE_BUSY.
  db.pragma('busy_timeout = 5000');
  // WAL: the relay reads while the order service writes, and neither blocks the other.
  db.pragma('journal_mode = WAL');
  db.exec(`
    CREATE TABLE IF NOT EXISTS orders (
      order_id     TEXT PRIMARY KEY,
      customer_id  TEXT NOT NULL,
      amount_cents INTEGER NOT NULL,
      created_at   TEXT NOT NULL
    );
    CREATE TABLE IF NOT EXISTS outbox (
      seq          INTEGER PRIMARY KEY AUTOINCREMENT,
      event_id     TEXT NOT NULL UNIQUE,
      message_key  TEXT NOT NULL,
      payload      TEXT NOT NULL,
      created_at   TEXT NOT NULL,
      sent_at      TEXT
    );
  `);
  return db;
}
