import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { backupDir, backupFiles } from './backups.js';
import type { Exercise } from './catalog.js';

export type TemplateKind = 'starter' | 'solution';

/** A learner program's workspace path (relative to the root) and its template content. */
export interface TemplateFile {
  program: string;
  relative: string;
  content: Buffer;
}

export function templateFiles(exercise: Exercise, kind: TemplateKind): TemplateFile[] {
  return exercise.programs.map((program) => ({
    program,
    relative: path.posix.join('exercises', exercise.id, program),
    content: readFileSync(path.join(exercise.templateDir, kind, program)),
  }));
}

export interface RestoreOutcome {
  written: string[];
  unchanged: string[];
  /** The backup folder, when at least one of the learner's files differed and was copied there. */
  backup?: string;
}

/**
 * Writes template files over the learner's programs. A learner file that differs from the
 * template is first copied to .mq-course/backups/<time>/ with the same relative path.
 */
export function writeTemplates(workspaceRoot: string, files: TemplateFile[], now = new Date()): RestoreOutcome {
  const outcome: RestoreOutcome = { written: [], unchanged: [] };
  const differing = files.filter((file) => {
    const target = path.join(workspaceRoot, file.relative);
    return existsSync(target) && !readFileSync(target).equals(file.content);
  });
  if (differing.length) {
    outcome.backup = backupDir(workspaceRoot, now);
    backupFiles(workspaceRoot, differing.map((file) => file.relative), outcome.backup);
  }
  for (const file of files) {
    const target = path.join(workspaceRoot, file.relative);
    if (existsSync(target) && readFileSync(target).equals(file.content)) {
      outcome.unchanged.push(file.relative);
      continue;
    }
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, file.content);
    outcome.written.push(file.relative);
  }
  return outcome;
}
