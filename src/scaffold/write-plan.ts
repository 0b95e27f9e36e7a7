import { copyFileSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { usageError } from '../errors.js';

/** One file the scaffold wants to write, relative to the workspace root. */
export interface PlannedFile {
  path: string;
  content: Buffer;
}

export interface WriteOutcome {
  created: string[];
  unchanged: string[];
  /** Existing files that differ and were left alone (no --force). */
  kept: string[];
  /** Existing files replaced under --force; the old content is in the backup folder. */
  replaced: string[];
  backupDir?: string;
}

/** Resolves `relative` inside `root`, and rejects any path (or symlinked folder) that leads outside it. */
export function insideRoot(root: string, relative: string): string {
  const target = path.resolve(root, relative);
  const fromRoot = path.relative(root, target);
  if (fromRoot.startsWith('..') || path.isAbsolute(fromRoot)) throw usageError(`Refusing to write ${relative}: it is outside the workspace ${root}.`);
  let existing = path.dirname(target);
  while (!existsSync(existing)) existing = path.dirname(existing);
  const real = realpathSync(existing);
  const realRoot = realpathSync(root);
  if (real !== realRoot && !real.startsWith(realRoot + path.sep)) {
    throw usageError(`Refusing to write ${relative}: ${existing} links to ${real}, outside the workspace.`, 'remove the link or choose another folder');
  }
  return target;
}

/**
 * Writes the planned files. Never overwrites a differing file unless `force`; with `force`, the
 * old file is first copied to .mq-course/backups/<timestamp>/, so nothing the learner wrote is lost.
 */
export function writePlan(root: string, files: PlannedFile[], force: boolean, now = new Date()): WriteOutcome {
  const outcome: WriteOutcome = { created: [], unchanged: [], kept: [], replaced: [] };
  const stamp = now.toISOString().replace(/[:.]/g, '-');
  for (const file of files) {
    const target = insideRoot(root, file.path);
    if (existsSync(target)) {
      const current = readFileSync(target);
      if (current.equals(file.content)) {
        outcome.unchanged.push(file.path);
        continue;
      }
      if (!force) {
        outcome.kept.push(file.path);
        continue;
      }
      outcome.backupDir = path.join(root, '.mq-course', 'backups', stamp);
      const backup = path.join(outcome.backupDir, file.path);
      mkdirSync(path.dirname(backup), { recursive: true });
      copyFileSync(target, backup);
      writeFileSync(target, file.content);
      outcome.replaced.push(file.path);
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content, { flag: 'wx' });
    outcome.created.push(file.path);
  }
  return outcome;
}
