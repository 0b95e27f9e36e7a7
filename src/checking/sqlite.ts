// The checker's only door to better-sqlite3: checks read (and fault) a learner program's database here.
import Database from 'better-sqlite3';

/**
 * Opens a learner's SQLite file for one action and closes it again, so the checker never holds a
 * lock between steps. The file must exist: the checker never creates the learner's database. The
 * 5 s busy timeout waits out the learner's own write transactions.
 */
function withDatabase<T>(file: string, action: (db: Database.Database) => T): T {
  const db = new Database(file, { fileMustExist: true, timeout: 5000 });
  try {
    return action(db);
  } finally {
    db.close();
  }
}

/** Runs a query and returns every row. */
export function queryRows<Row>(file: string, sql: string, ...parameters: unknown[]): Row[] {
  return withDatabase(file, (db) => db.prepare(sql).all(...parameters) as Row[]);
}

/** Runs one or more statements that return nothing (DDL, such as a trigger that injects a fault). */
export function executeSql(file: string, sql: string): void {
  withDatabase(file, (db) => db.exec(sql));
}

/** Returns the names of the tables in the database. */
export function tableNames(file: string): string[] {
  return queryRows<{ name: string }>(file, "SELECT name FROM sqlite_master WHERE type = 'table'").map((row) => row.name);
}
