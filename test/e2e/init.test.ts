import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

let parent: string;
beforeEach(() => {
  parent = mkdtempSync(path.join(os.tmpdir(), 'mq-course-init-'));
});
afterEach(() => rmSync(parent, { recursive: true, force: true }));

describe('mq-course init', () => {
  it('scaffolds the workspace without prompting', async () => {
    const result = await runCli(['init', 'ws', '--yes'], { cwd: parent });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/Workspace ready in ws/);
    const root = path.join(parent, 'ws');
    for (const file of ['mq-course.json', 'package.json', 'tsconfig.json', 'README.md', '.gitignore', 'compose.yaml', 'lib/course.ts', 'exercises/01-work-queue/worker.ts', 'exercises/01-work-queue/README.md']) {
      expect(existsSync(path.join(root, file)), file).toBe(true);
    }
    expect(readFileSync(path.join(root, 'exercises/01-work-queue/worker.ts'), 'utf8')).toMatch(/TODO 1/);
  });

  it('writes solutions with --with-solutions', async () => {
    await runCli(['init', 'ws', '--yes', '--with-solutions'], { cwd: parent });
    expect(readFileSync(path.join(parent, 'ws/exercises/01-work-queue/worker.ts'), 'utf8')).not.toMatch(/TODO/);
  });

  it('keeps learner files without --force', async () => {
    await runCli(['init', 'ws', '--yes'], { cwd: parent });
    const worker = path.join(parent, 'ws/exercises/01-work-queue/worker.ts');
    writeFileSync(worker, '// my work\n');
    const again = await runCli(['init', 'ws', '--yes'], { cwd: parent });
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toMatch(/left as they are: exercises\/01-work-queue\/worker\.ts/);
    expect(readFileSync(worker, 'utf8')).toBe('// my work\n');
  });

  it('backs up learner files under --force', async () => {
    await runCli(['init', 'ws', '--yes'], { cwd: parent });
    const worker = path.join(parent, 'ws/exercises/01-work-queue/worker.ts');
    writeFileSync(worker, '// my work\n');
    const forced = await runCli(['init', 'ws', '--yes', '--force'], { cwd: parent });
    expect(forced.exitCode).toBe(0);
    expect(readFileSync(worker, 'utf8')).toMatch(/TODO 1/);
    const backups = path.join(parent, 'ws/.mq-course/backups');
    const [stamp] = readdirSync(backups);
    expect(readFileSync(path.join(backups, stamp, 'exercises/01-work-queue/worker.ts'), 'utf8')).toBe('// my work\n');
  });

  it('keeps config keys under --force', async () => {
    await runCli(['init', 'ws', '--yes', '--runtime', 'native'], { cwd: parent });
    const configFile = path.join(parent, 'ws/mq-course.json');
    const config = JSON.parse(readFileSync(configFile, 'utf8'));
    config.brokers = { amqpUrl: 'amqp://learner:secret@127.0.0.1:5672' };
    writeFileSync(configFile, JSON.stringify(config));

    const forced = await runCli(['init', 'ws', '--yes', '--force'], { cwd: parent });
    expect(forced.exitCode, forced.stderr).toBe(0);
    const kept = JSON.parse(readFileSync(configFile, 'utf8'));
    expect(kept.runtime).toBe('native');
    expect(kept.brokers).toEqual({ amqpUrl: 'amqp://learner:secret@127.0.0.1:5672' });
    expect(kept.day).toBe('day4');
  });

  it('rejects a target that is a file', async () => {
    writeFileSync(path.join(parent, 'taken'), 'x');
    const result = await runCli(['init', 'taken', '--yes'], { cwd: parent });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/a file with that name exists/);
  });

  it('never writes through a link outside the folder', async () => {
    const outside = path.join(parent, 'outside');
    mkdirSync(outside);
    mkdirSync(path.join(parent, 'ws'));
    await execa('ln', ['-s', outside, path.join(parent, 'ws', 'exercises')]);
    const result = await runCli(['init', 'ws', '--yes'], { cwd: parent });
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(/outside the workspace/);
    expect(readdirSync(outside)).toEqual([]);
  });

  it('learner programs run with the registry unreachable', async () => {
    const offline = { npm_config_registry: 'http://127.0.0.1:9/', npm_config_offline: 'true', HTTPS_PROXY: 'http://127.0.0.1:9', HTTP_PROXY: 'http://127.0.0.1:9' };
    const init = await runCli(['init', 'ws', '--yes'], { cwd: parent, env: offline });
    expect(init.exitCode, init.stderr).toBe(0);
    const root = path.join(parent, 'ws');
    writeFileSync(
      path.join(root, 'exercises', 'probe.ts'),
      [
        "import amqp from 'amqplib';",
        "import { Kafka } from 'kafkajs';",
        "import Database from 'better-sqlite3';",
        "import { envelope } from '../lib/course.js';",
        "const db = new Database(':memory:');",
        "console.log(typeof amqp.connect, typeof Kafka, db.prepare('select 1 as one').get().one, envelope('T', 's', 'x', {}).type);",
      ].join('\n'),
    );
    const run = await execa(process.execPath, ['--import', 'tsx', 'exercises/probe.ts'], { cwd: root, env: offline, reject: false });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('function function 1 T');

    // The way the exercise READMEs tell learners to run a program by hand.
    const byHand = await execa('npx', ['tsx', 'exercises/probe.ts'], { cwd: root, env: offline, reject: false });
    expect(byHand.stderr).toBe('');
    expect(byHand.stdout).toBe('function function 1 T');
  });
});
