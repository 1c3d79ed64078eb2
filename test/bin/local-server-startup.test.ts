/**
 * Start-up as people see it: each step is told (engine, tables) while it happens, and the port
 * refuses connections until the server can answer, instead of holding requests for seconds. The
 * DynamoDB engine is made slow on purpose by a proxy that holds its connections until released.
 */
import { createConnection, createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bin/dynamodb-local';
import { startLocalServer, type LocalServer } from '../../bin/local-server';
import { freshTables, type TestTables } from '../helpers/dynamo';

let t: TestTables;
beforeAll(async () => {
  t = await freshTables();
});
afterAll(() => t?.drop());

/** A TCP proxy to `target` that holds every connection until `release()`. */
async function holdingProxy(target: URL) {
  const held: Socket[] = [];
  let released = false;
  const pipe = (client: Socket) => {
    const upstream = createConnection({ host: target.hostname, port: Number(target.port) });
    client.pipe(upstream).pipe(client);
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  };
  const proxy = createServer((client) => (released ? pipe(client) : (client.pause(), held.push(client))));
  const port = await freePort();
  await new Promise<void>((done) => proxy.listen(port, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${port}`,
    release() {
      released = true;
      for (const client of held.splice(0)) {
        pipe(client);
        client.resume();
      }
    },
    close: () => new Promise<void>((done) => proxy.close(() => done())),
  };
}

const connects = (port: number) =>
  new Promise<boolean>((done) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => (socket.destroy(), done(true)));
    socket.once('error', () => done(false));
  });

describe('npm start, while it starts', () => {
  it('tells each step and accepts no connection before it is ready', async () => {
    const proxy = await holdingProxy(new URL(t.endpoint));
    const port = await freePort();
    const steps: string[] = [];
    let server: LocalServer | undefined;
    try {
      const starting = startLocalServer({ port, dynamodbEndpoint: proxy.url, env: { ...process.env, ...t.env }, onProgress: (s) => steps.push(s) });
      starting.catch(() => undefined);
      for (const end = Date.now() + 20_000; !steps.some((s) => s.startsWith('Using DynamoDB at')); ) {
        if (Date.now() > end) throw new Error(`no progress: ${steps.join(' | ')}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      // The tables are being checked (held by the proxy): the port is not open yet.
      await new Promise((r) => setTimeout(r, 300));
      expect(steps.some((s) => s.startsWith('Tables ready'))).toBe(false);
      expect(await connects(port)).toBe(false);

      proxy.release();
      server = await starting;
      expect(steps).toEqual(['Admin console built', `Using DynamoDB at ${proxy.url}`, 'Tables ready']);
      expect(await connects(port)).toBe(true);
      expect((await fetch(server.url, { method: 'OPTIONS' })).status).toBe(200);
    } finally {
      await server?.stop();
      await proxy.close();
    }
  }, 60_000);
});
