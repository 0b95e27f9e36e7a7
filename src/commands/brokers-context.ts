import { resolveEndpoints, type EndpointFlags } from '../brokers/endpoints.js';
import type { RuntimeContext } from '../brokers/runtime.js';
import { chooseRuntime, loadRuntime } from '../brokers/select.js';
import { usageError } from '../errors.js';
import { userStateDir } from '../paths.js';
import type { Io } from '../ui/io.js';
import { findWorkspace } from '../workspace/config.js';

export interface BrokerCommandOptions extends EndpointFlags {
  cwd: string;
  runtime?: string;
  timeout?: string;
  pull?: boolean;
  debug?: boolean;
}

/** Resolves the runtime and the context every broker command shares. */
export async function brokerContext(options: BrokerCommandOptions, io: Io) {
  const workspace = findWorkspace(options.cwd);
  const timeoutSeconds = Number(options.timeout ?? '120');
  if (!Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0) {
    throw usageError(`Invalid --timeout "${options.timeout}": expected a number of seconds above 0.`, 'for example --timeout 180');
  }
  const context: RuntimeContext = {
    cwd: options.cwd,
    workspace,
    endpoints: resolveEndpoints(options, io.env, workspace?.config),
    stateDir: userStateDir(io.env),
    io,
    timeoutMs: timeoutSeconds * 1000,
    pull: options.pull,
    debug: options.debug,
  };
  const runtime = await loadRuntime(await chooseRuntime(options.runtime, workspace, io.env));
  return { runtime, context };
}
