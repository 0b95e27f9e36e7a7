import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Day } from './catalog.js';

/** One multiple-choice question; `answer` is the index of the right choice. */
export interface QuizQuestion {
  id: string;
  /** The lesson section the question is about (a lesson file name without .md). */
  section: string;
  question: string;
  choices: string[];
  answer: number;
  /** Shown after the answer, right or wrong: why the right choice is right. */
  explanation: string;
}

/** templates/<day>/quiz.json: { "formatVersion": 1, "questions": QuizQuestion[] }. */
export interface Quiz {
  formatVersion: number;
  questions: QuizQuestion[];
}

export function quizPath(day: Day): string {
  return path.join(day.templateDir, 'quiz.json');
}

/** Loads a day's quiz, or undefined when the day has none. Throws on a malformed file, naming the question. */
export function loadQuiz(day: Day): Quiz | undefined {
  const file = quizPath(day);
  if (!existsSync(file)) return undefined;
  const quiz = JSON.parse(readFileSync(file, 'utf8')) as Quiz;
  const problems = validateQuiz(quiz);
  if (problems.length) throw new Error(`The quiz ${file} is malformed: ${problems.join('; ')}`);
  return quiz;
}

/** Lists what is wrong with a quiz: missing fields, an answer index out of range, duplicate ids. */
export function validateQuiz(quiz: Quiz): string[] {
  const problems: string[] = [];
  if (quiz.formatVersion !== 1) problems.push(`formatVersion is ${quiz.formatVersion}, expected 1`);
  if (!Array.isArray(quiz.questions) || quiz.questions.length === 0) return [...problems, 'no questions'];
  const ids = new Set<string>();
  for (const [position, question] of quiz.questions.entries()) {
    const label = `question ${position + 1} (${question.id ?? 'no id'})`;
    if (!question.id || ids.has(question.id)) problems.push(`${label}: missing or duplicate id`);
    ids.add(question.id);
    for (const field of ['section', 'question', 'explanation'] as const) {
      if (typeof question[field] !== 'string' || question[field].trim() === '') problems.push(`${label}: missing ${field}`);
    }
    if (!Array.isArray(question.choices) || question.choices.length < 2) problems.push(`${label}: fewer than 2 choices`);
    else if (!Number.isInteger(question.answer) || question.answer < 0 || question.answer >= question.choices.length) {
      problems.push(`${label}: answer ${question.answer} is not the index of a choice`);
    }
  }
  return problems;
}
