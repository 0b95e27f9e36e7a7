import { environmentError } from '../../errors.js';
import { BROKERS, type BrokerName } from '../endpoints.js';
import { brokerAddress } from '../external.js';
import { probeBroker } from '../ready.js';
import type { BrokerStatus, Runtime, RuntimeContext } from '../runtime.js';
import { removeContainers, serviceContainers, type ContainerInfo } from './containers.js';
import { composeArgs, engineState, findComposeTool, type ComposeTool, type Engine } from './detect.js';
import { composeMissing, engineProblem } from './diagnose.js';
import { runCommand, streamCommand } from './exec.js';
import { composeFilePath, PROJECT_NAME, SERVICES } from './project.js';
import { composeUp } from './up.js';

const DOWN_TIMEOUT_MS = 120_000;
const DEFAULT_LOG_LINES = 50;

/** Creates the runtime that runs the brokers as compose services under Docker or Podman. */
export function composeRuntime(engine: Engine): Runtime {
  return {
    name: engine,
    async up(brokers, context) {
      const tool = await requireComposeTool(engine, context.io.env);
      await composeUp(tool, composeFilePath(context.workspace), brokers, context);
    },
    down: (brokers, context) => composeDown(engine, brokers, context),
    status: (brokers, context) => composeStatus(engine, brokers, context),
    logs: (broker, context, options) => composeLogs(engine, broker, context, options),
  };
}

/** Checks that the engine responds and finds its compose flavour, or throws the error that names the fix. */
export async function requireComposeTool(engine: Engine, env: NodeJS.ProcessEnv): Promise<ComposeTool> {
  const state = await engineState(engine, env);
  if (!state.running) throw engineProblem(state);
  const tool = await findComposeTool(engine, env);
  if (!tool) throw composeMissing(engine);
  return tool;
}

// `managed` means a container of this service exists in our project, running or not.
async function composeStatus(engine: Engine, brokers: BrokerName[], context: RuntimeContext): Promise<BrokerStatus[]> {
  const { endpoints, io } = context;
  return Promise.all(
    brokers.map(async (broker) => {
      const [probe, containers] = await Promise.all([probeBroker(broker, endpoints), serviceContainers(engine, SERVICES[broker], io.env)]);
      const stopped = (containers ?? []).filter((container) => container.state !== 'running');
      const problems = [
        probe.ok ? undefined : probe.error,
        containers === undefined ? `${engine} does not respond, so its containers are unknown` : undefined,
        ...stopped.map((container) => `container ${container.name} is ${container.state}`),
      ].filter(Boolean);
      return {
        broker,
        ready: probe.ok,
        managed: (containers ?? []).length > 0,
        where: brokerAddress(broker, endpoints),
        detail: probe.detail,
        error: problems.length > 0 ? problems.join('; ') : undefined,
      };
    }),
  );
}

// Stops only containers of our project. A broker that responds on the port but runs elsewhere is
// not ours, so it is left alone.
async function composeDown(engine: Engine, brokers: BrokerName[], context: RuntimeContext): Promise<void> {
  const { io } = context;
  const tool = await requireComposeTool(engine, io.env);
  const found = new Map<BrokerName, ContainerInfo[]>();
  for (const broker of brokers) {
    const containers = (await serviceContainers(engine, SERVICES[broker], io.env)) ?? [];
    if (containers.length > 0) found.set(broker, containers);
    else io.err(`${broker.padEnd(9)} no container in compose project ${PROJECT_NAME}: nothing to stop (a broker that mq-course did not start is left alone)`);
  }
  if (found.size === 0) return;

  const names = [...found.values()].flat().map((container) => container.name);
  const everything = brokers.length === BROKERS.length;
  // `down` also removes the project's network; for one service, stop and remove its containers.
  const ok = everything
    ? (await runCommand(tool.file, composeArgs(tool, composeFilePath(context.workspace), ['down', '--volumes']), io.env, DOWN_TIMEOUT_MS)).ok
    : await removeContainers(engine, names, io.env);
  if (!ok) {
    throw environmentError(`Stopping ${names.join(', ')} with ${everything ? `${tool.label} down` : `${engine} rm`} failed.`, `run \`${engine} ps --all\` to see them, and \`${engine} rm --force --volumes ${names.join(' ')}\` to remove them by hand`);
  }
  for (const [broker, containers] of found) {
    io.err(`${broker.padEnd(9)} stopped and removed (${containers.map((container) => container.name).join(', ')})`);
  }
}

async function composeLogs(engine: Engine, broker: BrokerName, context: RuntimeContext, options: { follow?: boolean; lines?: number }): Promise<void> {
  const { io } = context;
  const tool = await requireComposeTool(engine, io.env);
  const containers = await serviceContainers(engine, SERVICES[broker], io.env);
  if (!containers || containers.length === 0) {
    throw environmentError(`No ${broker} container in compose project ${PROJECT_NAME}, so there are no logs to show.`, `start it with \`mq-course up ${broker}\``);
  }
  const args = ['logs', '--tail', String(options.lines ?? DEFAULT_LOG_LINES), ...(options.follow ? ['--follow'] : []), SERVICES[broker]];
  const result = await streamCommand(tool.file, composeArgs(tool, composeFilePath(context.workspace), args), io.env, (line) => io.out(line));
  if (!result.ok) {
    throw environmentError(`\`${tool.label} logs ${SERVICES[broker]}\` failed with exit code ${result.exitCode ?? 'unknown'}.`, `run \`${engine} logs ${containers[0].name}\` to read them directly`);
  }
}
