import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { templatesDir } from '../../paths.js';
import type { Workspace } from '../../workspace/config.js';
import type { BrokerName } from '../endpoints.js';

/** The compose project name, fixed so `down` and `status` find the containers from any folder. */
export const PROJECT_NAME = 'mq-course';

export const COMPOSE_FILE = 'compose.yaml';

/** The compose service of each broker. */
export const SERVICES: Record<BrokerName, string> = { rabbitmq: 'rabbitmq', kafka: 'kafka' };

/** Host ports that templates/day4/workspace/compose.yaml publishes on 127.0.0.1. */
export const PUBLISHED_PORTS: Record<BrokerName, number[]> = { rabbitmq: [5672, 15672], kafka: [9092] };

/** Picks the workspace's compose.yaml when it has one, else the copy packaged with mq-course. */
export function composeFilePath(workspace: Workspace | undefined): string {
  if (workspace) {
    const own = path.join(workspace.root, COMPOSE_FILE);
    if (existsSync(own)) return own;
  }
  return packagedComposeFile();
}

export function packagedComposeFile(): string {
  return path.join(templatesDir(), 'day4', 'workspace', COMPOSE_FILE);
}

/**
 * Reads the `image:` of each service from a block-style compose file, line by line: the `yaml`
 * parser is only a development dependency. A service whose image is not found (flow style, an
 * anchor) is left out, and compose reports a missing image itself when it starts it.
 */
export function readServiceImages(file: string): Map<string, string> {
  const images = new Map<string, string>();
  let inServices = false;
  let service: string | undefined;
  for (const line of readFileSync(file, 'utf8').split(/\r?\n/)) {
    if (/^\S/.test(line)) {
      inServices = /^services:\s*(#.*)?$/.test(line);
      service = undefined;
      continue;
    }
    if (!inServices) continue;
    const serviceMatch = /^ {2}([A-Za-z0-9._-]+):\s*(#.*)?$/.exec(line);
    if (serviceMatch) {
      service = serviceMatch[1];
      continue;
    }
    const imageMatch = /^ {4}image:\s*["']?([^"'\s#]+)["']?/.exec(line);
    if (service && imageMatch) images.set(service, imageMatch[1]);
  }
  return images;
}
