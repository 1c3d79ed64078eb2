/**
 * The wire's own HTTP/1.1 client (lambda/platform/dynamodb/origin.ts) against servers that frame
 * their answers every way HTTP/1.1 allows: Node's own server, and raw sockets answering bytes
 * chosen here (chunks split at awkward places, interim answers, connections dropped mid-answer),
 * over TCP and TLS.
 */
import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { Origin } from '../../../lambda/platform/dynamodb/origin';

const closers: Array<() => void> = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
});

const HEAD = 'POST / HTTP/1.1\r\nhost: test\r\n';

/**
 * A server that reads one request per `answers` entry and writes that entry's pieces, each
 * flushed apart; 'hang-up' drops the connection, 'silent' keeps it and says nothing.
 */
async function rawServer(answers: Array<string[] | 'hang-up' | 'silent'>, create: (l: (s: net.Socket) => void) => net.Server = net.createServer) {
  const connections: net.Socket[] = [];
  let next = 0;
  const requests: string[] = [];
  const server = create((socket) => {
    connections.push(socket);
    let received = '';
    socket.on('data', async (data: Buffer) => {
      received += data.toString('latin1');
      const end = received.indexOf('\r\n\r\n');
      if (end < 0) return;
      const length = Number(/content-length: (\d+)/i.exec(received.slice(0, end))?.[1] ?? 0);
      if (received.length < end + 4 + length) return;
      requests.push(received.slice(0, end + 4 + length));
      received = received.slice(end + 4 + length);
      const answer = answers[next++];
      if (answer === 'silent') return;
      if (answer === undefined || answer === 'hang-up') {
        socket.destroy();
        return;
      }
      for (const piece of answer) {
        socket.write(piece);
        await new Promise((r) => setTimeout(r, 2));
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => {
    for (const c of connections) c.destroy();
    server.close();
  });
  return { port: (server.address() as AddressInfo).port, requests, connections };
}

const text = async (origin: Origin, body = '{}') => {
  const a = await origin.post(HEAD, body);
  return { status: a.status, body: a.body.toString('utf8'), requestId: a.headers.get('x-amzn-requestid') };
};

describe('Origin (keep-alive HTTP/1.1 for the wire)', () => {
  it('posts to Node’s own HTTP server and reuses the connection', async () => {
    const seen: Array<{ body: string; socket: unknown; headers: Record<string, unknown> }> = [];
    const server: HttpServer = createHttpServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString('utf8')));
      req.on('end', () => {
        seen.push({ body, socket: req.socket, headers: req.headers });
        res.setHeader('x-amzn-requestid', `r${seen.length}`);
        res.end(JSON.stringify({ echo: body }));
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    closers.push(() => server.close());
    server.keepAliveTimeout = 5000;
    const origin = new Origin(new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`));
    closers.push(() => origin.destroy());
    const body = JSON.stringify({ name: 'Zoë ✓' });
    expect(await text(origin, body)).toEqual({ status: 200, body: JSON.stringify({ echo: body }), requestId: 'r1' });
    expect(await text(origin, body)).toMatchObject({ status: 200, requestId: 'r2' });
    expect(seen[0]!.socket).toBe(seen[1]!.socket);
    expect(seen[0]!.headers['content-length']).toBe(String(Buffer.byteLength(body)));
  });

  it('reads chunked answers split anywhere, trailers included, then reuses the connection', async () => {
    const server = await rawServer([
      ['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\n{"a"', '\r\n3\r\n:1}\r', '\n0\r\n\r\n'],
      ['HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n', '\r\n3;ext=1\r\n{"b\r\n4\r\n":2}\r\n0\r\nX-Trailer: y\r\n', '\r\n'],
    ]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    expect((await text(origin)).body).toBe('{"a":1}');
    expect((await text(origin)).body).toBe('{"b":2}');
    expect(server.connections).toHaveLength(1);
  });

  it('skips interim 1xx answers and reads a body split across packets', async () => {
    const server = await rawServer([['HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 400 Bad Request\r\nContent-Length: 9\r\nx-amzn-RequestId: R\r\n\r\n{"x"', ':"y"}']]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    expect(await text(origin)).toEqual({ status: 400, body: '{"x":"y"}', requestId: 'R' });
  });

  it('opens a new connection after `Connection: close`, and reads an answer delimited by the close', async () => {
    const server = await rawServer([
      ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}'],
      ['HTTP/1.0 200 OK\r\n\r\n{"until":"', 'the end"}'],
      ['HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n'],
    ]);
    // The raw server closes nothing by itself: end the close-delimited answer here.
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    expect((await text(origin)).body).toBe('{}');
    const second = text(origin);
    await new Promise((r) => setTimeout(r, 30));
    server.connections[1]!.end();
    expect((await second).body).toBe('{"until":"the end"}');
    expect((await text(origin)).status).toBe(200);
    expect(server.connections).toHaveLength(3);
  });

  it('fails with ECONNRESET when the connection drops mid-answer, and the next call gets a fresh one', async () => {
    const server = await rawServer(['hang-up', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}']]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    await expect(origin.post(HEAD, '{}')).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect((await text(origin)).body).toBe('{}');
  });

  it('replaces a kept connection found closed at once for an idempotent call, and only then', async () => {
    // The server drops the kept connection when the second request arrives, as one closed while
    // the process was frozen looks: the write goes out, the answer is a reset.
    const server = await rawServer([['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'], 'hang-up', ['HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"ok"'], 'hang-up']);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    await text(origin);
    const again = await origin.post(HEAD, '{}', { idempotent: true });
    expect(again.body.toString()).toBe('"ok"');
    expect(server.connections).toHaveLength(2);
    // Not idempotent: the reset is the caller's to handle.
    await expect(origin.post(HEAD, '{}')).rejects.toMatchObject({ code: 'ECONNRESET' });
    // A fresh connection failing is not a stale one: no second try.
    const fresh = await rawServer(['hang-up', ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}']]);
    await expect(new Origin(new URL(`http://127.0.0.1:${fresh.port}`)).post(HEAD, '{}', { idempotent: true })).rejects.toMatchObject({ code: 'ECONNRESET' });
    expect(fresh.connections).toHaveLength(1);
  });

  it('drops an idle connection the server closed, instead of writing into it', async () => {
    const server = await rawServer([['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'], ['HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"ok"']]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    await text(origin);
    server.connections[0]!.end();
    await new Promise((r) => setTimeout(r, 30));
    expect((await text(origin)).body).toBe('"ok"');
    expect(server.connections).toHaveLength(2);
  });

  it('gives up a call that makes no progress for idleTimeoutMs with ETIMEDOUT, and drops its connection', async () => {
    const server = await rawServer(['silent', ['HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n{"cut'], ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}']]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`), { idleTimeoutMs: 100 });
    closers.push(() => origin.destroy());
    // No byte of answer, then an answer that stops halfway: each is given up, on its own connection.
    await expect(origin.post(HEAD, '{}', { idempotent: true })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    await expect(origin.post(HEAD, '{}')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    expect((await text(origin)).body).toBe('{}');
    expect(server.connections).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 30));
    expect(server.connections.slice(0, 2).every((c) => c.destroyed || c.readableEnded)).toBe(true);
  });

  it('gives a call its own idleTimeoutMs in place of the origin’s, on a kept connection too', async () => {
    const ok = (body: string) => [`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`];
    const server = await rawServer([ok('{}'), 'silent', ok('"a"'), ok('"b"')]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    await text(origin);
    await expect(origin.post(HEAD, '{}', { idleTimeoutMs: 100 })).rejects.toMatchObject({ code: 'ETIMEDOUT' });
    // The next call, without a limit, on a new connection that keeps none of the last call's.
    expect((await text(origin)).body).toBe('"a"');
    await new Promise((r) => setTimeout(r, 300));
    expect((await text(origin)).body).toBe('"b"');
    expect(server.connections).toHaveLength(2);
  });

  it('leaves a kept connection alone while it idles longer than idleTimeoutMs between calls', async () => {
    const server = await rawServer([['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}'], ['HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\n"ok"']]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`), { idleTimeoutMs: 300 });
    closers.push(() => origin.destroy());
    await text(origin);
    await new Promise((r) => setTimeout(r, 800));
    expect((await text(origin)).body).toBe('"ok"');
    expect(server.connections).toHaveLength(1);
  });

  it('gives up a TLS handshake that never comes, with ETIMEDOUT', async () => {
    const server = await rawServer([]);
    const origin = new Origin(new URL(`https://localhost:${server.port}`), { idleTimeoutMs: 100 });
    closers.push(() => origin.destroy());
    await expect(origin.post(HEAD, '{}')).rejects.toMatchObject({ code: 'ETIMEDOUT' });
  });

  it('keeps no process alive with its idle connections', async () => {
    const server = await rawServer([['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}']]);
    const script = `import { Origin } from ${JSON.stringify(new URL('../../../lambda/platform/dynamodb/origin.ts', import.meta.url).pathname)};
      const a = await new Origin(new URL('http://127.0.0.1:${server.port}')).post('POST / HTTP/1.1\\r\\nhost: t\\r\\n', '{}');
      console.log(a.status);`;
    const started = Date.now();
    // Not execFileSync: the server answers from this process's event loop.
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 20_000 });
    expect(stdout.trim()).toBe('200');
    // It exited by itself, long before the timeout, though the server kept the connection open.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it('refuses what is not HTTP/1.1, with an error instead of a hang', async () => {
    const server = await rawServer([['SSH-2.0-OpenSSH\r\n\r\n']]);
    const origin = new Origin(new URL(`http://127.0.0.1:${server.port}`));
    closers.push(() => origin.destroy());
    await expect(origin.post(HEAD, '{}')).rejects.toMatchObject({ code: 'HPE_INVALID_CONSTANT' });
  });

  it('refuses the connection error of a closed port with its code', async () => {
    const probe = net.createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const { port } = probe.address() as AddressInfo;
    await new Promise((r) => probe.close(r));
    await expect(new Origin(new URL(`http://127.0.0.1:${port}`)).post(HEAD, '{}')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });

  it.skipIf(!hasOpenssl())('speaks TLS to an https: origin, checking its certificate', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'origin-tls-'));
    closers.push(() => rmSync(dir, { recursive: true, force: true }));
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(dir, 'cert.pem'));
    const key = readFileSync(join(dir, 'key.pem'));
    const server = await rawServer([['HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n"tls"\n'], ['HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}']], (l) => tls.createServer({ cert, key }, l));
    const trusted = new Origin(new URL(`https://localhost:${server.port}`), { tls: { ca: cert } });
    closers.push(() => trusted.destroy());
    expect((await text(trusted)).body).toBe('"tls"\n');
    expect((await text(trusted)).body).toBe('{}');
    expect(server.connections).toHaveLength(1);
    const untrusted = new Origin(new URL(`https://localhost:${server.port}`));
    await expect(untrusted.post(HEAD, '{}')).rejects.toMatchObject({ code: expect.stringMatching(/SELF_SIGNED|UNABLE_TO_VERIFY/) });
  });
});

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}
