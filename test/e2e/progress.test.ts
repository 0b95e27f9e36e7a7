import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { initWorkspace, runCli, type CliWorkspace } from './cli.js';

const EXERCISE = '01-work-queue';
const passed = { state: 'passed', attempts: 3, lastRun: '2026-11-30T10:00:00.000Z', passedAt: '2026-11-30T10:00:00.000Z' };
const failed = { state: 'failed', attempts: 2, lastRun: '2026-12-01T09:30:00.000Z', failedStep: 'consumer' };

describe('list, next and progress (built CLI)', () => {
  let workspace: CliWorkspace;
  beforeAll(async () => {
    workspace = await initWorkspace();
  });
  afterAll(() => workspace?.cleanup());
  beforeEach(() => workspace.writeProgress({ formatVersion: 1, exercises: {} }));

  it('list marks the first exercise next', async () => {
    const result = await workspace.run(['list']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`→ +${EXERCISE} +not started`));
    expect(result.stdout).toContain('0 of ');
  });

  it('list shows passed and failed states', async () => {
    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: failed } });
    expect((await workspace.run(['list'])).stdout).toMatch(new RegExp(`→ +${EXERCISE} +failed`));
    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: passed } });
    const result = await workspace.run(['list']);
    expect(result.stdout).toMatch(new RegExp(`^ +${EXERCISE} +passed`, 'm'));
    expect(result.stdout).not.toMatch(new RegExp(`→ +${EXERCISE}`));
  });

  it('next names folder, README and check command', async () => {
    const result = await workspace.run(['next']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`folder:  exercises/${EXERCISE}`);
    expect(result.stdout).toContain(`read:    exercises/${EXERCISE}/README.md`);
    expect(result.stdout).toContain(`check:   mq-course check day4 ${EXERCISE}`);
  });

  it('next from a subfolder gives relative paths', async () => {
    const result = await runCli(['next'], { cwd: path.join(workspace.root, 'exercises') });
    expect(result.stdout).toContain(`folder:  ${EXERCISE}`);
  });

  it('progress prints a table with attempts and quiz', async () => {
    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: failed } });
    const result = await workspace.run(['progress']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/exercise +state +attempts +last run/);
    expect(result.stdout).toMatch(new RegExp(`${EXERCISE} +failed +2 +2026-12-0[12] \\d\\d:\\d\\d`));
    expect(result.stdout).toContain('Quiz: not taken yet (mq-course quiz day4).');
  });

  it('export prints only JSON on stdout', async () => {
    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: passed } });
    const result = await workspace.run(['progress', 'export']);
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({ formatVersion: 1, exercises: { [EXERCISE]: passed } });
  });

  it('export to a file, import replaces', async () => {
    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: passed } });
    const exported = await workspace.run(['progress', 'export', 'saved.json']);
    expect(exported.exitCode).toBe(0);
    expect(exported.stdout).toBe('');
    expect(exported.stderr).toContain('Progress written to saved.json');

    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: failed } });
    const imported = await workspace.run(['progress', 'import', 'saved.json', '--replace']);
    expect(imported.exitCode, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Replaced progress from saved.json');
    expect(imported.stdout).toMatch(/backed up in \.mq-course\/backups\//);
    expect(workspace.readProgress().exercises[EXERCISE]).toEqual(passed);
  });

  it('import merges: passed wins, counts and times the larger', async () => {
    writeFileSync(path.join(workspace.root, 'other.json'), JSON.stringify({ formatVersion: 1, exercises: { [EXERCISE]: passed }, quiz: { day4: { bestScore: 9, lastScore: 9, questions: 18, lastTakenAt: '2026-11-30T11:00:00.000Z' } } }));
    workspace.writeProgress({ formatVersion: 1, exercises: { [EXERCISE]: failed }, hintsShown: { [EXERCISE]: [0] } });
    const result = await workspace.run(['progress', 'import', 'other.json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toContain('Merged progress from other.json');
    const merged = workspace.readProgress();
    expect(merged.exercises[EXERCISE]).toEqual({ state: 'passed', attempts: 3, lastRun: failed.lastRun, passedAt: passed.passedAt });
    expect(merged.hintsShown).toEqual({ [EXERCISE]: [0] });
    expect(merged.quiz.day4.bestScore).toBe(9);
  });

  it('import rejects an invalid file with exit 2', async () => {
    writeFileSync(path.join(workspace.root, 'bad.json'), JSON.stringify({ formatVersion: 1, exercises: { [EXERCISE]: { state: 'done', attempts: -1, lastRun: 'yesterday' } } }));
    const result = await workspace.run(['progress', 'import', 'bad.json']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('bad.json, is not a valid progress file');
    expect(result.stderr).toContain(`exercises.${EXERCISE}.state is "done"`);
    expect(result.stderr).toContain(`exercises.${EXERCISE}.attempts is not a whole number`);
    expect(workspace.readProgress()).toEqual({ formatVersion: 1, exercises: {} });
  });

  it('import of a missing file exits 2', async () => {
    const result = await workspace.run(['progress', 'import', 'nowhere.json']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('nowhere.json, was not found');
  });
});

describe('progress errors (built CLI)', () => {
  let workspace: CliWorkspace;
  beforeAll(async () => {
    workspace = await initWorkspace();
  });
  afterAll(() => workspace?.cleanup());

  for (const command of [['list'], ['next'], ['progress'], ['progress', 'export'], ['hint', '01'], ['solution', '01'], ['watch']]) {
    it(`corrupt progress file stops ${command.join(' ')} with exit 3`, async () => {
      workspace.writeProgress('{"formatVersion": 1, "exercises": {');
      const result = await workspace.run(command);
      expect(result.exitCode).toBe(3);
      expect(result.stderr).toContain(`The progress file ${workspace.progressFile} is corrupt`);
      expect(result.stderr).toContain(`mv ${workspace.progressFile} ${workspace.progressFile}.broken`);
      // Never a silent reset: the broken file is still there, byte for byte.
      expect(readFileSync(workspace.progressFile, 'utf8')).toBe('{"formatVersion": 1, "exercises": {');
    });
  }

  it('newer progress format exits 3 naming the update', async () => {
    workspace.writeProgress({ formatVersion: 99, exercises: {} });
    const result = await workspace.run(['list']);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('has format version 99, written by a newer mq-course');
    expect(result.stderr).toContain('npm install -g mq-course@latest');
  });

  it('missing workspace exits 3 naming init', async () => {
    for (const command of [['list'], ['next'], ['progress'], ['hint', '01'], ['reset', '01'], ['solution', '01'], ['watch']]) {
      const result = await runCli(command, { cwd: workspace.parent });
      expect(result.exitCode, command.join(' ')).toBe(3);
      expect(result.stderr).toContain(`No mq-course workspace found in ${workspace.parent}`);
      expect(result.stderr).toContain('run `mq-course init`');
    }
  });

  it('unknown exercise exits 2 listing valid ones', async () => {
    workspace.writeProgress({ formatVersion: 1, exercises: {} });
    for (const command of [['hint', '42'], ['reset', 'nope'], ['solution', 'x'], ['watch', '42']]) {
      const result = await workspace.run(command);
      expect(result.exitCode, command.join(' ')).toBe(2);
      expect(result.stderr).toMatch(/Unknown exercise ".+" in day4/);
      expect(result.stderr).toContain('01-work-queue');
    }
    expect(existsSync(path.join(workspace.root, '.mq-course', 'backups')) ? readdirSync(path.join(workspace.root, '.mq-course', 'backups')) : []).toEqual([]);
  });
});
