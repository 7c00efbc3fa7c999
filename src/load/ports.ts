/** Free-port lookup and in-use check on the local machine. */
import { createServer } from 'node:net';

export interface PortProbe {
  /** A port nothing listens on right now. */
  findFree(): Promise<number>;
  /** False when something already listens on `port` (on any address). */
  isFree(port: number): Promise<boolean>;
}

function listenOnce(port: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EADDRINUSE' || err.code === 'EACCES') resolve(null);
      else reject(err);
    });
    // No host: binds the unspecified address (dual stack), which conflicts with a listener on any local address.
    server.listen(port, () => {
      const address = server.address();
      const bound = typeof address === 'object' && address ? address.port : port;
      server.close(() => resolve(bound));
    });
  });
}

export const netPortProbe: PortProbe = {
  async findFree() {
    const port = await listenOnce(0);
    if (port === null) throw new Error('could not find a free port');
    return port;
  },
  async isFree(port) {
    return (await listenOnce(port)) !== null;
  },
};
