import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { CliError, ExitCode, environmentError } from '../errors.js';
import type { KafkaSecurity } from '../brokers/endpoints.js';

export const CONFIG_FILE = 'mq-course.json';
export const CONFIG_FORMAT_VERSION = 1;

/**
 * The workspace config, `mq-course.json` at the workspace root. Format version 1:
 * { formatVersion: 1, day: "day4", runtime?: "docker" | "podman" | "native" | "external",
 *   brokers?: { amqpUrl?, managementUrl?, kafkaBrokers?: string[], kafka?: KafkaSecurity } }
 */
export interface WorkspaceConfig {
  formatVersion: number;
  day: string;
  runtime?: 'docker' | 'podman' | 'native' | 'external';
  brokers?: { amqpUrl?: string; managementUrl?: string; kafkaBrokers?: string[]; kafka?: KafkaSecurity };
}

export interface Workspace {
  root: string;
  config: WorkspaceConfig;
}

/** Finds the workspace that contains `cwd` (this folder or a parent), or undefined. */
export function findWorkspace(cwd: string): Workspace | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const file = path.join(dir, CONFIG_FILE);
    if (existsSync(file)) return { root: dir, config: readConfig(file) };
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Finds the workspace like findWorkspace, but a missing one is an environment error with the command that makes one. */
export function requireWorkspace(cwd: string): Workspace {
  const workspace = findWorkspace(cwd);
  if (!workspace) {
    throw environmentError(
      `No mq-course workspace found in ${path.resolve(cwd)} or any parent folder (looked for ${CONFIG_FILE}).`,
      'run `mq-course init` to create one, or cd into the folder it created',
    );
  }
  return workspace;
}

function readConfig(file: string): WorkspaceConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new CliError(`The workspace config ${file} is not valid JSON: ${(error as Error).message}`, ExitCode.environment, `fix the file by hand, or move it away and run \`mq-course init --force\` in ${path.dirname(file)}`);
  }
  const config = parsed as WorkspaceConfig;
  if (typeof config !== 'object' || config === null || typeof config.formatVersion !== 'number') {
    throw environmentError(`The workspace config ${file} has no formatVersion.`, 'compare it with a fresh `mq-course init` and fix it by hand');
  }
  if (config.formatVersion > CONFIG_FORMAT_VERSION) {
    throw environmentError(`The workspace config ${file} has format version ${config.formatVersion}, newer than this mq-course understands (${CONFIG_FORMAT_VERSION}).`, 'update mq-course: npm install -g mq-course@latest');
  }
  return config;
}
