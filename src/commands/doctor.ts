import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { engineChecks, type CheckResult } from '../brokers/compose/checks.js';
import { portChecks } from '../brokers/compose/ports.js';
import { composeFilePath } from '../brokers/compose/project.js';
import { BROKERS, resolveEndpoints } from '../brokers/endpoints.js';
import { EXTERNAL_CONFIG_HINT, externalRuntime } from '../brokers/external.js';
import type { BrokerStatus, RuntimeContext, RuntimeName } from '../brokers/runtime.js';
import { chooseRuntime, loadRuntime } from '../brokers/select.js';
import { ExitCode, isCliError } from '../errors.js';
import { userStateDir } from '../paths.js';
import type { Io } from '../ui/io.js';
import { CONFIG_FILE, findWorkspace, type Workspace } from '../workspace/config.js';
import type { BrokerCommandOptions } from './brokers-context.js';

/** The lowest Node.js version mq-course supports (package.json "engines"). */
export const MIN_NODE_VERSION = '20.17.0';
/** Packages that learner programs import; they must resolve from the workspace root. */
export const WORKSPACE_MODULES = ['amqplib', 'kafkajs', 'tsx'];
// NOTE: the folder name assumes the scaffold puts the exercises in <workspace>/exercises.
export const EXERCISES_FOLDER = 'exercises';

// A probe of a running broker returns within milliseconds, so a longer wait means it is not there.
const PROBE_TIMEOUT_MS = 3000;

export interface DoctorOptions extends BrokerCommandOptions {
  /** The Node.js version to judge; the running one unless a test passes another. */
  nodeVersion?: string;
}

/** Checks everything a learner needs and prints one line per check, then the fixes; exits 3 on any problem. */
export async function doctor(options: DoctorOptions, io: Io): Promise<number> {
  const results: CheckResult[] = [nodeCheck(options.nodeVersion ?? process.versions.node)];
  const { workspace, checks } = workspaceChecks(options.cwd);
  results.push(...checks);

  let runtime: RuntimeName = 'native';
  try {
    runtime = await chooseRuntime(options.runtime, workspace, io.env);
    results.push({ status: 'info', text: `runtime: ${runtime} (${runtimeSource(options.runtime, workspace, io.env)})` });
  } catch (error) {
    if (!isCliError(error)) throw error;
    results.push({ status: 'fail', text: error.message, fix: error.next });
  }

  results.push(...(await engineChecks(runtime, composeFilePath(workspace), io.env)));
  const context: RuntimeContext = {
    cwd: options.cwd,
    workspace,
    endpoints: resolveEndpoints(options, io.env, workspace?.config),
    stateDir: userStateDir(io.env),
    io,
    timeoutMs: PROBE_TIMEOUT_MS,
  };
  const statuses = await brokerStatuses(runtime, context, results);
  results.push(...brokerChecks(runtime, statuses, options.runtime));
  results.push(...(await portChecks(runtime, statuses)));

  printReport(results, io);
  return results.some((result) => result.status === 'fail') ? ExitCode.environment : ExitCode.ok;
}

export function nodeCheck(version: string): CheckResult {
  const ok = compareVersions(version, MIN_NODE_VERSION) >= 0;
  const text = `Node.js ${version} (mq-course needs ${MIN_NODE_VERSION} or newer)`;
  return ok ? { status: 'ok', text } : { status: 'fail', text, fix: `install Node.js ${MIN_NODE_VERSION} or newer (the current LTS from nodejs.org, or \`nvm install --lts\`)` };
}

function compareVersions(a: string, b: string): number {
  const left = a.replace(/^v/, '').split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const difference = (left[i] || 0) - (right[i] || 0);
    if (difference !== 0) return difference;
  }
  return 0;
}

function workspaceChecks(cwd: string): { workspace?: Workspace; checks: CheckResult[] } {
  let workspace: Workspace | undefined;
  try {
    workspace = findWorkspace(cwd);
  } catch (error) {
    if (!isCliError(error)) throw error;
    return { checks: [{ status: 'fail', text: error.message, fix: error.next }] };
  }
  if (!workspace) {
    const text = `no mq-course workspace in ${path.resolve(cwd)} or a parent folder (looked for ${CONFIG_FILE})`;
    return { checks: [{ status: 'fail', text, fix: 'run `mq-course init` to create one, or cd into the folder it created' }] };
  }

  const { root, config } = workspace;
  const checks: CheckResult[] = [{ status: 'ok', text: `workspace ${root} (${CONFIG_FILE} format ${config.formatVersion}, ${config.day})` }];
  const exercises = path.join(root, EXERCISES_FOLDER);
  checks.push(
    existsSync(exercises)
      ? { status: 'ok', text: `exercises folder ${exercises} is present` }
      : { status: 'fail', text: `exercises folder ${exercises} is missing`, fix: `run \`mq-course init ${root} --yes\` to restore missing files (existing files are kept)` },
  );
  const resolveFromRoot = createRequire(path.join(root, 'package.json'));
  const missing = WORKSPACE_MODULES.filter((name) => {
    try {
      resolveFromRoot.resolve(name);
      return false;
    } catch {
      return true;
    }
  });
  checks.push(
    missing.length === 0
      ? { status: 'ok', text: `${WORKSPACE_MODULES.join(', ')} resolve from the workspace` }
      : { status: 'fail', text: `${missing.join(', ')} cannot be resolved from ${root}`, fix: `run \`npm install\` in ${root}` },
  );
  return { workspace, checks };
}

function runtimeSource(flag: string | undefined, workspace: Workspace | undefined, env: NodeJS.ProcessEnv): string {
  if (flag) return 'from --runtime';
  if (env.MQ_COURSE_RUNTIME) return 'from MQ_COURSE_RUNTIME';
  if (workspace?.config.runtime) return `from ${CONFIG_FILE}`;
  return 'detected: a running Docker or Podman engine with compose, else native';
}

// Asks the chosen runtime, because it records what it started. When the runtime cannot be loaded
// or fails, the brokers are probed directly, so reachability is still reported.
async function brokerStatuses(runtime: RuntimeName, context: RuntimeContext, results: CheckResult[]): Promise<BrokerStatus[]> {
  try {
    return await (await loadRuntime(runtime)).status([...BROKERS], context);
  } catch (error) {
    results.push({ status: 'info', text: `the ${runtime} runtime could not report its brokers (${(error as Error).message}); probing them directly` });
    return externalRuntime.status([...BROKERS], context);
  }
}

function brokerChecks(runtime: RuntimeName, statuses: BrokerStatus[], runtimeFlag: string | undefined): CheckResult[] {
  const upCommand = `mq-course up${runtimeFlag ? ` --runtime ${runtimeFlag}` : ''}`;
  return statuses.map((status) => {
    if (status.ready) {
      const owner = status.managed ? ', started by mq-course' : '';
      return { status: 'ok', text: `${status.broker} responds at ${status.where} (${status.detail ?? 'version unknown'}${owner})` };
    }
    const fix = runtime === 'external' ? EXTERNAL_CONFIG_HINT : `start it with \`${upCommand} ${status.broker}\``;
    return { status: 'fail', text: `${status.broker} does not respond at ${status.where}: ${status.error ?? 'no response'}`, fix };
  });
}

function printReport(results: CheckResult[], io: Io): void {
  const marks = statusMarks(io.env);
  const fixes: string[] = [];
  for (const result of results) {
    const number = result.status === 'fail' ? ` [${fixes.length + 1}]` : '';
    if (result.status === 'fail') fixes.push(result.fix ?? 'see the message above');
    const mark = { ok: io.colors.green(marks.ok), fail: io.colors.red(marks.fail), info: io.colors.dim(marks.info) }[result.status];
    io.out(`${mark}${number} ${result.text}`);
  }
  if (fixes.length === 0) {
    io.out('\nEverything mq-course needs is in place.');
    return;
  }
  io.out(`\n${fixes.length} problem${fixes.length === 1 ? '' : 's'} to fix:`);
  fixes.forEach((fix, index) => io.out(`  [${index + 1}] ${fix}`));
}

/**
 * Check marks: Unicode where terminals render it, ASCII on a dumb terminal and in the legacy
 * Windows console (Windows Terminal sets WT_SESSION).
 */
export function statusMarks(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): { ok: string; fail: string; info: string } {
  const unicode = env.TERM !== 'dumb' && (platform !== 'win32' || Boolean(env.WT_SESSION) || Boolean(env.TERM_PROGRAM));
  return unicode ? { ok: '✓', fail: '✗', info: '·' } : { ok: '+', fail: 'x', info: '-' };
}
