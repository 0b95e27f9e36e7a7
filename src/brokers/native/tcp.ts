import net from 'node:net';

export interface HostPort {
  host: string;
  port: number;
}

/** Parses `host:port` (or `[v6]:port`), using `defaultPort` when the port is left out. */
export function parseHostPort(value: string, defaultPort: number): HostPort | undefined {
  const match = /^(?:\[([^\]]+)\]|([^:]+))(?::(\d+))?$/.exec(value.trim());
  if (!match) return undefined;
  const port = match[3] === undefined ? defaultPort : Number(match[3]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2], port };
}

/** True for names and addresses of this machine's loopback interface, where the native runtime may start a broker. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

/** True when a TCP connection to host:port is accepted within `timeoutMs`, whatever protocol listens there. */
export function acceptsConnections(host: string, port: number, timeoutMs = 1000): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port });
    const finish = (accepted: boolean) => {
      socket.destroy();
      resolve(accepted);
    };
    socket.setTimeout(timeoutMs, () => finish(false));
    socket.once('connect', () => finish(true));
    socket.once('error', () => finish(false));
  });
}
