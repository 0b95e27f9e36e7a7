import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { packagedComposeFile, readServiceImages } from '../../src/brokers/compose/project.js';
import { down } from '../../src/commands/down.js';
import { logs } from '../../src/commands/logs.js';
import { status } from '../../src/commands/status.js';
import { up } from '../../src/commands/up.js';
import { memoryIo } from '../../src/ui/io.js';
import { fakeEngine, type FakeEngine, type Program, type Scenario } from '../fixtures/fake-engine/harness.js';

// The engine is a stand-in (no test machine runs Docker); readiness is probed for real, against
// the RabbitMQ and Kafka that run on this machine.
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const FILE = packagedComposeFile();
const IMAGES = readServiceImages(FILE);

let engine: FakeEngine | undefined;
afterEach(() => {
  engine?.cleanup();
  engine = undefined;
});

function setup(scenario: Scenario, programs?: Program[]) {
  engine = fakeEngine(scenario, programs);
  const io = memoryIo(engine.env);
  return { fake: engine, io, cwd: engine.root };
}

/** Finds a port on 127.0.0.1 that nothing listens on, by binding port 0 and releasing it. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const compose = (...args: string[]) => ['docker compose -f', FILE, '-p mq-course', ...args].join(' ');

describe('compose runtime with docker compose', () => {
  it('up starts both services and proves readiness', async () => {
    const { fake, io, cwd } = setup('ok');
    const code = await up({ cwd, runtime: 'docker', amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS, timeout: '60' }, io);
    expect(code).toBe(0);
    const lines = fake.commandLines();
    expect(lines).toContain('docker info --format {{.ServerVersion}}');
    expect(lines).toContain('docker compose version');
    expect(lines).toContain(`docker image inspect ${IMAGES.get('rabbitmq')}`);
    expect(lines).toContain(`docker image inspect ${IMAGES.get('kafka')}`);
    expect(lines).toContain(compose('up -d rabbitmq kafka'));
    expect(lines.indexOf(`docker image inspect ${IMAGES.get('kafka')}`)).toBeLessThan(lines.indexOf(compose('up -d rabbitmq kafka')));
    expect(lines.some((line) => line.includes(' pull'))).toBe(false);
    expect(io.stderr.join('\n')).toMatch(/rabbitmq +ready on amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672 in [\d.]+ s \(RabbitMQ /);
    expect(io.stderr.join('\n')).toMatch(/kafka +ready on 127\.0\.0\.1:9092 in [\d.]+ s \(Kafka cluster /);
  });

  it('status reports started containers as managed', async () => {
    const { io, cwd } = setup('ok');
    const flags = { cwd, runtime: 'docker', amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS };
    await up({ ...flags, broker: 'rabbitmq', timeout: '30' }, io);
    const statusIo = memoryIo(io.env);
    expect(await status(flags, statusIo)).toBe(0);
    const output = statusIo.stdout.join('\n');
    expect(output).toMatch(/rabbitmq\s+ready .*started by mq-course \(docker\)/);
    expect(output).toMatch(/kafka\s+ready /);
    expect(output).not.toMatch(/kafka\s+ready .*started by mq-course/);
  });

  it('logs passes tail and follow', async () => {
    const { fake, io, cwd } = setup('ok');
    const flags = { cwd, runtime: 'docker', amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS };
    await up({ ...flags, broker: 'kafka', timeout: '60' }, io);
    const logIo = memoryIo(io.env);
    expect(await logs({ ...flags, broker: 'kafka', lines: '5' }, logIo)).toBe(0);
    expect(fake.commandLines()).toContain(compose('logs --tail 5 kafka'));
    expect(logIo.stdout).toHaveLength(5);
    expect(logIo.stdout.at(-1)).toBe('kafka-1  | fake log line 30');

    await logs({ ...flags, broker: 'kafka', lines: '2', follow: true }, logIo);
    expect(fake.commandLines()).toContain(compose('logs --tail 2 --follow kafka'));
  });

  it('logs without a container names the fix', async () => {
    const { io, cwd } = setup('ok');
    const result = logs({ cwd, runtime: 'docker', broker: 'rabbitmq' }, io);
    await expect(result).rejects.toMatchObject({ exitCode: 3, next: 'start it with `mq-course up rabbitmq`' });
  });

  it('logs rejects a bad line count', async () => {
    const { io, cwd } = setup('ok');
    await expect(logs({ cwd, runtime: 'docker', lines: 'ten' }, io)).rejects.toMatchObject({ exitCode: 2 });
  });

  it('down removes only our containers', async () => {
    const { fake, io, cwd } = setup('ok');
    const flags = { cwd, runtime: 'docker', amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS };
    expect(await down(flags, io)).toBe(0);
    expect(io.stderr.join('\n')).toMatch(/rabbitmq +no container in compose project mq-course: nothing to stop/);
    expect(fake.commandLines().some((line) => line.includes(' down'))).toBe(false);

    await up({ ...flags, timeout: '60' }, io);
    expect(await down(flags, io)).toBe(0);
    expect(fake.commandLines()).toContain(compose('down --volumes'));
    expect(io.stderr.join('\n')).toMatch(/kafka +stopped and removed \(mq-course-kafka-1\)/);
  });

  it('down of one broker removes its container', async () => {
    const { fake, io, cwd } = setup('ok');
    const flags = { cwd, runtime: 'docker', amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS };
    await up({ ...flags, broker: 'rabbitmq', timeout: '30' }, io);
    expect(await down({ ...flags, broker: 'rabbitmq' }, io)).toBe(0);
    const lines = fake.commandLines();
    expect(lines).toContain('docker stop mq-course-rabbitmq-1');
    expect(lines).toContain('docker rm --force --volumes mq-course-rabbitmq-1');
    expect(lines).not.toContain(compose('down --volumes'));
  });

  it('prefers the workspace compose.yaml', async () => {
    const { fake, io, cwd } = setup('ok');
    const workspace = path.join(cwd, 'course');
    mkdirSync(workspace);
    writeFileSync(path.join(workspace, 'mq-course.json'), JSON.stringify({ formatVersion: 1, day: 'day4' }));
    copyFileSync(FILE, path.join(workspace, 'compose.yaml'));
    await up({ cwd: path.join(workspace), runtime: 'docker', broker: 'rabbitmq', amqpUrl: AMQP_URL, timeout: '30' }, io);
    expect(fake.commandLines()).toContain(`docker compose -f ${path.join(workspace, 'compose.yaml')} -p mq-course up -d rabbitmq`);
  });
});

describe('compose runtime flavours', () => {
  it('falls back to docker-compose', async () => {
    const { fake, io, cwd } = setup('no-compose', ['docker', 'docker-compose']);
    expect(await up({ cwd, runtime: 'docker', broker: 'rabbitmq', amqpUrl: AMQP_URL, timeout: '30' }, io)).toBe(0);
    const lines = fake.commandLines();
    expect(lines).toContain('docker compose version');
    expect(lines).toContain('docker-compose version');
    expect(lines).toContain(`docker-compose -f ${FILE} -p mq-course up -d rabbitmq`);
  });

  it('runs podman-compose for podman', async () => {
    const { fake, io, cwd } = setup('no-compose', ['podman', 'podman-compose']);
    expect(await up({ cwd, runtime: 'podman', broker: 'rabbitmq', amqpUrl: AMQP_URL, timeout: '30' }, io)).toBe(0);
    const lines = fake.commandLines();
    expect(lines).toContain('podman info --format {{.Version.Version}}');
    expect(lines).toContain('podman compose version');
    expect(lines).toContain(`podman image inspect ${IMAGES.get('rabbitmq')}`);
    expect(lines).toContain(`podman-compose -f ${FILE} -p mq-course up -d rabbitmq`);
  });
});

describe('compose runtime failures', () => {
  it('engine not running exits 3', async () => {
    const { fake, io, cwd } = setup('engine-down');
    const result = up({ cwd, runtime: 'docker', amqpUrl: AMQP_URL }, io);
    await expect(result).rejects.toMatchObject({ exitCode: 3 });
    await expect(result).rejects.toThrow('Docker is installed but its engine is not running');
    await expect(result).rejects.toMatchObject({ next: expect.stringContaining('`sudo systemctl start docker`') });
    expect(fake.commandLines().some((line) => line.includes(' up '))).toBe(false);
  });

  it('podman not responding names podman machine', async () => {
    const { io, cwd } = setup('engine-down', ['podman', 'podman-compose']);
    const result = up({ cwd, runtime: 'podman' }, io);
    await expect(result).rejects.toThrow('Podman is installed but its engine is not running');
    await expect(result).rejects.toMatchObject({ exitCode: 3, next: expect.stringContaining('podman machine start') });
  });

  it('missing engine exits 3', async () => {
    const { io, cwd } = setup('ok', []);
    const result = up({ cwd, runtime: 'docker' }, io);
    await expect(result).rejects.toThrow('Docker is not installed: no `docker` command on PATH.');
    await expect(result).rejects.toMatchObject({ exitCode: 3, next: expect.stringContaining('--runtime native') });
  });

  it('missing compose names how to install it', async () => {
    const { io, cwd } = setup('no-compose', ['docker']);
    const result = up({ cwd, runtime: 'docker' }, io);
    await expect(result).rejects.toThrow('Docker is running but no compose command was found (tried `docker compose` and `docker-compose`).');
    await expect(result).rejects.toMatchObject({ exitCode: 3, next: expect.stringContaining('docker-compose-plugin') });
  });

  it('missing image offline names it', async () => {
    const { fake, io, cwd } = setup('image-missing');
    const result = up({ cwd, runtime: 'docker', amqpUrl: AMQP_URL }, io);
    await expect(result).rejects.toThrow(`Image ${IMAGES.get('kafka')} is not on this machine`);
    await expect(result).rejects.toMatchObject({ exitCode: 3, next: expect.stringContaining('`mq-course up --pull` while online') });
    expect(fake.commandLines().some((line) => line.includes(' up '))).toBe(false);
  });

  it('pull fetches images before up', async () => {
    const { fake, io, cwd } = setup('image-missing');
    const code = await up({ cwd, runtime: 'docker', pull: true, amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS, timeout: '60' }, io);
    expect(code).toBe(0);
    const lines = fake.commandLines();
    expect(lines.indexOf(compose('pull rabbitmq kafka'))).toBeGreaterThan(-1);
    expect(lines.indexOf(compose('pull rabbitmq kafka'))).toBeLessThan(lines.indexOf(compose('up -d rabbitmq kafka')));
    expect(lines.some((line) => line.includes('image inspect'))).toBe(false);
  });

  it('never ready shows the last log lines', async () => {
    const { fake, io, cwd } = setup('never-ready');
    const port = await closedPort();
    const result = up({ cwd, runtime: 'docker', broker: 'kafka', kafkaBrokers: `127.0.0.1:${port}`, timeout: '2' }, io);
    await expect(result).rejects.toMatchObject({ exitCode: 3 });
    await expect(result).rejects.toThrow(`kafka did not respond on 127.0.0.1:${port} within 2 s`);
    await expect(result).rejects.toThrow('ERROR Exiting Kafka due to fatal exception during startup');
    await expect(result).rejects.toMatchObject({ next: expect.stringContaining('`mq-course logs kafka`') });
    expect(fake.commandLines()).toContain(compose('logs --tail 20 kafka'));
  });

  it('port taken names the port and its holder', async () => {
    const { io, cwd } = setup('port-taken');
    const result = up({ cwd, runtime: 'docker', amqpUrl: AMQP_URL }, io);
    await expect(result).rejects.toMatchObject({ exitCode: 3 });
    await expect(result).rejects.toThrow('Port 5672 on 127.0.0.1 is already in use, so the rabbitmq container cannot publish it.');
    // The RabbitMQ of this machine listens on 5672, and the message says so.
    await expect(result).rejects.toThrow(/A RabbitMQ broker \(RabbitMQ [\d.]+\) already responds there/);
    await expect(result).rejects.toMatchObject({ next: expect.stringContaining('lsof -nP -iTCP:5672 -sTCP:LISTEN') });
    await expect(result).rejects.toMatchObject({ next: expect.stringContaining('mq-course up --runtime external') });
  });
});
