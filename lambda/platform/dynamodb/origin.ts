/**
 * Keep-alive HTTP/1.1 POSTs to one origin, on sockets of our own. Node's `http` client builds a
 * ClientRequest, an IncomingMessage and their streams for every call, validates each header and
 * walks the agent's pool: ~0.15 ms of CPU per DynamoDB call here, a third of what a GET costs
 * (bench/README.md, "CPU per request"). What DynamoDB's JSON protocol needs is much less: one
 * write of the request and a response read to its length.
 *
 * What it speaks: a request with a body and Content-Length, written in one go; a response
 * delimited by Content-Length, chunked transfer coding or the connection's end; 1xx interim
 * responses skipped; `Connection: close` honoured. Idle sockets are kept (unreferenced, so they
 * never hold a process open) and reused newest first; one that fails or closes is dropped, and an
 * idempotent call that finds its kept connection closed goes again at once on a new one (after a
 * Lambda freeze the close is read only once the call is written). With `idleTimeoutMs`, a call
 * whose connection makes no progress for that long (no connect, no handshake, no byte of answer)
 * fails with ETIMEDOUT and its connection is dropped: a connection that died without a reset
 * would otherwise hold the call until the function's own timeout. Errors carry the codes Node's
 * own client would give (ECONNRESET for a connection lost mid-answer, ETIMEDOUT), which the
 * wire's retry rule reads.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface OriginAnswer {
  status: number;
  /** Header values by lower-case name (the last one of a repeated name). */
  headers: Map<string, string>;
  body: Buffer;
}

const HEAD_END = Buffer.from('\r\n\r\n');
const CRLF = Buffer.from('\r\n');
/** How a kept connection the server had already closed fails a request written into it. */
const STALE = new Set(['ECONNRESET', 'EPIPE']);
/** More than any DynamoDB answer's headers; a longer head is not an HTTP server we talk to. */
const MAX_HEAD_BYTES = 64 * 1024;

function lost(message: string, code = 'ECONNRESET'): NodeJS.ErrnoException {
  const err: NodeJS.ErrnoException = new Error(message);
  err.code = code;
  return err;
}

/** Reads one response off the bytes a socket delivers; `push` is true once it is complete. */
class ResponseReader {
  private buffered: Buffer = Buffer.alloc(0);
  private head?: { status: number; headers: Map<string, string> };
  private mode: 'length' | 'chunked' | 'close' = 'length';
  private remaining = 0;
  private readonly parts: Buffer[] = [];
  /** Whether the answer is complete. */
  private done = false;
  /** Bytes after the end of the answer: a server we do not understand. */
  trailing = false;

  /** Feeds bytes; true when the answer is complete. Throws on what is not HTTP/1.1. */
  push(data: Buffer): boolean {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, data]) : data;
    for (;;) {
      if (!this.head) {
        const end = this.buffered.indexOf(HEAD_END);
        if (end < 0) {
          if (this.buffered.length > MAX_HEAD_BYTES) throw lost('response head too long', 'HPE_HEADER_OVERFLOW');
          return false;
        }
        const head = parseHead(this.buffered.toString('latin1', 0, end));
        this.buffered = this.buffered.subarray(end + 4);
        if (head.status >= 100 && head.status < 200) continue;
        this.head = head;
        const coding = head.headers.get('transfer-encoding');
        const length = head.headers.get('content-length');
        if (coding !== undefined && coding.toLowerCase() !== 'identity') {
          if (!/(^|,)\s*chunked\s*$/i.test(coding)) throw lost(`unsupported transfer coding ${coding}`, 'HPE_INVALID_TRANSFER_ENCODING');
          this.mode = 'chunked';
        } else if (length !== undefined) {
          if (!/^\d+$/.test(length)) throw lost(`invalid content-length ${length}`, 'HPE_INVALID_CONTENT_LENGTH');
          this.mode = 'length';
          this.remaining = Number(length);
        } else if (head.status === 204 || head.status === 304) {
          this.mode = 'length';
          this.remaining = 0;
        } else {
          this.mode = 'close';
        }
      }
      return this.mode === 'chunked' ? this.readChunks() : this.mode === 'length' ? this.readLength() : this.keep();
    }
  }

  /** The connection ended: completes a close-delimited answer; false when one was cut short. */
  end(): boolean {
    if (this.head && this.mode === 'close' && !this.done) {
      this.keep();
      this.done = true;
    }
    return this.done;
  }

  answer(): OriginAnswer {
    return { status: this.head!.status, headers: this.head!.headers, body: this.parts.length === 1 ? this.parts[0]! : Buffer.concat(this.parts) };
  }

  /** Whether the connection may carry another request. */
  reusable(): boolean {
    const connection = this.head?.headers.get('connection')?.toLowerCase() ?? '';
    return this.mode !== 'close' && !this.trailing && !/(^|,)\s*close\s*(,|$)/.test(connection);
  }

  private keep(): boolean {
    if (this.buffered.length) this.parts.push(this.buffered);
    this.buffered = Buffer.alloc(0);
    return false;
  }

  private readLength(): boolean {
    const take = Math.min(this.remaining, this.buffered.length);
    if (take) this.parts.push(this.buffered.subarray(0, take));
    this.remaining -= take;
    this.buffered = this.buffered.subarray(take);
    if (this.remaining > 0) return false;
    this.trailing = this.buffered.length > 0;
    return (this.done = true);
  }

  private readChunks(): boolean {
    for (;;) {
      if (this.remaining > 0) {
        // Inside a chunk's data, then its CRLF (counted in `remaining` as 2 more bytes).
        const dataLeft = this.remaining - 2;
        const take = Math.min(dataLeft, this.buffered.length);
        if (take > 0) {
          this.parts.push(this.buffered.subarray(0, take));
          this.buffered = this.buffered.subarray(take);
          this.remaining -= take;
        }
        if (this.remaining > 2) return false;
        if (this.buffered.length < 2) return false;
        if (this.buffered[0] !== 13 || this.buffered[1] !== 10) throw lost('malformed chunk', 'HPE_INVALID_CHUNK_SIZE');
        this.buffered = this.buffered.subarray(2);
        this.remaining = 0;
        continue;
      }
      const lineEnd = this.buffered.indexOf(CRLF);
      if (lineEnd < 0) return false;
      const sizeText = this.buffered.toString('latin1', 0, lineEnd).split(';')[0]!.trim();
      if (!/^[0-9a-fA-F]+$/.test(sizeText)) throw lost('malformed chunk size', 'HPE_INVALID_CHUNK_SIZE');
      const size = parseInt(sizeText, 16);
      if (size > 0) {
        this.buffered = this.buffered.subarray(lineEnd + 2);
        this.remaining = size + 2;
        continue;
      }
      // The last chunk, then trailer fields up to an empty line.
      const trailerEnd = this.buffered.indexOf(CRLF, lineEnd + 2) === lineEnd + 2 ? lineEnd + 4 : this.buffered.indexOf(HEAD_END, lineEnd) + 4;
      if (trailerEnd < 4) return false;
      this.trailing = this.buffered.length > trailerEnd;
      this.buffered = Buffer.alloc(0);
      return (this.done = true);
    }
  }
}

function parseHead(text: string): { status: number; headers: Map<string, string> } {
  const lines = text.split('\r\n');
  const statusLine = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0]!);
  if (!statusLine) throw lost(`not an HTTP/1.1 answer: ${lines[0]!.slice(0, 40)}`, 'HPE_INVALID_CONSTANT');
  const headers = new Map<string, string>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const colon = line.indexOf(':');
    if (colon <= 0) throw lost('malformed response header', 'HPE_INVALID_HEADER_TOKEN');
    headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  if (lines[0]!.startsWith('HTTP/1.0') && !headers.has('connection')) headers.set('connection', 'close');
  return { status: Number(statusLine[1]), headers };
}

interface Pending {
  reader: ResponseReader;
  resolve(answer: OriginAnswer): void;
  reject(err: Error): void;
}

/** One socket; carries one request at a time. */
class Connection {
  private pending: Pending | null = null;
  closed = false;
  /** Answers read on this connection so far: a reused one may have been closed while idle. */
  answers = 0;
  /** Whether the request in flight has had any byte of answer. */
  heard = false;
  /** Whether the request in flight was handed to the kernel whole: a server that answers early leaves the rest unread. */
  private written = false;

  /** The socket's inactivity timer as last set (0: none). */
  private idleTimeoutMs = 0;

  constructor(
    readonly socket: net.Socket,
    private readonly release: (c: Connection) => void,
  ) {
    socket.setNoDelay(true);
    socket.on('data', (data: Buffer) => this.onData(data));
    socket.on('end', () => this.onEnd());
    socket.on('error', (err) => this.fail(err));
    socket.on('close', () => this.fail(lost('socket hang up')));
    // Node re-arms the socket's inactivity timer on every read and write; kept idle between
    // calls, a connection is left alone (a Lambda container waits minutes between requests).
    socket.on('timeout', () => {
      if (this.pending) this.fail(lost(`no answer for ${this.idleTimeoutMs} ms`, 'ETIMEDOUT'));
    });
  }

  /** `idleTimeoutMs`: how long this call may go without progress (0: no limit). */
  send(request: string, idleTimeoutMs: number): Promise<OriginAnswer> {
    if (idleTimeoutMs !== this.idleTimeoutMs) {
      this.idleTimeoutMs = idleTimeoutMs;
      this.socket.setTimeout(idleTimeoutMs);
    }
    return new Promise((resolve, reject) => {
      this.pending = { reader: new ResponseReader(), resolve, reject };
      this.heard = false;
      this.written = false;
      this.socket.ref();
      this.socket.write(request, 'utf8', () => (this.written = true));
    });
  }

  private onData(data: Buffer): void {
    const pending = this.pending;
    if (!pending) {
      // Bytes nobody asked for: the connection is out of step.
      this.close();
      return;
    }
    this.heard = true;
    let complete: boolean;
    try {
      complete = pending.reader.push(data);
    } catch (err) {
      this.fail(err as Error);
      return;
    }
    if (complete) this.finish(pending);
  }

  private onEnd(): void {
    const pending = this.pending;
    if (pending?.reader.end()) this.finish(pending);
    else this.fail(lost('socket hang up'));
  }

  private finish(pending: Pending): void {
    this.pending = null;
    this.answers++;
    if (pending.reader.reusable() && this.written && !this.closed) {
      this.socket.unref();
      this.release(this);
    } else {
      this.close();
    }
    pending.resolve(pending.reader.answer());
  }

  private fail(err: Error): void {
    const pending = this.pending;
    this.pending = null;
    this.close();
    pending?.reject(err);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
  }
}

/** The request line and header lines of a POST, as Origin.post takes them (Content-Length is its own). */
export function postHead(path: string, host: string, headers: Record<string, string>): string {
  let head = `POST ${path} HTTP/1.1\r\nhost: ${host}\r\n`;
  for (const name in headers) head += `${name}: ${headers[name]}\r\n`;
  return head;
}

/** Keep-alive connections to one `http:` or `https:` origin. */
export class Origin {
  private idle: Connection[] = [];
  private readonly secure: boolean;
  private readonly host: string;
  private readonly port: number;

  private readonly maxIdle: number;
  private readonly tlsOptions: tls.ConnectionOptions;
  private readonly idleTimeoutMs: number;

  /**
   * `tls`: more options for an `https:` origin's sockets (a private CA's certificate, say).
   * `idleTimeoutMs`: how long a call's connection may go without progress (none by default).
   */
  constructor(url: URL, options: { maxIdle?: number; tls?: tls.ConnectionOptions; idleTimeoutMs?: number } = {}) {
    this.maxIdle = options.maxIdle ?? 50;
    this.tlsOptions = options.tls ?? {};
    this.idleTimeoutMs = options.idleTimeoutMs ?? 0;
    this.secure = url.protocol === 'https:';
    if (!this.secure && url.protocol !== 'http:') throw new Error(`unsupported protocol ${url.protocol}`);
    // URL keeps IPv6 literals in brackets; sockets want them bare.
    this.host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    this.port = Number(url.port) || (this.secure ? 443 : 80);
  }

  /**
   * Sends `head` (request line and header lines, each ending CRLF, without the blank line) and
   * `body`. `idempotent`: the request may be sent twice; then a kept connection that turns out to
   * be closed (the server dropped it while idle, or while Lambda froze this process, and its close
   * was not read yet) is replaced by a fresh one at once, without an error or a wait.
   * `idleTimeoutMs`: this call's limit on going without progress, instead of the origin's.
   */
  async post(head: string, body: string, opts: { idempotent?: boolean; idleTimeoutMs?: number } = {}): Promise<OriginAnswer> {
    const request = `${head}content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
    const idle = opts.idleTimeoutMs ?? this.idleTimeoutMs;
    const connection = this.take();
    try {
      return await connection.send(request, idle);
    } catch (err) {
      const stale = connection.answers > 0 && !connection.heard && STALE.has((err as NodeJS.ErrnoException).code ?? '');
      if (!opts.idempotent || !stale) throw err;
      return this.open().send(request, idle);
    }
  }

  /** Closes the idle connections (those in use close when their answer is read). */
  destroy(): void {
    for (const c of this.idle.splice(0)) c.close();
  }

  private take(): Connection {
    for (let c = this.idle.pop(); c; c = this.idle.pop()) if (!c.closed) return c;
    return this.open();
  }

  /** A new connection; the call sent on it at once sets its inactivity timer, running through connect and handshake. */
  private open(): Connection {
    const socket = this.secure
      ? tls.connect({ ...this.tlsOptions, host: this.host, port: this.port, servername: net.isIP(this.host) ? undefined : this.host, ALPNProtocols: ['http/1.1'] })
      : net.connect({ host: this.host, port: this.port });
    socket.setKeepAlive(true, 1000);
    return new Connection(socket, (c) => {
      if (this.idle.length < this.maxIdle) this.idle.push(c);
      else c.close();
    });
  }
}
