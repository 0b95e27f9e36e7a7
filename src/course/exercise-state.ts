import path from 'node:path';
import { requireWorkspace, type Workspace } from '../workspace/config.js';
import { readProgress, type Progress } from '../workspace/progress.js';
import { findExercise, loadDay, type Day, type Exercise } from './catalog.js';

export type ExerciseState = 'not started' | 'failed' | 'passed';

/** Returns the state of an exercise: "not started" until its first check run, then the last run's outcome. */
export function exerciseState(progress: Progress, exerciseId: string): ExerciseState {
  return progress.exercises[exerciseId]?.state ?? 'not started';
}

/** Finds the first exercise in course order that has not passed, or undefined when every one has. */
export function nextExercise(day: Day, progress: Progress): Exercise | undefined {
  return day.exercises.find((exercise) => exerciseState(progress, exercise.id) !== 'passed');
}

/** Finds the first exercise after `current` that has not passed, wrapping around to earlier ones. */
export function exerciseAfter(day: Day, progress: Progress, current: Exercise): Exercise | undefined {
  const start = day.exercises.findIndex((exercise) => exercise.id === current.id);
  const ordered = [...day.exercises.slice(start + 1), ...day.exercises.slice(0, start)];
  return ordered.find((exercise) => exerciseState(progress, exercise.id) !== 'passed');
}

export function exerciseDir(workspaceRoot: string, exercise: Exercise): string {
  return path.join(workspaceRoot, 'exercises', exercise.id);
}

/** A path as the learner should type it: relative to where they are, unless that climbs out. */
export function displayPath(cwd: string, target: string): string {
  const relative = path.relative(cwd, target);
  if (relative === '') return '.';
  return relative.startsWith('..') ? target : relative;
}

/** Loads what most commands start from: the workspace around `cwd`, its day's catalog and the learner's progress. */
export function loadLearnerState(cwd: string): { workspace: Workspace; day: Day; progress: Progress } {
  const workspace = requireWorkspace(cwd);
  const day = loadDay(workspace.config.day);
  return { workspace, day, progress: readProgress(workspace.root) };
}

