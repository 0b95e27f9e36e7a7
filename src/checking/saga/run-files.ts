// The SQLite file each check run of the saga-timeouts exercise gives the orchestrator (SAGA_DB).
import { mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';

// Kept after a failed run so the learner can open it; removed by later runs once this old.
// Ten minutes also spares a run that is still going in another terminal on the same workspace.
const KEEP_MS = 10 * 60_000;

/** Returns the folder, inside the workspace, that contains the runs' database files. */
export function runFilesDir(workspaceRoot: string): string {
  return path.join(workspaceRoot, '.mq-course', 'runs');
}

/** Returns a fresh database path for the run, after deleting the files of old runs. */
export function sagaDatabaseFor(workspaceRoot: string, runId: string): string {
  const dir = runFilesDir(workspaceRoot);
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (name.startsWith('mqc-') && Date.now() - statSync(file).mtimeMs > KEEP_MS) rmSync(file, { force: true });
  }
  return path.join(dir, `${runId}-sagas.db`);
}

/** Deletes a run's database and the journal files SQLite may have left beside it. */
export function removeSagaDatabase(file: string): void {
  for (const suffix of ['', '-journal', '-wal', '-shm']) rmSync(file + suffix, { force: true });
}
