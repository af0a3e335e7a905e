/**
 * A TCP proxy on loopback, in front of a Neo4j server, that the tests use to make the network
 * slow or unreliable: it delays every chunk, throttles to a byte rate, cuts every connection at
 * once or after a number of bytes, cuts chosen new connections while they log in, and refuses
 * new connections for a while.
 *
 * @module
 */

/** Where the proxy forwards to. */
export interface ProxyTarget {
  hostname: string;
  port: number;
}

interface Link {
  client: Deno.Conn;
  server: Deno.Conn;
  closed: boolean;
  pumps: Promise<void>;
  /** Bytes the client has sent through this link. */
  sent: number;
  /** Cut this link once the client has sent this many bytes (a login cut). */
  cutSentAt: number;
}

/**
 * Where a login cut falls in what a Bolt client sends: after its handshake (20 bytes) and, with
 * the handshake of Bolt 5.7 and later, its choice of version (5), 15 or 10 bytes into HELLO
 * (which is longer: it names the driver). The server's answers pass whole.
 */
const LOGIN_CUT_BYTES = 35;

const sleep = (ms: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Forwards 127.0.0.1:`port` to a target, chunk by chunk, with faults on demand.
 *
 * @example Make the network slow, then cut it
 * ```ts ignore
 * await using proxy = TcpProxy.start({ hostname: "127.0.0.1", port: 7687 });
 * proxy.delayMs = 20;
 * // ... connect to proxy.uri ...
 * proxy.cutAll();
 * ```
 */
export class TcpProxy implements AsyncDisposable {
  /** Delay every chunk, in either direction, by this many milliseconds. */
  delayMs = 0;
  /** Forward at most this many bytes per second per direction and connection (0: no limit). */
  bytesPerSecond = 0;
  /** Bytes forwarded so far, both directions, all connections. */
  bytes = 0;
  /** Connections accepted so far. */
  accepted = 0;
  /** Connections cut by {@linkcode TcpProxy.cutAll} or {@linkcode TcpProxy.cutAfter}. */
  cuts = 0;
  /** Connections cut while they logged in ({@linkcode TcpProxy.cutLogins}). */
  loginCuts = 0;

  readonly #target: ProxyTarget;
  #listener: Deno.Listener | undefined;
  #accepting: Promise<void> = Promise.resolve();
  readonly #links = new Set<Link>();
  #cutAt = Infinity;
  #afterCut: (() => void) | undefined;
  #refuseUntil = 0;
  /** Ordinals (in `accepted`) of the connections whose login is cut. */
  readonly #loginCuts = new Set<number>();
  #reopen: ReturnType<typeof setTimeout> | undefined;
  #port: number;
  #closed = false;

  private constructor(target: ProxyTarget) {
    this.#target = target;
    this.#port = 0;
  }

  /** Starts a proxy on a free loopback port. */
  static start(target: ProxyTarget | string): TcpProxy {
    const proxy = new TcpProxy(
      typeof target === "string" ? parseTarget(target) : target,
    );
    proxy.#listen();
    return proxy;
  }

  /** The proxy's port on 127.0.0.1. */
  get port(): number {
    return this.#port;
  }

  /** `bolt://127.0.0.1:<port>` (or another scheme). */
  uri(scheme = "bolt"): string {
    return `${scheme}://127.0.0.1:${this.#port}`;
  }

  /** Open connections. */
  get open(): number {
    return this.#links.size;
  }

  /** Closes every open connection now, both sides (new ones are still accepted). */
  cutAll(): void {
    for (const link of this.#links) {
      this.cuts++;
      this.#close(link);
    }
  }

  /**
   * Cuts every open connection once `bytes` more bytes have been forwarded (mid-message), then
   * calls `then` (e.g. to refuse new connections from that moment).
   */
  cutAfter(bytes: number, then?: () => void): void {
    this.#cutAt = this.bytes + bytes;
    this.#afterCut = then;
  }

  /**
   * Cuts the `nth` new connections from now (1: the next one accepted) while they log in: once
   * the Bolt handshake is through and a few bytes of HELLO are on their way.
   */
  cutLogins(...nth: number[]): void {
    for (const n of nth) this.#loginCuts.add(this.accepted + n);
  }

  /**
   * Refuses new connections for `ms` milliseconds (Infinity: until {@linkcode TcpProxy.accept}):
   * the port is closed, so that connecting fails as with a server that is down.
   */
  refuse(ms = Infinity): void {
    this.#refuseUntil = Date.now() + ms;
    clearTimeout(this.#reopen);
    this.#listener?.close();
    this.#listener = undefined;
    if (Number.isFinite(ms)) {
      this.#reopen = setTimeout(() => this.accept(), ms);
    }
  }

  /** Accepts new connections again. */
  accept(): void {
    clearTimeout(this.#reopen);
    this.#refuseUntil = 0;
    if (!this.#listener && !this.#closed) this.#listen();
  }

  /** Whether new connections are refused now. */
  get refusing(): boolean {
    return this.#listener === undefined;
  }

  /** Stops listening and closes every connection. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#reopen);
    this.#listener?.close();
    this.#listener = undefined;
    const pumps = [...this.#links].map((link) => link.pumps);
    this.cutAll();
    await Promise.all(pumps);
    await this.#accepting;
  }

  /** Same as {@linkcode TcpProxy.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #listen(): void {
    const listener = Deno.listen({
      hostname: "127.0.0.1",
      port: this.#port,
    });
    this.#port = (listener.addr as Deno.NetAddr).port;
    this.#listener = listener;
    this.#accepting = this.#acceptLoop(listener);
  }

  async #acceptLoop(listener: Deno.Listener): Promise<void> {
    for (;;) {
      let client: Deno.Conn;
      try {
        client = await listener.accept();
      } catch {
        return; // The listener was closed.
      }
      if (Date.now() < this.#refuseUntil || this.#closed) {
        client.close();
        continue;
      }
      this.accepted++;
      const cutLogin = this.#loginCuts.delete(this.accepted);
      void this.#connect(client, cutLogin);
    }
  }

  async #connect(client: Deno.Conn, cutLogin: boolean): Promise<void> {
    let server: Deno.Conn;
    try {
      server = await Deno.connect(this.#target);
    } catch {
      client.close();
      return;
    }
    const link: Link = {
      client,
      server,
      closed: false,
      pumps: Promise.resolve(),
      sent: 0,
      cutSentAt: cutLogin ? LOGIN_CUT_BYTES : Infinity,
    };
    this.#links.add(link);
    link.pumps = Promise.all([
      this.#pump(link, client, server),
      this.#pump(link, server, client),
    ]).then(() => {});
  }

  async #pump(link: Link, from: Deno.Conn, to: Deno.Conn): Promise<void> {
    const buffer = new Uint8Array(16 * 1024);
    const sending = from === link.client;
    try {
      while (!link.closed) {
        const n = await from.read(buffer);
        if (n === null || link.closed) break;
        let chunk = buffer.slice(0, n);
        if (this.delayMs > 0) await sleep(this.delayMs);
        while (chunk.length > 0 && !link.closed) {
          // Throttled: a piece at a time, each followed by its share of a second.
          const rate = this.bytesPerSecond;
          const size = rate > 0
            ? Math.min(chunk.length, Math.max(1, Math.ceil(rate / 20)))
            : chunk.length;
          let piece = chunk.subarray(0, size);
          chunk = chunk.subarray(size);
          const room = Math.min(
            this.#cutAt - this.bytes,
            sending ? link.cutSentAt - link.sent : Infinity,
          );
          if (room < piece.length) piece = piece.subarray(0, Math.max(0, room));
          await writeAll(to, piece);
          this.bytes += piece.length;
          if (sending) link.sent += piece.length;
          if (link.sent >= link.cutSentAt) {
            this.loginCuts++;
            this.#close(link);
            break;
          }
          if (this.bytes >= this.#cutAt) {
            this.#cutAt = Infinity;
            const then = this.#afterCut;
            this.#afterCut = undefined;
            then?.();
            this.cutAll();
            break;
          }
          if (rate > 0) await sleep((piece.length / rate) * 1000);
        }
      }
    } catch {
      // A side went away.
    }
    this.#close(link);
  }

  #close(link: Link): void {
    if (link.closed) return;
    link.closed = true;
    this.#links.delete(link);
    for (const conn of [link.client, link.server]) {
      try {
        conn.close();
      } catch {
        // Already closed.
      }
    }
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < bytes.length) {
    offset += await conn.write(bytes.subarray(offset));
  }
}

function parseTarget(uri: string): ProxyTarget {
  const url = new URL(uri.replace(/^[a-z+]+:\/\//, "http://"));
  return { hostname: url.hostname, port: Number(url.port || 7687) };
}
