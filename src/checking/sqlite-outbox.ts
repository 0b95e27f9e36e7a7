// Reads the outbox exercise's SQLite database (the tables its outbox-db.ts creates) while the
// learner's programs write to it. Each read opens and closes its own read-only connection.
import Database from 'better-sqlite3';
import { existsSync } from 'node:fs';

export interface OrderRecord {
  orderId: string;
  customerId: string;
  amountCents: number;
}

export interface OutboxRecord {
  seq: number;
  eventId: string;
  key: string;
  payload: string;
  sentAt: string | null;
}

export interface OutboxSnapshot {
  orders: Map<string, OrderRecord>;
  outbox: OutboxRecord[];
  /** The reason the snapshot is empty (no file yet, a table missing), when it is. */
  problem?: string;
}

/** Returns the committed orders and outbox rows. Rows of uncommitted transactions are not visible. */
export function readOutboxDb(file: string): OutboxSnapshot {
  const empty = (problem: string): OutboxSnapshot => ({ orders: new Map(), outbox: [], problem });
  if (!existsSync(file)) return empty(`the database ${file} does not exist yet`);
  const db = new Database(file, { readonly: true, fileMustExist: true, timeout: 2000 });
  try {
    const tables = new Set((db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all() as Array<{ name: string }>).map((row) => row.name));
    for (const table of ['orders', 'outbox']) if (!tables.has(table)) return empty(`the database has no table "${table}"`);
    const orders = db.prepare('SELECT order_id AS orderId, customer_id AS customerId, amount_cents AS amountCents FROM orders').all() as OrderRecord[];
    const outbox = db.prepare('SELECT seq, event_id AS eventId, message_key AS key, payload, sent_at AS sentAt FROM outbox ORDER BY seq').all() as OutboxRecord[];
    return { orders: new Map(orders.map((order) => [order.orderId, order])), outbox };
  } finally {
    db.close();
  }
}

/** Returns the outbox rows whose key is `orderId`. */
export function outboxRowsFor(snapshot: OutboxSnapshot, orderId: string): OutboxRecord[] {
  return snapshot.outbox.filter((row) => row.key === orderId);
}
