import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { usageError } from '../errors.js';
import { templatesDir } from '../paths.js';
import type { BrokerName } from '../brokers/endpoints.js';
import type { CheckDefinition } from '../checking/types.js';

/** A hint; `step` ties it to a check step, so it comes first after that step fails. */
export interface Hint {
  text: string;
  step?: string;
}

/**
 * One exercise, read from templates/<day>/exercises/<id>/exercise.json. The folder also contains
 * README.md (copied into the workspace), starter/ and solution/ with the same file names.
 */
export interface Exercise {
  id: string;
  number: number;
  title: string;
  summary: string;
  brokers: BrokerName[];
  /** The files the learner edits, relative to the exercise folder. */
  programs: string[];
  /** Given files the programs import (a schema, say), copied from starter/ but not the learner's to edit. */
  support: string[];
  hints: Hint[];
  templateDir: string;
}

export interface Day {
  id: string;
  title: string;
  exercises: Exercise[];
  templateDir: string;
}

/** Lists the days: every folder under templates/ with a day.json. */
export function listDays(): string[] {
  return readdirSync(templatesDir()).filter((name) => existsSync(path.join(templatesDir(), name, 'day.json')));
}

/** Loads a day's catalog. Adding an exercise folder adds it here; no command code changes. */
export function loadDay(dayId: string): Day {
  const templateDir = path.join(templatesDir(), dayId);
  if (!/^[a-z0-9-]+$/.test(dayId) || !existsSync(path.join(templateDir, 'day.json'))) {
    throw usageError(`Unknown day "${dayId}".`, `use one of: ${listDays().join(', ')}`);
  }
  const meta = JSON.parse(readFileSync(path.join(templateDir, 'day.json'), 'utf8')) as { title: string };
  const exercisesDir = path.join(templateDir, 'exercises');
  const exercises = readdirSync(exercisesDir)
    .filter((name) => /^\d\d-/.test(name) && existsSync(path.join(exercisesDir, name, 'exercise.json')))
    .sort()
    .map((id) => {
      const manifest = JSON.parse(readFileSync(path.join(exercisesDir, id, 'exercise.json'), 'utf8')) as Omit<Exercise, 'id' | 'number' | 'templateDir'>;
      return { ...manifest, support: manifest.support ?? [], id, number: Number(id.slice(0, 2)), templateDir: path.join(exercisesDir, id) };
    });
  return { id: dayId, title: meta.title, exercises, templateDir };
}

/** Finds an exercise by id ("01-work-queue"), number ("01" or "1") or name ("work-queue"). */
export function findExercise(day: Day, query: string): Exercise {
  const wanted = query.trim().toLowerCase();
  const match = day.exercises.find(
    (exercise) => exercise.id === wanted || exercise.id.slice(3) === wanted || (/^\d+$/.test(wanted) && exercise.number === Number(wanted)),
  );
  if (!match) {
    throw usageError(`Unknown exercise "${query}" in ${day.id}.`, `use one of: ${day.exercises.map((exercise) => exercise.id).join(', ')} (see \`mq-course list\`)`);
  }
  return match;
}

/** Loads the check module of an exercise from checks/<day>/<id>. */
export async function loadCheck(day: Day, exercise: Exercise): Promise<CheckDefinition<any>> {
  // Built: dist/checks/<day>/<id>.js beside dist/src. From source (tests): checks/<day>/<id>.ts.
  const base = fileURLToPath(new URL(`../../checks/${day.id}/${exercise.id}`, import.meta.url));
  const file = existsSync(`${base}.js`) ? `${base}.js` : `${base}.ts`;
  const module = (await import(/* @vite-ignore */ pathToFileURL(file).href)) as { default: CheckDefinition<any> };
  return module.default;
}
