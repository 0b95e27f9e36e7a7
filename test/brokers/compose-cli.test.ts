import { existsSync } from 'node:fs';
import path from 'node:path';
import { execa } from 'execa';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { fakeEngine, type FakeEngine } from '../fixtures/fake-engine/harness.js';

// End to end: the built CLI runs as a subprocess with stdin closed, the stand-in engine on its
// PATH and the real brokers of this machine. It needs dist/, which `npm test` builds first.
const CLI = path.resolve('bin/mq-course.js');
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';

let engine: FakeEngine | undefined;
afterEach(() => {
  engine?.cleanup();
  engine = undefined;
});

beforeAll(() => {
  expect(existsSync(path.resolve('dist/src/cli.js')), 'dist/ is missing: run `npm run build`').toBe(true);
});

function run(args: string[], fake: FakeEngine) {
  return execa(process.execPath, [CLI, ...args], { cwd: fake.root, env: { ...fake.env, NO_COLOR: '1' }, extendEnv: false, stdin: 'ignore', reject: false });
}

describe('mq-course CLI with a container engine', () => {
  it('up reports a stopped engine', async () => {
    engine = fakeEngine('engine-down');
    const result = await run(['up', '--runtime', 'docker'], engine);
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('error: Docker is installed but its engine is not running');
    expect(result.stderr).toContain('next:  start Docker Desktop, or on Linux run `sudo systemctl start docker`');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('up, status, logs and down run end to end', async () => {
    engine = fakeEngine('ok');
    const brokers = ['--amqp-url', AMQP_URL, '--kafka-brokers', KAFKA_BROKERS];

    const started = await run(['up', '--runtime', 'docker', ...brokers], engine);
    expect(started.stderr).toMatch(/rabbitmq +ready on /);
    expect(started.exitCode).toBe(0);

    const status = await run(['status', '--runtime', 'docker', ...brokers], engine);
    expect(status.stdout).toMatch(/kafka +ready .*started by mq-course \(docker\)/);
    expect(status.exitCode).toBe(0);

    const logs = await run(['logs', 'rabbitmq', '--lines', '3', '--runtime', 'docker'], engine);
    expect(logs.stdout.split('\n')).toEqual(['rabbitmq-1  | fake log line 28', 'rabbitmq-1  | fake log line 29', 'rabbitmq-1  | fake log line 30']);
    expect(logs.exitCode).toBe(0);

    const stopped = await run(['down', '--runtime', 'docker'], engine);
    expect(stopped.stderr).toMatch(/kafka +stopped and removed/);
    expect(stopped.exitCode).toBe(0);
  });

  it('doctor exits 3 with numbered fixes', async () => {
    engine = fakeEngine('no-compose', ['docker']);
    const result = await run(['doctor', '--runtime', 'docker', '--amqp-url', AMQP_URL, '--kafka-brokers', KAFKA_BROKERS], engine);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toMatch(/^✗ \[\d\] Docker has no compose command$/m);
    expect(result.stdout).toMatch(/^ {2}\[\d\] install the Compose plugin/m);
    expect(result.stderr).toBe('');
  });

  it('logs rejects an unknown broker', async () => {
    engine = fakeEngine('ok');
    const result = await run(['logs', 'redis', '--runtime', 'docker'], engine);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Unknown broker "redis"');
  });
});
