// Saga state in SQLite, so that a restarted orchestrator resumes its sagas where they stopped.
import Database from 'better-sqlite3';

/** The fields of a saga that the store reads; it keeps the whole saga as JSON. */
export interface StoredSaga {
  order: { sagaId: string };
  status: 'running' | 'compensating' | 'approved' | 'rejected';
}

export interface SagaStore<T extends StoredSaga> {
  /** Writes the saga's whole state; returns once SQLite has committed it. */
  save(saga: T): void;
  /** The sagas that are still running or compensating, to resume on start. */
  unfinished(): T[];
  close(): void;
}

export function openSagaStore<T extends StoredSaga>(file: string): SagaStore<T> {
  // The default rollback journal: a commit is on disk when save() returns, so a killed process
  // loses nothing it had saved.
  const db = new Database(file);
  db.exec(`CREATE TABLE IF NOT EXISTS sagas (
    saga_id    TEXT PRIMARY KEY,
    status     TEXT NOT NULL,
    state      TEXT NOT NULL,
    updated_at TEXT NOT NULL
  )`);
  const upsert = db.prepare(`INSERT INTO sagas (saga_id, status, state, updated_at) VALUES (?, ?, ?, ?)
    ON CONFLICT (saga_id) DO UPDATE SET status = excluded.status, state = excluded.state, updated_at = excluded.updated_at`);
  const selectUnfinished = db.prepare(`SELECT state FROM sagas WHERE status IN ('running', 'compensating') ORDER BY updated_at`);

  return {
    save(saga) {
      upsert.run(saga.order.sagaId, saga.status, JSON.stringify(saga), new Date().toISOString());
    },
    unfinished() {
      return (selectUnfinished.all() as Array<{ state: string }>).map((row) => JSON.parse(row.state) as T);
    },
    close() {
      db.close();
    },
  };
}
