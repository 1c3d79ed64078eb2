/** A small HTTP listener standing in for the connector's webhook: records what Zoho POSTs to it. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Callback {
  path: string;
  body: Record<string, any>;
}

export interface Listener {
  url: string;
  received: Callback[];
  /** Resolves with the n-th callback (1-based), waiting for it if need be. */
  nth(n: number, timeoutMs?: number): Promise<Callback>;
  close(): Promise<void>;
}

export async function startListener(status = 200): Promise<Listener> {
  const received: Callback[] = [];
  const waiters: Array<() => void> = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ path: req.url ?? '/', body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
      res.writeHead(status).end();
      waiters.splice(0).forEach((w) => w());
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    received,
    async nth(n, timeoutMs = 5000) {
      const deadline = Date.now() + timeoutMs;
      while (received.length < n) {
        if (Date.now() > deadline) throw new Error(`only ${received.length} callbacks arrived, waited for ${n}`);
        await new Promise<void>((r) => {
          waiters.push(r);
          setTimeout(r, 50);
        });
      }
      return received[n - 1]!;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
