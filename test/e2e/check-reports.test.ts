import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyVariant } from '../helpers/variants.js';
import { variants } from '../mistakes/01-work-queue.js';
import workQueueCheck from '../../checks/day4/01-work-queue.js';
import { initWorkspace, repoRoot, type CliWorkspace } from './cli.js';

// These runs use the real RabbitMQ at 127.0.0.1:5672; exercise 01 needs no Kafka.
const EXERCISE = '01-work-queue';
const solution = readFileSync(path.join(repoRoot, 'templates', 'day4', 'exercises', EXERCISE, 'solution', 'worker.ts'), 'utf8');
const ackBeforeWork = variants.find((variant) => variant.description === 'acks as soon as the task arrives')!;

describe('check reports (built CLI, real RabbitMQ)', () => {
  let starters: CliWorkspace;
  let solutions: CliWorkspace;
  beforeAll(async () => {
    [starters, solutions] = await Promise.all([initWorkspace(), initWorkspace({ withSolutions: true })]);
  });
  afterAll(() => {
    starters?.cleanup();
    solutions?.cleanup();
  });

  it('--json prints only JSON on stdout', async () => {
    const result = await starters.run(['check', 'day4', '01', '--json']);
    expect(result.exitCode).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ day: 'day4', status: 'failed' });
    expect(report.exercises[0].exercise).toBe(EXERCISE);
    expect(report.exercises[0].steps[0]).toMatchObject({ id: 'consumer', status: 'failed' });
    expect(report.exercises[0].programs[0].lines.join('\n')).toContain('TODO');
  });

  it('--json with RabbitMQ down exits 3, stdout empty', async () => {
    const result = await starters.run(['check', 'day4', '01', '--json', '--amqp-url', 'amqp://guest:guest@127.0.0.1:1']);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('RabbitMQ is not responding');
    expect(result.stderr).toContain('mq-course up rabbitmq');
  });

  it('--reporter junit on a pass', async () => {
    const result = await solutions.run(['check', 'day4', '01', '--reporter', 'junit']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<testsuites>')).toBe(true);
    expect(result.stdout.match(/<testcase /g)).toHaveLength(5);
    expect(result.stdout).not.toContain('<failure');
    expect(result.stdout.trimEnd().endsWith('</testsuites>')).toBe(true);
  });

  it('--repeat 2 reports the pass rate and records both runs', async () => {
    // Earlier tests may or may not have run against this workspace (e.g. under -t).
    const attempts = () => (existsSync(solutions.progressFile) ? (solutions.readProgress().exercises[EXERCISE]?.attempts ?? 0) : 0);
    const before = attempts();
    const result = await solutions.run(['check', 'day4', '01', '--repeat', '2']);
    expect(result.exitCode, result.stdout).toBe(0);
    expect(result.stdout).toContain('run 1 of 2');
    expect(result.stdout).toContain('run 2 of 2');
    expect(result.stdout).toContain(`${EXERCISE}: passed 2 of 2 runs (100%)`);
    expect(attempts()).toBe(before + 2);
  });

  it('--repeat 0 is a usage error', async () => {
    const result = await solutions.run(['check', 'day4', '01', '--repeat', '0']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Invalid --repeat "0"');
  });

  it('failure shows trace, output and path:line', async () => {
    const worker = path.join(solutions.root, 'exercises', EXERCISE, 'worker.ts');
    writeFileSync(worker, applyVariant(solution, ackBeforeWork));
    try {
      const result = await solutions.run(['check', 'day4', '01']);
      expect(result.exitCode).toBe(1);
      expect(result.stdout).toMatch(/✗ .+/);
      expect(result.stdout).toMatch(/Message trace \(run mqc-01-[0-9a-f]{6}\):/);
      expect(result.stdout).toMatch(/\d+\.\d\ds  published .*to queue mqc-01-/);
      expect(result.stdout).toMatch(/Output of worker-[ab]/);
      expect(result.stdout).toMatch(/worker-[ab] │ \{"event":"received"/);
      expect(result.stdout).toContain(`Your code: exercises/${EXERCISE}/worker.ts:1`);
      expect(result.stdout).toContain(`Stuck?    mq-course hint ${EXERCISE}`);
      expect(result.stdout).toContain(`Fix it, then run: mq-course check day4 ${EXERCISE}`);

      // The failed step is recorded, and hint leads with the hint written for it.
      const failedStep = solutions.readProgress().exercises[EXERCISE].failedStep as string;
      expect(failedStep).toBeTruthy();
      const hint = await solutions.run(['hint', EXERCISE]);
      const title = workQueueCheck.steps.find((step) => step.id === failedStep)!.title;
      expect(hint.stdout).toContain(`(for the failed step: ${title})`);

      const junit = await solutions.run(['check', 'day4', '01', '--reporter', 'junit']);
      expect(junit.exitCode).toBe(1);
      expect(junit.stdout).toMatch(/<failure message="[^"]+">/);
      expect(junit.stdout).toContain('<system-out>');
      expect(junit.stdout).toContain('worker-a | ');
    } finally {
      writeFileSync(worker, solution);
    }
  });
});
