import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initWorkspace, KEY, repoRoot, runCli, runInPty, type CliWorkspace, type PtyStep } from './cli.js';

const quiz = JSON.parse(readFileSync(path.join(repoRoot, 'templates', 'day4', 'quiz.json'), 'utf8')) as { questions: Array<{ answer: number }> };
const total = quiz.questions.length;

/** One step per question: wait for "(n/total)", then move to the chosen answer and press Enter. */
function answerSteps(choose: (question: { answer: number }) => number): PtyStep[] {
  return quiz.questions.map((question, index) => ({ expect: `\\(${index + 1}/${total}\\)`, send: KEY.down.repeat(choose(question)) + KEY.enter }));
}

describe('lesson and quiz (built CLI)', () => {
  let workspace: CliWorkspace;
  beforeAll(async () => {
    workspace = await initWorkspace();
  });
  afterAll(() => workspace?.cleanup());

  it('lesson without a section lists the sections', async () => {
    const result = await runCli(['lesson', 'day4'], { cwd: workspace.parent });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/1 +Event-driven design +mq-course lesson day4 event-driven/);
    expect(result.stdout).toMatch(/5 +The day's common mistakes/);
    expect(result.stderr).toBe('');
  });

  it('lesson section by name and by number', async () => {
    const byName = await runCli(['lesson', 'day4', 'kafka'], { cwd: workspace.parent });
    expect(byName.exitCode).toBe(0);
    expect(byName.stdout).toMatch(/^Kafka\n=====/);
    expect(byName.stdout).toContain('Next section: mq-course lesson day4 sagas');
    const byNumber = await runCli(['lesson', 'day4', '3'], { cwd: workspace.parent });
    expect(byNumber.stdout).toBe(byName.stdout);
  });

  it('lesson --all prints every section', async () => {
    const result = await runCli(['lesson', 'day4', '--all'], { cwd: workspace.parent });
    expect(result.exitCode).toBe(0);
    for (const title of ['Event-driven design', 'RabbitMQ', 'Kafka', 'Sagas', "The day's common mistakes"]) expect(result.stdout).toMatch(new RegExp(`^${title}\n[=]+$`, 'm'));
  });

  it('lesson unknown section exits 2 listing valid ones', async () => {
    const result = await runCli(['lesson', 'day4', 'zookeeper'], { cwd: workspace.parent });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown lesson section "zookeeper"');
    expect(result.stderr).toContain('1 (event-driven), 2 (rabbitmq), 3 (kafka), 4 (sagas), 5 (common-mistakes)');
  });

  it('lesson unknown day exits 2', async () => {
    const result = await runCli(['lesson', 'day9'], { cwd: workspace.parent });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown day "day9"');
  });

  it('quiz without a terminal exits 2', async () => {
    const result = await workspace.run(['quiz', 'day4']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('The quiz needs a terminal');
    expect(result.stdout).toBe('');
  });

  it('quiz in a terminal scores and records', async () => {
    const perfect = await runInPty(['quiz', 'day4'], [...answerSteps((question) => question.answer), { expect: `Score: ${total} of ${total}` }], { cwd: workspace.root });
    expect(perfect.exitCode, perfect.stdout + perfect.stderr).toBe(0);
    expect(perfect.stdout).toContain('✓ Right.');
    expect(workspace.readProgress().quiz.day4).toMatchObject({ bestScore: total, lastScore: total, questions: total });

    // Always the first choice: wrong wherever the answer is not the first one.
    const expected = quiz.questions.filter((question) => question.answer === 0).length;
    const partial = await runInPty(['quiz', 'day4'], [...answerSteps(() => 0), { expect: `Score: ${expected} of ${total}` }], { cwd: workspace.root });
    expect(partial.exitCode, partial.stdout + partial.stderr).toBe(0);
    expect(partial.stdout).toContain('✗ Not quite. The answer is:');
    expect(partial.stdout).toContain(`Best so far: ${total} of ${total}`);
    expect(workspace.readProgress().quiz.day4).toMatchObject({ bestScore: total, lastScore: expected });

    const table = await workspace.run(['progress']);
    expect(table.stdout).toContain(`Quiz: best ${total} of ${total}, last ${expected} of ${total}`);
  });

  it('quiz Ctrl-C exits 130 and records nothing', async () => {
    const before = workspace.readProgress().quiz.day4;
    const result = await runInPty(['quiz', 'day4'], [{ expect: `\\(1/${total}\\)`, send: KEY.ctrlC }], { cwd: workspace.root });
    expect(result.exitCode, result.stdout).toBe(130);
    expect(workspace.readProgress().quiz.day4).toEqual(before);
  });
});
