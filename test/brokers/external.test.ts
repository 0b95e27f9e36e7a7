import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { down } from '../../src/commands/down.js';
import { logs } from '../../src/commands/logs.js';
import { status } from '../../src/commands/status.js';
import { up } from '../../src/commands/up.js';
import { memoryIo } from '../../src/ui/io.js';

// Runs against the real brokers of this machine; the external runtime never starts or stops them.
const AMQP_URL = process.env.AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const KAFKA_BROKERS = process.env.KAFKA_BROKERS ?? '127.0.0.1:9092';
const flags = { runtime: 'external', amqpUrl: AMQP_URL, kafkaBrokers: KAFKA_BROKERS };

const folders: string[] = [];
afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function tempFolder(): string {
  const folder = mkdtempSync(path.join(os.tmpdir(), 'mq-course-external-'));
  folders.push(folder);
  return folder;
}

/** Writes a workspace whose config points at the brokers, as an instructor would for a class. */
function workspaceWith(brokers: object): string {
  const root = tempFolder();
  writeFileSync(path.join(root, 'mq-course.json'), JSON.stringify({ formatVersion: 1, day: 'day4', runtime: 'external', brokers }));
  return root;
}

async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('external runtime', () => {
  it('up probes and reports', async () => {
    const io = memoryIo();
    expect(await up({ ...flags, cwd: tempFolder() }, io)).toBe(0);
    const output = io.stderr.join('\n');
    expect(output).toMatch(/rabbitmq +responds at amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672 \(RabbitMQ [\d.]+\)/);
    expect(output).toMatch(/kafka +responds at 127\.0\.0\.1:9092 \(Kafka cluster \S+\)/);
    expect(output).not.toContain('guest:guest');
  });

  it('up fails when a broker does not respond', async () => {
    const port = await closedPort();
    const result = up({ ...flags, cwd: tempFolder(), broker: 'kafka', kafkaBrokers: `127.0.0.1:${port}` }, memoryIo());
    await expect(result).rejects.toMatchObject({ exitCode: 3 });
    await expect(result).rejects.toThrow(`The external kafka broker does not respond (kafka: 127.0.0.1:${port}: `);
    await expect(result).rejects.toMatchObject({ next: expect.stringContaining('"brokers" in the workspace mq-course.json') });
  });

  it('down stops nothing', async () => {
    const io = memoryIo();
    expect(await down({ ...flags, cwd: tempFolder() }, io)).toBe(0);
    expect(io.stderr.join('\n')).toMatch(/rabbitmq +nothing to stop: the external runtime did not start amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672/);
    expect(io.stderr.join('\n')).toMatch(/kafka +nothing to stop/);
  });

  it('status probes without managing', async () => {
    const io = memoryIo();
    expect(await status({ ...flags, cwd: tempFolder() }, io)).toBe(0);
    const output = io.stdout.join('\n');
    expect(output).toMatch(/rabbitmq +ready +amqp:\/\/guest:\*\*\*@127\.0\.0\.1:5672 +RabbitMQ [\d.]+/);
    expect(output).toMatch(/kafka +ready +127\.0\.0\.1:9092 +Kafka cluster/);
    expect(output).not.toContain('started by mq-course');
  });

  it('logs says where to read them', async () => {
    const result = logs({ ...flags, cwd: tempFolder(), broker: 'rabbitmq' }, memoryIo());
    await expect(result).rejects.toMatchObject({ exitCode: 3 });
    await expect(result).rejects.toThrow('mq-course cannot read the logs of an external rabbitmq broker');
  });

  it('reads brokers from the workspace config', async () => {
    const root = workspaceWith({ amqpUrl: `${AMQP_URL}/%2F`, kafkaBrokers: [KAFKA_BROKERS] });
    const io = memoryIo();
    expect(await status({ cwd: root }, io)).toBe(0);
    expect(io.stdout.join('\n')).toContain('amqp://guest:***@127.0.0.1:5672/%2F');
  });

  it('shows TLS and SASL settings', async () => {
    const kafkaPort = await closedPort();
    const root = workspaceWith({
      amqpUrl: 'amqps://learner:secret@127.0.0.1:5671/course',
      kafkaBrokers: [`127.0.0.1:${kafkaPort}`],
      kafka: { ssl: true, sasl: { mechanism: 'scram-sha-512', username: 'learner', password: 'secret' } },
    });
    const io = memoryIo();
    const code = await status({ cwd: root, timeout: '2' }, io);
    expect(code).toBe(3);
    const output = io.stdout.join('\n');
    expect(output).toMatch(/rabbitmq +not answering +amqps:\/\/learner:\*\*\*@127\.0\.0\.1:5671\/course +TLS/);
    expect(output).toMatch(/kafka +not answering .* TLS, SASL scram-sha-512 as learner/);
    expect(output).not.toContain('secret');
  });
});
