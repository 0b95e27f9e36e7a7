import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveEndpoints } from '../../src/brokers/endpoints.js';
import { findExercise, loadCheck, loadDay } from '../../src/course/catalog.js';
import { runExercise } from '../../src/checking/runner.js';
import type { ExerciseResult } from '../../src/checking/types.js';
import { init } from '../../src/commands/init.js';
import { memoryIo } from '../../src/ui/io.js';

/** A scaffolded workspace in a temp folder, removed by `cleanup`. */
export interface TestWorkspace {
  root: string;
  cleanup(): void;
}

export async function makeWorkspace(options: { withSolutions: boolean }): Promise<TestWorkspace> {
  const parent = mkdtempSync(path.join(os.tmpdir(), 'mq-course-test-'));
  const root = path.join(parent, 'workspace');
  const io = memoryIo();
  const code = await init({ cwd: parent, dir: 'workspace', yes: true, withSolutions: options.withSolutions }, io);
  if (code !== 0) throw new Error(`init failed (${code}): ${io.stderr.join('\n')}`);
  return { root, cleanup: () => rmSync(parent, { recursive: true, force: true }) };
}

/** Runs one exercise's checks against the workspace, as `mq-course check day4 <exercise>` would. */
export async function runCheck(workspaceRoot: string, exerciseId: string): Promise<ExerciseResult> {
  const day = loadDay('day4');
  const exercise = findExercise(day, exerciseId);
  return runExercise({ exercise, check: await loadCheck(day, exercise), workspaceRoot, endpoints: resolveEndpoints() });
}

/** Reads the reference solution of a program, as shipped in templates/. */
export function solutionSource(exerciseId: string, program: string): string {
  const exercise = findExercise(loadDay('day4'), exerciseId);
  return readFileSync(path.join(exercise.templateDir, 'solution', program), 'utf8');
}

export function writeProgram(workspaceRoot: string, exerciseId: string, program: string, source: string): void {
  writeFileSync(path.join(workspaceRoot, 'exercises', exerciseId, program), source);
}

/** Returns the failed step of a result. */
export function failedStep(result: ExerciseResult) {
  return result.steps.find((step) => step.status === 'failed');
}

export function describeResult(result: ExerciseResult): string {
  return JSON.stringify({ status: result.status, steps: result.steps, trace: result.trace.slice(-10), programs: result.programs.map((program) => ({ ...program, lines: program.lines.slice(-10) })) }, null, 2);
}
