import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import workQueueCheck from '../../checks/day4/01-work-queue.js';
import { initWorkspace, KEY, repoRoot, runInPty, type CliWorkspace } from './cli.js';

const EXERCISE = '01-work-queue';
const templates = path.join(repoRoot, 'templates', 'day4', 'exercises', EXERCISE);
const manifest = JSON.parse(readFileSync(path.join(templates, 'exercise.json'), 'utf8')) as { hints: Array<{ text: string; step?: string }> };
const starter = readFileSync(path.join(templates, 'starter', 'worker.ts'), 'utf8');
const solution = readFileSync(path.join(templates, 'solution', 'worker.ts'), 'utf8');
const passedProgress = { formatVersion: 1, exercises: { [EXERCISE]: { state: 'passed', attempts: 1, lastRun: '2026-12-01T10:00:00.000Z', passedAt: '2026-12-01T10:00:00.000Z' } } };

/** The first four words of a hint, short enough to stay on the first rendered line. */
const opening = (text: string) => text.split(' ').slice(0, 4).join(' ');

describe('hint (built CLI)', () => {
  let workspace: CliWorkspace;
  beforeAll(async () => {
    workspace = await initWorkspace();
  });
  afterAll(() => workspace?.cleanup());
  beforeEach(() => workspace.writeProgress({ formatVersion: 1, exercises: {} }));

  it('each call shows the next hint', async () => {
    const first = await workspace.run(['hint', '1']);
    expect(first.exitCode).toBe(0);
    expect(first.stdout).toContain(`Hint 1 of ${manifest.hints.length}`);
    expect(first.stdout).toContain(opening(manifest.hints[0].text));
    const second = await workspace.run(['hint', 'work-queue']);
    expect(second.stdout).toContain(`Hint 2 of ${manifest.hints.length}`);
    expect(second.stdout).toContain(opening(manifest.hints[1].text));
    expect(workspace.readProgress().hintsShown).toEqual({ [EXERCISE]: [0, 1] });
  });

  it('after the last hint says so', async () => {
    workspace.writeProgress({ formatVersion: 1, exercises: {}, hintsShown: { [EXERCISE]: manifest.hints.map((_, index) => index) } });
    const result = await workspace.run(['hint', EXERCISE]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`You have seen all ${manifest.hints.length} hints`);
    expect(result.stdout).toContain(`mq-course hint ${EXERCISE} --all`);
  });

  it('failed step hint comes first', async () => {
    const step = 'crash-redelivery';
    const index = manifest.hints.findIndex((hint) => hint.step === step);
    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: { state: 'failed', attempts: 1, lastRun: '2026-12-01T10:00:00.000Z', failedStep: step } } });
    const result = await workspace.run(['hint', EXERCISE]);
    const title = workQueueCheck.steps.find((candidate) => candidate.id === step)!.title;
    expect(result.stdout).toContain(`Hint 1 of ${manifest.hints.length} (for the failed step: ${title})`);
    expect(result.stdout).toContain(opening(manifest.hints[index].text));
    expect(workspace.readProgress().hintsShown).toEqual({ [EXERCISE]: [index] });
  });

  it('--all shows every hint and records them', async () => {
    const result = await workspace.run(['hint', EXERCISE, '--all']);
    expect(result.exitCode).toBe(0);
    for (let number = 1; number <= manifest.hints.length; number++) expect(result.stdout).toContain(`Hint ${number} of ${manifest.hints.length}`);
    expect(workspace.readProgress().hintsShown[EXERCISE]).toHaveLength(manifest.hints.length);
  });
});

describe('reset and solution (built CLI)', () => {
  let workspace: CliWorkspace;
  const worker = () => path.join(workspace.root, 'exercises', EXERCISE, 'worker.ts');
  const backups = () => path.join(workspace.root, '.mq-course', 'backups');
  const backedUpWorkers = () => readdirSync(backups()).map((stamp) => readFileSync(path.join(backups(), stamp, 'exercises', EXERCISE, 'worker.ts'), 'utf8'));

  beforeAll(async () => {
    workspace = await initWorkspace();
  });
  afterAll(() => workspace?.cleanup());
  beforeEach(() => workspace.writeProgress({ formatVersion: 1, exercises: {} }));

  it('reset restores the starter and backs up', async () => {
    writeFileSync(worker(), '// my attempt\n');
    const result = await workspace.run(['reset', EXERCISE]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Restored the starter of ${EXERCISE}: exercises/${EXERCISE}/worker.ts`);
    expect(result.stdout).toMatch(/Your previous files are backed up in \.mq-course\/backups\/\d{4}-\d\d-\d\dT/);
    expect(readFileSync(worker(), 'utf8')).toBe(starter);
    expect(backedUpWorkers()).toContain('// my attempt\n');
  });

  it('reset of an untouched starter changes nothing', async () => {
    const result = await workspace.run(['reset', EXERCISE]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('already has its starter files');
  });

  it('solution stays hidden before a pass', async () => {
    const result = await workspace.run(['solution', EXERCISE]);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain(`${EXERCISE} has not passed yet, so its solution stays hidden`);
    expect(result.stderr).toContain(`mq-course solution ${EXERCISE} --force`);
    expect(result.stdout).not.toContain('channel.prefetch');
  });

  it('solution --force without a terminal needs --yes', async () => {
    const result = await workspace.run(['solution', EXERCISE, '--force']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('there is no terminal to ask on');
    expect(result.stderr).toContain(`mq-course solution ${EXERCISE} --force --yes`);
  });

  it('solution --force --yes shows it', async () => {
    const result = await workspace.run(['solution', EXERCISE, '--force', '--yes']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`── exercises/${EXERCISE}/worker.ts (reference solution) ──`);
    expect(result.stdout).toContain(solution.trimEnd());
  });

  it('solution shows once passed', async () => {
    workspace.writeProgress(passedProgress);
    const result = await workspace.run(['solution', EXERCISE]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(solution.trimEnd());
  });

  it('solution --write backs up the learner file', async () => {
    workspace.writeProgress(passedProgress);
    writeFileSync(worker(), '// before the solution\n');
    const result = await workspace.run(['solution', EXERCISE, '--write']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Wrote the reference solution of ${EXERCISE}: exercises/${EXERCISE}/worker.ts`);
    expect(readFileSync(worker(), 'utf8')).toBe(solution);
    expect(backedUpWorkers()).toContain('// before the solution\n');
  });

  it('solution --force confirmed in a terminal', async () => {
    const result = await runInPty(['solution', EXERCISE, '--force'], [{ expect: 'Show the reference solution anyway\\?', send: 'y' + KEY.enter }], { cwd: workspace.root });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('(reference solution)');
  });

  it('solution --force declined in a terminal', async () => {
    const result = await runInPty(['solution', EXERCISE, '--force'], [{ expect: 'Show the reference solution anyway\\?', send: KEY.enter }], { cwd: workspace.root });
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('Solution not shown.');
    expect(result.stdout).not.toContain('(reference solution)');
  });

  it('solution --force Ctrl-C exits 130', async () => {
    const result = await runInPty(['solution', EXERCISE, '--force'], [{ expect: 'Show the reference solution anyway\\?', send: KEY.ctrlC }], { cwd: workspace.root });
    expect(result.exitCode, result.stdout).toBe(130);
    expect(result.stdout).not.toContain('(reference solution)');
  });
});
