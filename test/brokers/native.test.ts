// The native runtime against real processes: a second Kafka on 19092/19093 with a private state
// folder, and the machine's shared RabbitMQ on 5672, which these tests reuse and never stop.
import { existsSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaFiles } from '../../src/brokers/native/kafka-config.js';
import { DEFAULT_KAFKA_VERSION, kafkaCacheDir } from '../../src/brokers/native/maven.js';
import { acceptsConnections } from '../../src/brokers/native/tcp.js';
import { probeBroker } from '../../src/brokers/ready.js';
import { DEFAULT_AMQP_URL, resolveEndpoints } from '../../src/brokers/endpoints.js';
import { brokerContext } from '../../src/commands/brokers-context.js';
import { down } from '../../src/commands/down.js';
import { status } from '../../src/commands/status.js';
import { up } from '../../src/commands/up.js';
import { ExitCode } from '../../src/errors.js';
import { memoryIo } from '../../src/ui/io.js';
import { nativeEnv, pathWith, tempDir } from '../helpers/native-env.js';
import { startBannerServer, startHttpServer, type TestHttpServer } from '../helpers/servers.js';

const KAFKA = '127.0.0.1:19092';
const KAFKA_PORT = 19092;
const CONTROLLER_PORT = 19093;

const temp = tempDir('mq-course-native-');
const homeA = path.join(temp.dir, 'home-a');
const homeB = path.join(temp.dir, 'home-b');
let managementApi: TestHttpServer;

beforeAll(async () => {
  // Stands in for the management API, so these tests never enable the plugin on the shared node.
  managementApi = await startHttpServer(200, '{"rabbitmq_version":"test"}');
});

afterAll(async () => {
  await down({ cwd: temp.dir, runtime: 'native', broker: 'kafka' }, memoryIo(nativeEnv(homeA, { KAFKA_BROKERS: KAFKA })));
  await managementApi.close();
  temp.cleanup();
});

type BrokerCommand = (options: { cwd: string; runtime: string; broker?: string; timeout?: string }, io: ReturnType<typeof memoryIo>) => Promise<number>;

/** Runs a command function with an in-memory io; returns its exit code and output. */
async function run(command: BrokerCommand, env: NodeJS.ProcessEnv, options: { broker?: string; timeout?: string } = {}) {
  const io = memoryIo(env);
  const code = await command({ cwd: temp.dir, runtime: 'native', ...options }, io);
  return { code, stderr: io.stderr.join('\n'), stdout: io.stdout.join('\n') };
}

function lineOf(output: string, broker: string): string {
  return output.split('\n').find((line) => line.startsWith(broker)) ?? '';
}

describe('native Kafka on a second port', () => {
  const envA = () => nativeEnv(homeA, { KAFKA_BROKERS: KAFKA, RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${managementApi.port}` });
  const envB = () => nativeEnv(homeB, { KAFKA_BROKERS: KAFKA, RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${managementApi.port}` });

  it('up fetches the jars and starts Kafka', async () => {
    expect(await acceptsConnections('127.0.0.1', KAFKA_PORT), `port ${KAFKA_PORT} must be free before this test`).toBe(false);

    const result = await run(up, envA(), { broker: 'kafka' });

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toMatch(/fetching the Kafka [\d.]+ jars with mvn/);
    expect(result.stderr).toMatch(/kafka {5}ready on 127\.0\.0\.1:19092 in [\d.]+ s \(Kafka [\d.]+, started by mq-course, log: .*kafka\.log\)/);
    expect(existsSync(kafkaFiles(homeA).pidFile)).toBe(true);
  });

  it('status reports the started Kafka as managed', async () => {
    const result = await run(status, envA());

    expect(result.code).toBe(ExitCode.ok);
    expect(lineOf(result.stdout, 'kafka')).toMatch(/ready {2}127\.0\.0\.1:19092 {2}Kafka cluster \S+ {2}started by mq-course \(native\)/);
  });

  it('logs prints the Kafka log tail', async () => {
    const io = memoryIo(envA());
    const { runtime, context } = await brokerContext({ cwd: temp.dir, runtime: 'native' }, io);

    await runtime.logs('kafka', context, { lines: 200 });

    expect(io.stderr).toContain(`==> ${kafkaFiles(homeA).logFile} <==`);
    // A log4j2 line proves that the slf4j 1.7 binding reaches log4j-core.
    expect(io.stdout.join('\n')).toMatch(/\] INFO \[KafkaRaftServer nodeId=1\] Kafka Server started/);
  });

  it('up with another state folder reuses it unmanaged', async () => {
    const again = await run(up, envB(), { broker: 'kafka' });
    expect(again.code).toBe(ExitCode.ok);
    expect(again.stderr).toMatch(/kafka {5}already running on 127\.0\.0\.1:19092 \(Kafka cluster \S+\), left as it is/);
    expect(existsSync(kafkaFiles(homeB).pidFile)).toBe(false);

    const statusB = await run(status, envB());
    expect(lineOf(statusB.stdout, 'kafka')).toContain('found running');
    expect(lineOf(statusB.stdout, 'kafka')).not.toContain('started by mq-course');

    const downB = await run(down, envB(), { broker: 'kafka' });
    expect(downB.code).toBe(ExitCode.ok);
    expect(downB.stderr).toContain('was not started by mq-course; left as it is');
    expect((await probeBroker('kafka', resolveEndpoints({ kafkaBrokers: KAFKA }, {}))).ok).toBe(true);
  });

  it('down stops it and frees both ports', async () => {
    const result = await run(down, envA(), { broker: 'kafka' });

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toContain('kafka     stopped (was on 127.0.0.1:19092)');
    expect(await acceptsConnections('127.0.0.1', KAFKA_PORT)).toBe(false);
    expect(await acceptsConnections('127.0.0.1', CONTROLLER_PORT)).toBe(false);
    expect(existsSync(kafkaFiles(homeA).pidFile)).toBe(false);
  });

  it('second up runs from the cache without mvn', async () => {
    const noMaven = nativeEnv(homeA, { ...envA(), PATH: pathWith(temp.dir, ['java']) });

    const result = await run(up, noMaven, { broker: 'kafka' });

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).not.toContain('fetching');
    expect(result.stderr).toMatch(/kafka {5}ready on 127\.0\.0\.1:19092/);
    expect((await run(down, envA(), { broker: 'kafka' })).stderr).toContain('kafka     stopped');
  });

  it('concurrent ups start one Kafka', async () => {
    const [first, second] = await Promise.all([run(up, envA(), { broker: 'kafka' }), run(up, envA(), { broker: 'kafka' })]);
    const finalLines = [first, second].map((result) => result.stderr.split('\n').at(-1) ?? '');

    expect(first.code).toBe(ExitCode.ok);
    expect(second.code).toBe(ExitCode.ok);
    expect(finalLines.filter((line) => line.includes('ready on 127.0.0.1:19092'))).toHaveLength(1);
    expect(finalLines.filter((line) => line.includes('already running on 127.0.0.1:19092'))).toHaveLength(1);
    expect((await run(down, envA(), { broker: 'kafka' })).stderr).toContain('kafka     stopped');
  });

  it('KAFKA_HOME libs replace the cache', async () => {
    const kafkaHome = path.join(temp.dir, 'kafka-home');
    mkdirSync(kafkaHome, { recursive: true });
    symlinkSync(path.join(kafkaCacheDir(homeA, DEFAULT_KAFKA_VERSION), 'libs'), path.join(kafkaHome, 'libs'));
    const fromHome = nativeEnv(path.join(temp.dir, 'home-kafka-home'), { ...envA(), MQ_COURSE_HOME: path.join(temp.dir, 'home-kafka-home'), KAFKA_HOME: kafkaHome, PATH: pathWith(temp.dir, ['java']) });

    const result = await run(up, fromHome, { broker: 'kafka' });

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toContain(`(Kafka ${DEFAULT_KAFKA_VERSION} from KAFKA_HOME, started by mq-course`);
    expect((await run(down, fromHome, { broker: 'kafka' })).stderr).toContain('kafka     stopped');
  });

  it('deadline stops the JVM and exits 3', async () => {
    const attempt = run(up, envA(), { broker: 'kafka', timeout: '0.3' });

    await expect(attempt).rejects.toMatchObject({ exitCode: ExitCode.environment, message: expect.stringMatching(/did not answer on 127\.0\.0\.1:19092 within 0\.3 s/) });
    await expect(attempt).rejects.toMatchObject({ message: expect.stringContaining(`Last lines of ${kafkaFiles(homeA).logFile}`) });
    expect(await acceptsConnections('127.0.0.1', KAFKA_PORT)).toBe(false);
    expect(existsSync(kafkaFiles(homeA).pidFile)).toBe(false);
  });
});

describe('native Kafka errors', () => {
  it('port held by another program exits 3', async () => {
    const banner = await startBannerServer();
    try {
      const attempt = run(up, nativeEnv(path.join(temp.dir, 'home-port'), { KAFKA_BROKERS: `127.0.0.1:${banner.port}` }), { broker: 'kafka' });

      await expect(attempt).rejects.toMatchObject({ exitCode: ExitCode.environment, message: expect.stringContaining(`Port ${banner.port} on 127.0.0.1, the Kafka port, is in use`) });
      await expect(attempt).rejects.toMatchObject({ message: expect.stringMatching(/in use by node \(pid \d+\)/) });
    } finally {
      await banner.close();
    }
  });

  it('missing java exits 3 with the install hint', async () => {
    const env = nativeEnv(path.join(temp.dir, 'home-no-java'), { KAFKA_BROKERS: '127.0.0.1:19192', PATH: pathWith(temp.dir, ['node']) });

    const attempt = run(up, env, { broker: 'kafka' });

    await expect(attempt).rejects.toMatchObject({ exitCode: ExitCode.environment, message: expect.stringContaining('Java was not found on the PATH') });
    await expect(attempt).rejects.toMatchObject({ next: expect.stringContaining('apt-get install openjdk-17-jre-headless') });
  });

  it('missing mvn without cached jars exits 3', async () => {
    const env = nativeEnv(path.join(temp.dir, 'home-no-mvn'), { KAFKA_BROKERS: '127.0.0.1:19192', PATH: pathWith(temp.dir, ['java']) });

    const attempt = run(up, env, { broker: 'kafka' });

    await expect(attempt).rejects.toMatchObject({ exitCode: ExitCode.environment, message: expect.stringContaining('Maven (mvn) was not found on the PATH') });
    await expect(attempt).rejects.toMatchObject({ next: expect.stringContaining('KAFKA_HOME') });
  });
});

describe('native RabbitMQ', () => {
  it('up reuses the running broker unmanaged', async () => {
    const env = nativeEnv(path.join(temp.dir, 'home-rabbit'), { AMQP_URL: DEFAULT_AMQP_URL, RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${managementApi.port}` });

    const result = await run(up, env, { broker: 'rabbitmq' });

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toMatch(/rabbitmq {2}already running on 127\.0\.0\.1:5672 \(RabbitMQ [\d.]+\), left as it is/);
    expect(managementApi.requests).toContain('GET /api/overview');
    expect(lineOf((await run(status, env)).stdout, 'rabbitmq')).toContain('found running');
  });

  it('down leaves a broker it did not start', async () => {
    const env = nativeEnv(path.join(temp.dir, 'home-rabbit'), { AMQP_URL: DEFAULT_AMQP_URL });

    const result = await run(down, env, { broker: 'rabbitmq' });

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toContain('rabbitmq  running on 127.0.0.1:5672 was not started by mq-course; left as it is');
    expect((await probeBroker('rabbitmq', resolveEndpoints({}, {}))).ok).toBe(true);
  });

  it('silent management API only warns', async () => {
    const closedPort = await startHttpServer().then(async (server) => (await server.close(), server.port));
    const env = nativeEnv(path.join(temp.dir, 'home-rabbit'), {
      AMQP_URL: DEFAULT_AMQP_URL,
      RABBITMQ_MANAGEMENT_URL: `http://guest:guest@127.0.0.1:${closedPort}`,
      PATH: pathWith(temp.dir, ['node']),
    });

    const result = await run(up, env, { broker: 'rabbitmq' });

    expect(result.code).toBe(ExitCode.ok);
    expect(result.stderr).toContain(`warning: the management API does not answer at http://guest:***@127.0.0.1:${closedPort}`);
    expect(result.stderr).toContain('rabbitmq-plugins enable rabbitmq_management');
  });
});
