import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { portChecks } from '../../src/brokers/compose/ports.js';
import { readServiceImages, packagedComposeFile } from '../../src/brokers/compose/project.js';
import type { BrokerStatus } from '../../src/brokers/runtime.js';
import { doctor, statusMarks } from '../../src/commands/doctor.js';
import { up } from '../../src/commands/up.js';
import { memoryIo } from '../../src/ui/io.js';
import { fakeEngine, type FakeEngine, type Scenario } from '../fixtures/fake-engine/harness.js';

const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const brokers = { amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS };
const KAFKA_IMAGE = readServiceImages(packagedComposeFile()).get('kafka');

let engine: FakeEngine | undefined;
const servers: net.Server[] = [];
afterEach(async () => {
  engine?.cleanup();
  engine = undefined;
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** Creates a workspace under the fake engine's folder, with node_modules linked to this project's. */
function setup(scenario: Scenario, options: { exercises?: boolean; modules?: boolean } = {}) {
  engine = fakeEngine(scenario);
  const root = path.join(engine.root, 'course');
  mkdirSync(root);
  writeFileSync(path.join(root, 'mq-course.json'), JSON.stringify({ formatVersion: 1, day: 'day4' }));
  if (options.exercises !== false) mkdirSync(path.join(root, 'exercises'));
  if (options.modules !== false) symlinkSync(path.resolve('node_modules'), path.join(root, 'node_modules'));
  return { fake: engine, root, io: memoryIo(engine.env) };
}

async function listen(): Promise<number> {
  const server = net.createServer((socket) => socket.destroy());
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as net.AddressInfo).port;
}

describe('doctor', () => {
  it('passes with the docker runtime up', async () => {
    const { root, io } = setup('ok');
    await up({ cwd: root, runtime: 'docker', ...brokers, timeout: '60' }, memoryIo(io.env));
    const code = await doctor({ cwd: root, runtime: 'docker', ...brokers }, io);
    const output = io.stdout.join('\n');
    expect(output).toMatch(/^✓ Node\.js [\d.]+ \(mq-course needs 20\.17\.0 or newer\)$/m);
    expect(output).toContain(`✓ workspace ${root} (mq-course.json format 1, day4)`);
    expect(output).toContain('✓ amqplib, kafkajs, tsx resolve from the workspace');
    expect(output).toContain('· runtime: docker (from --runtime)');
    expect(output).toContain('✓ Docker engine 28.2.2 is running');
    expect(output).toContain('✓ Docker compose: `docker compose` (Docker Compose version v2.36.2)');
    expect(output).toContain(`✓ images present locally: `);
    expect(output).toContain('· Podman engine 5.4.0 is running (not needed: the runtime is docker)');
    expect(output).toMatch(/✓ rabbitmq responds at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672 \(RabbitMQ [\d.]+, started by mq-course\)/);
    expect(output).toMatch(/✓ kafka responds at 127\.0\.0\.1:9092 \(Kafka cluster \S+, started by mq-course\)/);
    expect(output).toContain('✓ port 5672 is held by the rabbitmq that mq-course started');
    expect(output).toContain('✓ port 9092 is held by the kafka that mq-course started');
    expect(output).toContain('Everything mq-course needs is in place.');
    expect(code).toBe(0);
  });

  it('engine down fails with its fix', async () => {
    const { root, io } = setup('engine-down');
    const code = await doctor({ cwd: root, runtime: 'docker', ...brokers }, io);
    expect(code).toBe(3);
    const output = io.stdout.join('\n');
    expect(output).toMatch(/^✗ \[1\] Docker is installed but its engine is not running: Cannot connect to the Docker daemon/m);
    expect(output).toContain('  [1] start Docker Desktop, or on Linux run `sudo systemctl start docker`');
    // The RabbitMQ of this machine listens on 5672, so a Docker container could not publish it.
    expect(output).toMatch(/✗ \[\d\] port 5672 is held by a rabbitmq that mq-course did not start, so the docker runtime cannot publish it/);
    expect(output).toMatch(/ \[\d\] find the program with `lsof -nP -iTCP:5672 -sTCP:LISTEN`/);
  });

  it('missing image names the pull', async () => {
    const { root, io } = setup('image-missing');
    expect(await doctor({ cwd: root, runtime: 'docker', ...brokers }, io)).toBe(3);
    const output = io.stdout.join('\n');
    expect(output).toMatch(new RegExp(`✗ \\[\\d\\] images missing locally: ${KAFKA_IMAGE!.replace(/[.]/g, '\\.')}$`, 'm'));
    expect(output).toMatch(/\[\d\] run `mq-course up --pull` while online; later runs work offline/);
  });

  it('external runtime needs no engine', async () => {
    const { root, io } = setup('engine-down');
    const code = await doctor({ cwd: root, runtime: 'external', ...brokers }, io);
    const output = io.stdout.join('\n');
    expect(output).toContain('· Docker is installed but its engine is not running');
    expect(output).toContain('(not needed: the runtime is external)');
    expect(output).toContain('· ports 5672, 15672 and 9092 not checked');
    expect(output).toMatch(/✓ rabbitmq responds at .*\(RabbitMQ [\d.]+\)/);
    expect(code).toBe(0);
  });

  it('native runtime reports brokers', async () => {
    const { root, io } = setup('engine-down');
    const code = await doctor({ cwd: root, runtime: 'native', ...brokers }, io);
    const output = io.stdout.join('\n');
    expect(output).toMatch(/✓ rabbitmq responds at /);
    expect(output).toMatch(/✓ kafka responds at /);
    expect(output).not.toContain('✗');
    expect(code).toBe(0);
  });

  it('old Node and no workspace fail', async () => {
    engine = fakeEngine('ok');
    const empty = mkdtempSync(path.join(os.tmpdir(), 'mq-course-doctor-'));
    const io = memoryIo(engine.env);
    try {
      expect(await doctor({ cwd: empty, runtime: 'external', ...brokers, nodeVersion: '20.16.0' }, io)).toBe(3);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
    const output = io.stdout.join('\n');
    expect(output).toContain('✗ [1] Node.js 20.16.0 (mq-course needs 20.17.0 or newer)');
    expect(output).toContain(`✗ [2] no mq-course workspace in ${empty} or a parent folder`);
    expect(output).toContain('  [2] run `mq-course init` to create one');
    expect(output).toContain('2 problems to fix:');
  });

  it('incomplete workspace names each fix', async () => {
    const { root, io } = setup('ok', { exercises: false, modules: false });
    expect(await doctor({ cwd: root, runtime: 'external', ...brokers }, io)).toBe(3);
    const output = io.stdout.join('\n');
    expect(output).toContain(`✗ [1] exercises folder ${path.join(root, 'exercises')} is missing`);
    expect(output).toContain(`✗ [2] amqplib, kafkajs, tsx cannot be resolved from ${root}`);
    expect(output).toContain(`  [2] run \`npm install\` in ${root}`);
  });

  it('falls back to ASCII marks', () => {
    expect(statusMarks({ TERM: 'dumb' }, 'linux')).toEqual({ ok: '+', fail: 'x', info: '-' });
    expect(statusMarks({}, 'win32')).toEqual({ ok: '+', fail: 'x', info: '-' });
    expect(statusMarks({ WT_SESSION: '1' }, 'win32').ok).toBe('✓');
    expect(statusMarks({ TERM: 'xterm-256color' }, 'linux').ok).toBe('✓');
  });
});

describe('portChecks', () => {
  const status = (ready: boolean, managed: boolean): BrokerStatus[] => [{ broker: 'rabbitmq', ready, managed, where: 'test' }];

  it('free port passes', async () => {
    const port = await listen();
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect(await portChecks('docker', status(false, false), { rabbitmq: [port], kafka: [] })).toEqual([{ status: 'ok', text: `port ${port} is free` }]);
  });

  it('non-broker holder fails', async () => {
    const port = await listen();
    const [result] = await portChecks('docker', status(false, false), { rabbitmq: [port], kafka: [] });
    expect(result.status).toBe('fail');
    expect(result.text).toBe(`port ${port} is held by a program that does not respond as rabbitmq`);
    expect(result.fix).toContain(`lsof -nP -iTCP:${port} -sTCP:LISTEN`);
  });

  it('our broker passes', async () => {
    const port = await listen();
    const [result] = await portChecks('docker', status(true, true), { rabbitmq: [port], kafka: [] });
    expect(result).toEqual({ status: 'ok', text: `port ${port} is held by the rabbitmq that mq-course started` });
  });

  it('foreign broker fails for docker only', async () => {
    const port = await listen();
    const [docker] = await portChecks('docker', status(true, false), { rabbitmq: [port], kafka: [] });
    expect(docker.status).toBe('fail');
    const [native] = await portChecks('native', status(true, false), { rabbitmq: [port], kafka: [] });
    expect(native).toEqual({ status: 'ok', text: `port ${port} is held by a running rabbitmq, which mq-course reuses` });
  });
});
