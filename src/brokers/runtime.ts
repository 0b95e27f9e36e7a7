import type { Io } from '../ui/io.js';
import type { Workspace } from '../workspace/config.js';
import type { BrokerName, Endpoints } from './endpoints.js';

export type RuntimeName = 'docker' | 'podman' | 'native' | 'external';

export interface RuntimeContext {
  cwd: string;
  workspace?: Workspace;
  endpoints: Endpoints;
  /** Per-user folder for jars, broker data, logs and pid files (see userStateDir). */
  stateDir: string;
  io: Io;
  /** Readiness deadline per broker, in milliseconds. */
  timeoutMs: number;
  pull?: boolean;
  debug?: boolean;
}

export interface BrokerStatus {
  broker: BrokerName;
  /** Whether the broker responds to its protocol right now. */
  ready: boolean;
  /** True when this runtime started it (so `down` will stop it); false when it was found running. */
  managed: boolean;
  where: string;
  detail?: string;
  error?: string;
}

/**
 * A way to run the brokers. `up` returns once each broker responds to its protocol, or throws a
 * CliError with exit code 3; `down` stops only what `up` started.
 */
export interface Runtime {
  name: RuntimeName;
  up(brokers: BrokerName[], context: RuntimeContext): Promise<void>;
  down(brokers: BrokerName[], context: RuntimeContext): Promise<void>;
  status(brokers: BrokerName[], context: RuntimeContext): Promise<BrokerStatus[]>;
  logs(broker: BrokerName, context: RuntimeContext, options: { follow?: boolean; lines?: number }): Promise<void>;
}
