/** Picks a free TCP port on 127.0.0.1 by binding port 0 and closing again (callers retry if someone takes it first). */
import net from 'node:net';

export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error('could not determine a free port'))));
    });
  });
}

/** Matches the messages Postgres and redis-server print when their port is taken. */
export const ADDRESS_IN_USE_RE = /address already in use|could not bind|EADDRINUSE/i;
