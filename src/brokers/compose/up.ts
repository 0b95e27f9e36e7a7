import { environmentError, type CliError } from '../../errors.js';
import { BROKERS, type BrokerName, type Endpoints } from '../endpoints.js';
import { brokerAddress } from '../external.js';
import { probeBroker, waitUntilReady, type ProbeResult } from '../ready.js';
import type { RuntimeContext } from '../runtime.js';
import { serviceContainers } from './containers.js';
import { composeArgs, engineState, type ComposeTool } from './detect.js';
import { brokerForPort, engineProblem, findTakenPort, isEngineDown, portTaken } from './diagnose.js';
import { runCommand, type CommandResult } from './exec.js';
import { ensureImages } from './images.js';
import { PROJECT_NAME, SERVICES } from './project.js';
import { startSpinner } from './progress.js';

// `compose up -d` only creates and starts containers (the images are already present), which
// takes seconds; three minutes leaves room for a slow laptop. Readiness has its own deadline.
const COMPOSE_UP_TIMEOUT_MS = 180_000;
const LOG_LINES_ON_FAILURE = 20;
// How often a waiting broker's container is asked whether it still runs.
const ALIVE_CHECK_INTERVAL_MS = 2000;

/** Pulls or checks the images, starts the services, and waits until each broker responds. */
export async function composeUp(tool: ComposeTool, file: string, brokers: BrokerName[], context: RuntimeContext): Promise<void> {
  const { io } = context;
  const services = brokers.map((broker) => SERVICES[broker]);
  await ensureImages(tool, file, services, context.pull, io);

  io.err(`Starting ${services.join(', ')} with ${tool.label} (project ${PROJECT_NAME}, ${file}) ...`);
  const result = await runCommand(tool.file, composeArgs(tool, file, ['up', '-d', ...services]), io.env, COMPOSE_UP_TIMEOUT_MS);
  if (!result.ok) throw await explainUpFailure(tool, result, context);

  await waitForBrokers(tool, file, brokers, context);
}

async function explainUpFailure(tool: ComposeTool, result: CommandResult, context: RuntimeContext): Promise<CliError> {
  const output = `${result.stderr}\n${result.stdout}`;
  const port = findTakenPort(output);
  if (port !== undefined) return portTaken(port, await brokerOnPort(port, context.endpoints));
  if (isEngineDown(output)) return engineProblem(await engineState(tool.engine, context.io.env));
  const reason = result.timedOut ? `did not finish within ${COMPOSE_UP_TIMEOUT_MS / 1000} s` : `failed with exit code ${result.exitCode}`;
  return environmentError(`\`${tool.label} up\` ${reason}:\n${indent(lastLines(output, 8))}`, 'fix the cause named above, or run `mq-course doctor` to check the usual ones');
}

/** Describes the broker that already responds on a taken port, if one does. */
async function brokerOnPort(port: number, endpoints: Endpoints): Promise<string | undefined> {
  const broker = brokerForPort(port);
  if (broker === 'rabbitmq' && port === 5672) {
    const url = new URL(endpoints.amqpUrl);
    url.hostname = '127.0.0.1';
    url.port = String(port);
    const probe = await probeBroker('rabbitmq', { ...endpoints, amqpUrl: url.toString() }, 2000);
    return probe.ok ? `A RabbitMQ broker (${probe.detail})` : undefined;
  }
  if (broker === 'kafka') {
    const probe = await probeBroker('kafka', { ...endpoints, kafkaBrokers: [`127.0.0.1:${port}`], kafkaSecurity: undefined }, 2000);
    return probe.ok ? `A Kafka broker (${probe.detail})` : undefined;
  }
  return undefined;
}

async function waitForBrokers(tool: ComposeTool, file: string, brokers: BrokerName[], context: RuntimeContext): Promise<void> {
  const { io, endpoints, timeoutMs } = context;
  const started = Date.now();
  const waiting = new Set(brokers);
  const elapsed = () => ((Date.now() - started) / 1000).toFixed(1);
  const spinner = startSpinner(io, () => `waiting for ${[...waiting].join(', ')} to respond (${elapsed()} s, deadline ${timeoutMs / 1000} s)`);

  const results = await Promise.all(
    brokers.map(async (broker) => {
      const result = await waitUntilReady(broker, endpoints, timeoutMs, containerAlive(tool, SERVICES[broker], io.env));
      waiting.delete(broker);
      if (result.ok) spinner.print(`${broker.padEnd(9)} ready on ${brokerAddress(broker, endpoints)} in ${elapsed()} s (${result.detail}; ${tool.label} project ${PROJECT_NAME})`);
      return result;
    }),
  );
  spinner.stop();

  // Order the failures as BROKERS does, so the same broker is reported first on every run.
  const failed = results.filter((result) => !result.ok).sort((a, b) => BROKERS.indexOf(a.broker) - BROKERS.indexOf(b.broker));
  if (failed.length > 0) throw await neverReady(tool, file, failed[0], failed.slice(1), context);
}

/** Builds the liveness check for waitUntilReady: false once the container has exited. */
function containerAlive(tool: ComposeTool, service: string, env: NodeJS.ProcessEnv): () => Promise<boolean> {
  let checkedAt = 0;
  let alive = true;
  return async () => {
    if (Date.now() - checkedAt < ALIVE_CHECK_INTERVAL_MS) return alive;
    checkedAt = Date.now();
    const containers = await serviceContainers(tool.engine, service, env);
    // undefined means the engine did not respond this time, so keep waiting rather than guess.
    if (containers !== undefined) alive = containers.some((container) => container.state === 'running' || container.state === 'restarting');
    return alive;
  };
}

async function neverReady(tool: ComposeTool, file: string, failed: ProbeResult, others: ProbeResult[], context: RuntimeContext): Promise<CliError> {
  const { broker } = failed;
  const service = SERVICES[broker];
  const logs = await runCommand(tool.file, composeArgs(tool, file, ['logs', '--tail', String(LOG_LINES_ON_FAILURE), service]), context.io.env, 30_000);
  const tail = lastLines(`${logs.stdout}\n${logs.stderr}`, LOG_LINES_ON_FAILURE);
  const also = others.length > 0 ? ` ${others.map((other) => other.broker).join(' and ')} did not respond either.` : '';
  const message =
    `${broker} did not respond on ${brokerAddress(broker, context.endpoints)} within ${context.timeoutMs / 1000} s (${failed.error}).${also}` +
    (tail ? `\nLast log lines of the ${service} container:\n${indent(tail)}` : `\nThe ${service} container printed no log lines.`);
  return environmentError(message, `see more with \`mq-course logs ${broker}\` (the container is left running for that), then \`mq-course down ${broker}\` and \`mq-course up\` again, perhaps with a longer --timeout`);
}

function lastLines(text: string, count: number): string {
  return text
    .split(/\r?\n/)
    .filter((line) => line.trim() !== '')
    .slice(-count)
    .join('\n');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n');
}
