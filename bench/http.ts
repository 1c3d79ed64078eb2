/** One authenticated HTTP request against the server, timed; fetch keeps connections alive. */

/** Per client: past this many 503s something is wrong, and the bench fails instead of waiting. */
const MAX_BUSY_RETRIES = 2000;

export interface DavRequest {
  method: string;
  path: string;
  headers?: Record<string, string>;
  body?: string;
}

export interface DavReply {
  status: number;
  headers: Headers;
  text: string;
  /** Wall time from sending to the last byte of the body, in ms. */
  ms: number;
}

export class BenchClient {
  /** 503 answers (write contention) retried so far; reset by whoever reads it. */
  busy = 0;

  constructor(
    private readonly baseUrl: string,
    private readonly authorization: string,
  ) {}

  /** As a client should, a 503 is retried after its Retry-After; the wait counts in `ms`. */
  async send(req: DavRequest): Promise<DavReply> {
    const started = performance.now();
    for (;;) {
      const res = await fetch(this.baseUrl + req.path, {
        method: req.method,
        headers: { authorization: this.authorization, ...req.headers },
        body: req.body,
      });
      const text = await res.text();
      if (res.status === 503 && this.busy < MAX_BUSY_RETRIES) {
        this.busy++;
        await new Promise((r) => setTimeout(r, 1000 * Number(res.headers.get('retry-after') ?? 1)));
        continue;
      }
      return { status: res.status, headers: res.headers, text, ms: performance.now() - started };
    }
  }

  /** Like send, but a status other than `expected` is an error naming the request. */
  async expect(req: DavRequest, expected: number | number[]): Promise<DavReply> {
    const reply = await this.send(req);
    const ok = Array.isArray(expected) ? expected.includes(reply.status) : reply.status === expected;
    if (!ok) {
      throw new Error(`${req.method} ${req.path}: expected ${expected}, got ${reply.status}\n${reply.text.slice(0, 500)}`);
    }
    return reply;
  }
}

/** Number of DAV:response elements in a multistatus (cheap count, no parse). */
export const countResponses = (xml: string) => (xml.match(/<(?:[A-Za-z][\w.-]*:)?response[\s>]/g) ?? []).length;

/** The DAV:sync-token text of a multistatus or PROPFIND answer. */
export function syncTokenOf(xml: string): string {
  const m = /<(?:[A-Za-z][\w.-]*:)?sync-token[^>]*>([^<]+)</.exec(xml);
  if (!m) throw new Error(`no sync-token in:\n${xml.slice(0, 500)}`);
  return m[1].trim();
}
