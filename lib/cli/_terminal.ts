/** Where the command line reads and writes; tests replace it to drive `main()` in-process. */
export interface Terminal {
  /** Writes to standard output. */
  out(text: string): void;
  /** Writes to standard error. */
  err(text: string): void;
  /** Whether standard error is a terminal (live progress) and standard input one (prompts). */
  interactive: { stderr: boolean; stdin: boolean };
  /** Reads one line typed by the user, echoed or not; undefined at end of input. */
  readLine(echo: boolean): Promise<string | undefined>;
  /** An environment variable. */
  env(name: string): string | undefined;
  /** Calls `listener` at each Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt(listener: () => void): () => void;
}

/** The process's own terminal. */
export function processTerminal(): Terminal {
  const encoder = new TextEncoder();
  const write = (
    file: { writeSync(p: Uint8Array): number },
    text: string,
  ): void => {
    const bytes = encoder.encode(text);
    let offset = 0;
    while (offset < bytes.length) {
      offset += file.writeSync(bytes.subarray(offset));
    }
  };
  return {
    out: (text) => write(Deno.stdout, text),
    err: (text) => write(Deno.stderr, text),
    interactive: {
      stderr: Deno.stderr.isTerminal(),
      stdin: Deno.stdin.isTerminal(),
    },
    readLine: (echo) => readLine(echo),
    env: (name) => Deno.env.get(name),
    onInterrupt: (listener) => {
      try {
        Deno.addSignalListener("SIGINT", listener);
      } catch {
        // No signals here (e.g. some Windows consoles).
        return () => {};
      }
      return () => Deno.removeSignalListener("SIGINT", listener);
    },
  };
}

/** Reads a line from standard input; without echo when asked (for passwords). */
async function readLine(echo: boolean): Promise<string | undefined> {
  const raw = !echo && Deno.stdin.isTerminal();
  if (raw) Deno.stdin.setRaw(true);
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(1);
  let line = "";
  try {
    for (;;) {
      const n = await Deno.stdin.read(buffer);
      if (n === null) return line === "" ? undefined : line;
      const char = decoder.decode(buffer.subarray(0, n), { stream: true });
      if (char === "\n" || char === "\r") break;
      if (raw && char === "\u0003") {
        throw new DOMException("Cancelled", "AbortError");
      }
      if (raw && (char === "\u007f" || char === "\b")) {
        line = line.slice(0, -1);
        continue;
      }
      line += char;
    }
  } finally {
    if (raw) {
      Deno.stdin.setRaw(false);
      Deno.stderr.writeSync(new TextEncoder().encode("\n"));
    }
  }
  return line;
}
