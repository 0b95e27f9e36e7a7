import { loadDay } from '../course/catalog.js';
import { loadQuiz, type QuizQuestion } from '../course/quiz.js';
import { ExitCode, usageError } from '../errors.js';
import type { Io } from '../ui/io.js';
import { renderInline, renderMarkdown } from '../ui/markdown.js';
import { findWorkspace } from '../workspace/config.js';
import { readProgress, recordQuiz } from '../workspace/progress.js';

export interface QuizOptions {
  cwd: string;
  day: string;
}

/** Asks one question and returns the index of the chosen answer. Ctrl-C rejects with ExitPromptError (exit 130). */
type Ask = (question: QuizQuestion, position: number, total: number) => Promise<number>;

const askWithInquirer: Ask = async (question, position, total) => {
  const { select } = await import('@inquirer/prompts');
  return select({
    message: `(${position}/${total}) ${question.question}`,
    choices: question.choices.map((choice, index) => ({ name: choice, value: index })),
    loop: false,
  });
};

/**
 * Asks the day's multiple-choice questions in order, explains each answer, prints the score and
 * records it in progress (best and last). Needs a terminal, because every answer is a key press.
 */
export async function quiz(options: QuizOptions, io: Io, ask: Ask = askWithInquirer): Promise<number> {
  const day = loadDay(options.day);
  const quiz = loadQuiz(day);
  if (!quiz) {
    io.out(`${day.id} has no quiz.`);
    return ExitCode.ok;
  }
  if (!io.interactive) {
    throw usageError('The quiz needs a terminal: its questions are answered with the arrow keys and Enter, and stdin or stdout is not a terminal here.', `run \`mq-course quiz ${day.id}\` in a terminal window`);
  }
  const workspace = findWorkspace(options.cwd);
  // Read before the first question, so a broken progress file stops the quiz before the learner spends time on it.
  if (workspace) readProgress(workspace.root);

  const { colors } = io;
  const total = quiz.questions.length;
  io.out(colors.bold(`${day.title}: quiz, ${total} questions`));
  let score = 0;
  for (const [index, question] of quiz.questions.entries()) {
    io.out('');
    const answer = await ask(question, index + 1, total);
    if (answer === question.answer) {
      score++;
      io.out(colors.green('✓ Right.'));
    } else {
      io.out(colors.red('✗ Not quite.') + ` The answer is: ${renderInline(question.choices[question.answer], colors)}`);
    }
    for (const line of renderMarkdown(question.explanation, colors, 76)) io.out(`  ${line}`);
  }

  io.out('');
  io.out(colors.bold(`Score: ${score} of ${total}.`));
  if (!workspace) {
    io.out(colors.dim('Not recorded: no mq-course workspace here (run the quiz inside one to keep your score).'));
    return ExitCode.ok;
  }
  const recorded = recordQuiz(workspace.root, day.id, score, total);
  io.out(`Best so far: ${recorded.bestScore} of ${total}. Recorded in your progress (mq-course progress).`);
  return ExitCode.ok;
}
