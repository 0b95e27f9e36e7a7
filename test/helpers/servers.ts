import http from 'node:http';
import net, { type AddressInfo } from 'node:net';

export interface TestHttpServer {
  port: number;
  /** Request lines received, e.g. `GET /api/overview`. */
  requests: string[];
  close(): Promise<void>;
}

/** Starts an HTTP server on 127.0.0.1 at a free port that responds to every request with `status` and `body`. */
export async function startHttpServer(status = 200, body = '{}'): Promise<TestHttpServer> {
  const requests: string[] = [];
  const server = http.createServer((request, response) => {
    requests.push(`${request.method} ${request.url}`);
    response.writeHead(status, { 'content-type': 'application/json' }).end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/**
 * Starts a TCP server on 127.0.0.1 at a free port that sends a banner line and closes each
 * connection, the way an SSH or SMTP server greets a client that speaks another protocol.
 */
export async function startBannerServer(banner = 'SSH-2.0-OpenSSH_9.2\r\n'): Promise<{ port: number; close(): Promise<void> }> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => {});
    socket.end(banner);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
