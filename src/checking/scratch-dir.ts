import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const folders = new Set<string>();
let exitHookInstalled = false;

/**
 * Creates a temp folder for one run's files (a learner program's database, say). It is removed by
 * removeScratchDir, or when this process exits, whichever comes first, so a failed run that
 * stops early leaves nothing behind either.
 */
export function createScratchDir(runId: string): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), `mq-course-${runId}-`));
  folders.add(folder);
  if (!exitHookInstalled) {
    exitHookInstalled = true;
    process.on('exit', removeScratchDirs);
  }
  return folder;
}

export function removeScratchDir(folder: string): void {
  rmSync(folder, { recursive: true, force: true });
  folders.delete(folder);
}

/**
 * Removes every scratch folder this process created and still holds. Tests call it after their
 * runs: vitest 4 ended its workers here without running exit handlers.
 */
export function removeScratchDirs(): void {
  for (const folder of [...folders]) removeScratchDir(folder);
}
