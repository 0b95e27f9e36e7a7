import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Io } from '../../ui/io.js';
import type { Exercise } from '../../course/catalog.js';
import type { ExerciseResult, StepResult } from '../types.js';

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

export function printExerciseHeader(io: Io, exercise: Exercise): void {
  io.out('');
  io.out(`${io.colors.bold(exercise.id)}  ${exercise.title}`);
}

/** Prints one step as soon as it ends, so a long run shows progress. */
export function printStep(io: Io, step: StepResult): void {
  const { colors } = io;
  if (step.status === 'passed') {
    io.out(`  ${colors.green('✓')} ${step.title}  ${colors.dim(seconds(step.durationMs))}`);
    return;
  }
  if (step.status === 'skipped') {
    io.out(`  ${colors.dim(`- ${step.title} (not run)`)}`);
    return;
  }
  io.out(`  ${colors.red('✗')} ${step.title}  ${colors.dim(seconds(step.durationMs))}`);
  io.out(indent(step.message ?? '', 6));
  if (step.expected) io.out(`      ${colors.dim('expected:')} ${step.expected}`);
  if (step.actual) io.out(`      ${colors.dim('actual:  ')} ${step.actual}`);
  if (step.comparison) printComparison(io, step.comparison);
  if (step.next) io.out(`      ${colors.cyan('next:    ')} ${step.next}`);
}

/** Prints expected and actual sequences in two columns, with a marker on the first line that differs. */
export function printComparison(io: Io, comparison: { expected: string[]; actual: string[] }): void {
  const { colors } = io;
  const { expected, actual } = comparison;
  const width = Math.min(48, Math.max(8, ...expected.map((line) => line.length)));
  const firstDifference = Array.from({ length: Math.max(expected.length, actual.length) }, (_, index) => index).find((index) => expected[index] !== actual[index]);
  io.out(`      ${colors.dim(`  ${'expected'.padEnd(width)}   actual`)}`);
  for (let index = 0; index < Math.max(expected.length, actual.length); index++) {
    const marker = index === firstDifference ? colors.red('>') : ' ';
    const left = (expected[index] ?? '').padEnd(width);
    const right = actual[index] ?? colors.dim('(nothing)');
    io.out(`      ${marker} ${left}   ${index === firstDifference ? colors.red(right) : right}`);
  }
}

/** After a failed exercise: the message trace, each program's output, and where to look next. */
export function printFailureDetails(io: Io, exercise: Exercise, result: ExerciseResult, cwd: string, workspaceRoot: string): void {
  const { colors } = io;
  for (const step of result.steps) if (step.status === 'skipped') printStep(io, step);
  if (result.trace.length) {
    io.out('');
    io.out(colors.bold(`  Message trace (run ${result.runId}):`));
    for (const line of result.trace.slice(-25)) io.out(`    ${line}`);
  }
  for (const program of result.programs) {
    io.out('');
    io.out(colors.bold(`  Output of ${program.name}${program.exit ? ` (${program.exit})` : ''}:`));
    if (program.lines.length === 0) io.out(colors.dim('    (no output)'));
    for (const line of program.lines) io.out(`    ${colors.dim(`${program.name} │`)} ${printable(line)}`);
  }
  io.out('');
  const files = exercise.programs.map((program) => {
    const file = path.join(workspaceRoot, 'exercises', exercise.id, program);
    return `${path.relative(cwd, file)}:${firstTodoLine(file)}`;
  });
  io.out(`  ${colors.cyan('Your code:')} ${files.join(', ')}`);
  io.out(`  ${colors.cyan('Stuck?')}    mq-course hint ${exercise.id}`);
}

/** Returns the 1-based line of the first TODO left in a file (where a starter's work begins), or 1. */
function firstTodoLine(file: string): number {
  try {
    const index = readFileSync(file, 'utf8').split('\n').findIndex((line) => /\bTODO\b/.test(line));
    return index === -1 ? 1 : index + 1;
  } catch {
    return 1;
  }
}

/** Removes terminal escape sequences and control characters from program output, and shortens long lines. */
function printable(line: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = line.replace(/\u001b\[[0-9;?]*[ -\/]*[@-~]/g, '').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '');
  return clean.length > 300 ? `${clean.slice(0, 300)} …` : clean;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => pad + line)
    .join('\n');
}
