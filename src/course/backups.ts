import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';

/** Returns the folder for one backup: .mq-course/backups/<ISO time, with - for : and .>/ in the workspace. */
export function backupDir(workspaceRoot: string, now = new Date()): string {
  return path.join(workspaceRoot, '.mq-course', 'backups', now.toISOString().replace(/[:.]/g, '-'));
}

/**
 * Copies workspace files (paths relative to the root) into a backup folder, keeping their
 * relative paths. Missing files are skipped. Returns the files it copied.
 */
export function backupFiles(workspaceRoot: string, relativePaths: string[], targetDir: string): string[] {
  const copied: string[] = [];
  for (const relative of relativePaths) {
    const source = path.join(workspaceRoot, relative);
    if (!existsSync(source)) continue;
    const target = path.join(targetDir, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    copyFileSync(source, target);
    copied.push(relative);
  }
  return copied;
}
