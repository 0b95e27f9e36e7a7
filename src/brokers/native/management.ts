// Makes sure the RabbitMQ management HTTP API responds, enabling the plugin on a local node,
// bound to 127.0.0.1 only (the plugin's default listener takes every interface).
import { execa } from 'execa';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { managementRequest } from '../../clients/rabbitmq.js';
import { redactUrl } from '../endpoints.js';
import type { RuntimeContext } from '../runtime.js';
import { findExecutable } from './platform.js';
import type { Progress } from './progress.js';
import { isLoopbackHost } from './tcp.js';

const ENABLE_HINT = 'rabbitmq-plugins enable rabbitmq_management';
// The plugin starts its HTTP listener a moment after `rabbitmq-plugins enable` returns.
const LISTENER_WAIT_MS = 30_000;

type ApiState = 'answers' | 'rejects credentials' | 'silent';

/** Checks the management API with GET /api/overview. */
export async function managementApiState(managementUrl: string): Promise<ApiState> {
  try {
    await managementRequest(managementUrl, 'GET', '/api/overview', 3000);
    return 'answers';
  } catch (error) {
    return /HTTP 401/.test((error as Error).message) ? 'rejects credentials' : 'silent';
  }
}

/** Returns the management listener config as an Erlang term: the management URL's port (default 15672) on 127.0.0.1. */
function listenerConfig(managementUrl: string): string {
  const port = Number(new URL(managementUrl).port || 15672);
  return `[{port,${port}},{ip,"127.0.0.1"}]`;
}

/** Builds the argument for RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS that binds the management listener to loopback from boot. */
export function managementErlangArgs(managementUrl: string): string {
  return `-rabbitmq_management tcp_config ${listenerConfig(managementUrl)}`;
}

/**
 * Enables the management plugin when its API is silent and the node runs here. A failure is a
 * warning, not an error: the broker itself works without the plugin.
 */
export async function ensureManagementApi(context: RuntimeContext, progress: Progress): Promise<void> {
  const { io, endpoints } = context;
  const apiUrl = redactUrl(endpoints.managementUrl);
  const state = await managementApiState(endpoints.managementUrl);
  if (state === 'answers') return;
  if (state === 'rejects credentials') {
    warn(context, `the management API at ${apiUrl} rejects the user of the AMQP URL (HTTP 401)`, 'give that user the "management" tag: rabbitmqctl set_user_tags <user> management');
    return;
  }

  const rabbitmqctl = findExecutable('rabbitmqctl', io.env);
  const rabbitmqPlugins = findExecutable('rabbitmq-plugins', io.env);
  const local = isLoopbackHost(new URL(endpoints.amqpUrl).hostname) && isLoopbackHost(new URL(endpoints.managementUrl).hostname);
  if (!local || !rabbitmqctl || !rabbitmqPlugins) {
    const reason = local ? 'rabbitmqctl and rabbitmq-plugins are not on the PATH' : 'the node is not on this machine';
    warn(context, `the management API does not answer at ${apiUrl}, and ${reason}`, `on the broker's machine: ${ENABLE_HINT}`);
    return;
  }

  progress.step(`enabling the management plugin on 127.0.0.1:${new URL(endpoints.managementUrl).port || 15672}`);
  const options = { env: io.env, extendEnv: false, reject: false, all: true, timeout: 120_000 } as const;
  // Set before the plugin starts so that its listener binds loopback only. `persistent` keeps the
  // value when the plugin's .app file is loaded (OTP application:set_env/4).
  const setEnv = await execa(rabbitmqctl, ['eval', `application:set_env(rabbitmq_management, tcp_config, ${listenerConfig(endpoints.managementUrl)}, [{persistent, true}]).`], options);
  const pluginsFile = await enabledPluginsFile(rabbitmqPlugins, options);
  const savedPlugins = pluginsFile && existsSync(pluginsFile) ? readFileSync(pluginsFile) : undefined;
  const enable = setEnv.exitCode === 0 ? await execa(rabbitmqPlugins, ['enable', 'rabbitmq_management'], options) : setEnv;
  // `rabbitmq-plugins enable` also writes the enabled-plugins file, so a later start of the node
  // by anything else would load the plugin with its default listener on every interface. The
  // running node keeps the plugin; the file goes back to what it was, and the next `up` enables
  // the plugin again, on loopback.
  if (pluginsFile) restorePluginsFile(pluginsFile, savedPlugins);
  if (enable.exitCode !== 0) {
    warn(context, `enabling the management plugin failed (exit code ${enable.exitCode ?? 'none'}): ${(enable.all ?? '').trim().split('\n').slice(-3).join(' ')}`, ENABLE_HINT);
    return;
  }

  const deadline = Date.now() + LISTENER_WAIT_MS;
  while (Date.now() < deadline) {
    if ((await managementApiState(endpoints.managementUrl)) === 'answers') {
      io.err(`rabbitmq  management plugin enabled; API on ${apiUrl}`);
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  warn(context, `the management plugin is enabled, but its API did not answer at ${apiUrl} within ${LISTENER_WAIT_MS / 1000} s`, 'rabbitmq-diagnostics -q listeners');
}

/** Returns the enabled-plugins file the node uses (rabbitmq-plugins directories, RabbitMQ 3.8 and later). */
async function enabledPluginsFile(rabbitmqPlugins: string, options: { env: NodeJS.ProcessEnv; extendEnv: false; reject: false; timeout: number }): Promise<string | undefined> {
  const result = await execa(rabbitmqPlugins, ['directories', '-s'], options);
  return /^Enabled plugins file:\s*(.+)$/m.exec(String(result.stdout))?.[1]?.trim();
}

function restorePluginsFile(file: string, saved: Buffer | undefined): void {
  try {
    if (saved === undefined) rmSync(file, { force: true });
    else writeFileSync(file, saved);
  } catch {
    // Not writable (another user's node): the plugin then stays enabled in the file, as
    // `rabbitmq-plugins enable` left it.
  }
}

function warn(context: RuntimeContext, problem: string, fix: string): void {
  const { io } = context;
  io.err(`${io.colors.yellow('warning:')} ${problem}. The checks use that API to list a run's queues and to close connections from the broker side.`);
  io.err(`${io.colors.dim('fix:')}     ${fix}`);
}
