import { randomBytes } from 'node:crypto';

/**
 * A RabbitMQ user that exists for one check run, created through the management API. The learner
 * program connects as this user, so the check can find and close exactly its connections on a
 * broker that other runs share, and the user's permissions cover only the run's own names.
 */
export class RabbitRunUser {
  private constructor(
    private readonly managementUrl: string,
    readonly username: string,
    readonly password: string,
    readonly vhost: string,
  ) {}

  /** Creates the user with configure, write and read permissions on names that start with `runId.`. */
  static async create(managementUrl: string, amqpUrl: string, runId: string): Promise<RabbitRunUser> {
    const vhost = decodeURIComponent(new URL(amqpUrl).pathname.slice(1)) || '/';
    const user = new RabbitRunUser(managementUrl, `${runId}.program`, randomBytes(12).toString('hex'), vhost);
    await user.call('PUT', `/api/users/${encodeURIComponent(user.username)}`, { password: user.password, tags: '' });
    const names = `^${runId.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\.`;
    await user.call('PUT', `/api/permissions/${encodeURIComponent(vhost)}/${encodeURIComponent(user.username)}`, { configure: names, write: names, read: names });
    return user;
  }

  /** Builds the AMQP URL for the learner program: this user's credentials, at `host:port`. */
  amqpUrl(host: string, port: number): string {
    return `amqp://${encodeURIComponent(this.username)}:${this.password}@${host}:${port}/${encodeURIComponent(this.vhost)}`;
  }

  /**
   * Closes every connection of this user from the broker side; the client gets connection.close
   * with 320 CONNECTION_FORCED and `reason`. Returns how many connections were closed.
   * GET and DELETE /api/connections/username/<user> are in the HTTP API reference of current 4.x
   * releases. On RabbitMQ 3.10.8 they list and close a connection at once, while the plain
   * connection list only shows it after the next statistics interval (5 s by default).
   */
  async closeConnections(reason: string): Promise<number> {
    const path = `/api/connections/username/${encodeURIComponent(this.username)}`;
    const connections = (await this.call('GET', path)) as Array<{ name: string }>;
    if (connections.length) await this.call('DELETE', path, undefined, { 'x-reason': reason });
    return connections.length;
  }

  /** Deletes the user, which also closes its remaining connections (seen on RabbitMQ 3.10.8). Never throws. */
  async remove(): Promise<void> {
    await this.call('DELETE', `/api/users/${encodeURIComponent(this.username)}`).catch(() => {});
  }

  private async call(method: string, apiPath: string, body?: unknown, headers: Record<string, string> = {}): Promise<unknown> {
    const base = new URL(this.managementUrl);
    const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
    base.username = '';
    base.password = '';
    const response = await fetch(new URL(apiPath, base), {
      method,
      headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(5000),
    });
    if (!response.ok) throw new Error(`management API ${method} ${apiPath}: HTTP ${response.status}`);
    const text = await response.text();
    return text ? JSON.parse(text) : undefined;
  }
}
