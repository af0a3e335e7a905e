/**
 * A real S3-compatible server for the tests: moto's server mode (PyPI `moto[server]`), in a
 * virtual environment of its own under the project's cache folder (`<cache>/moto-venv`),
 * installed once with the version pinned in {@linkcode MOTO_PINS}, the way `dev/python_tool.ts`
 * installs the Python neo4j-backup.
 *
 * The server listens on a free loopback port, checks every request's signature against an IAM
 * user it creates at start (so that wrong credentials fail as on AWS), and exits as soon as its
 * standard input closes: it never outlives the process that started it, however that ends.
 *
 * @module
 */
import { join } from "node:path";
import { cacheDir, drainLines } from "./neo4j_server.ts";
import { ensureVenv } from "./_python_venv.ts";
import { S3Client } from "../lib/location/_s3_client.ts";
import { resolveS3Config } from "../lib/location/_s3_config.ts";

/** The packages installed into the virtual environment. */
export const MOTO_PINS: Readonly<Record<string, string>> = {
  "moto[server]": "5.2.5",
};

/** The folder of the virtual environment. */
export function motoVenvDir(): string {
  return join(cacheDir(), "moto-venv");
}

const MARKER = "moto-pins.json";

/** What a started server says about itself. */
export interface S3ServerInfo {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_S3` or `--endpoint-url`. */
  endpoint: string;
  /** The port on 127.0.0.1. */
  port: number;
  /** An access key of the IAM user allowed everything. */
  accessKeyId: string;
  /** Its secret. */
  secretAccessKey: string;
  /** The region to sign for. */
  region: string;
}

/** Options for {@linkcode S3Server.start}. */
export interface S3ServerOptions {
  /** Called with a line of text while moto is installed or started. */
  onStatus?: (message: string) => void;
  /**
   * Milliseconds to wait for the server to say it listens.
   * @default {60_000}
   */
  startTimeout?: number;
  /**
   * The smallest part, but the last, that the server accepts in a multipart upload (AWS: 5 MiB),
   * so that tests can upload many parts with little data.
   * @default {5 * 1024 * 1024}
   */
  minPartSize?: number;
}

// Runs in the venv's Python: starts moto on a free port, creates the IAM user, turns the
// signature checks on, prints one line, then waits for its standard input to close.
const LAUNCHER = `
import json, sys
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto import settings
import boto3
server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
server.start()
port = server.get_host_and_port()[1]
endpoint = f"http://127.0.0.1:{port}"
iam = boto3.client("iam", endpoint_url=endpoint, region_name="us-east-1",
                   aws_access_key_id="bootstrap", aws_secret_access_key="bootstrap")
iam.create_user(UserName="neo4j-backup")
iam.put_user_policy(UserName="neo4j-backup", PolicyName="all", PolicyDocument=json.dumps(
    {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
key = iam.create_access_key(UserName="neo4j-backup")["AccessKey"]
settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
print("READY " + json.dumps({"port": port, "accessKeyId": key["AccessKeyId"],
                             "secretAccessKey": key["SecretAccessKey"]}), flush=True)
sys.stdin.read()
server.stop()
`;

/**
 * A local moto S3 server, started by {@linkcode S3Server.start}.
 *
 * @example Start a server, point a client at it, stop it
 * ```ts ignore
 * await using s3 = await S3Server.start();
 * console.log(s3.info.endpoint);
 * ```
 */
export class S3Server implements AsyncDisposable {
  readonly #child: Deno.ChildProcess;
  readonly #stdin: WritableStreamDefaultWriter<Uint8Array>;
  /** Where and how to reach it. */
  readonly info: S3ServerInfo;

  private constructor(
    child: Deno.ChildProcess,
    stdin: WritableStreamDefaultWriter<Uint8Array>,
    info: S3ServerInfo,
  ) {
    this.#child = child;
    this.#stdin = stdin;
    this.info = info;
  }

  /** Installs moto once, starts it and waits until it listens. */
  static async start(options: S3ServerOptions = {}): Promise<S3Server> {
    const python = await ensureMoto(options.onStatus);
    const child = new Deno.Command(python, {
      args: ["-c", LAUNCHER],
      stdin: "piped",
      stdout: "piped",
      stderr: "piped",
      env: {
        PYTHONUNBUFFERED: "1",
        S3_UPLOAD_PART_MIN_SIZE: String(options.minPartSize ?? 5 * 1024 * 1024),
      },
    }).spawn();
    const stderr: string[] = [];
    const drained = drainLines(child.stderr, (line) => {
      stderr.push(line);
      if (stderr.length > 20) stderr.shift();
    });
    const stdin = child.stdin.getWriter();
    const line = await firstLine(child.stdout, options.startTimeout ?? 60_000);
    if (!line?.startsWith("READY ")) {
      await stdin.close().catch(() => {});
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      await child.status;
      await drained;
      const last = stderr.filter((l) => l.trim() !== "").at(-1);
      throw new Error(
        `Cannot start the moto S3 server: ${
          line === undefined ? "it did not answer in time" : "it failed"
        }${last ? ` (${last.trim()})` : ""}`,
      );
    }
    const ready = JSON.parse(line.slice(6)) as {
      port: number;
      accessKeyId: string;
      secretAccessKey: string;
    };
    child.unref();
    return new S3Server(child, stdin, {
      endpoint: `http://127.0.0.1:${ready.port}`,
      port: ready.port,
      accessKeyId: ready.accessKeyId,
      secretAccessKey: ready.secretAccessKey,
      region: "us-east-1",
    });
  }

  /** The environment variables an AWS tool needs to use this server. */
  env(): Record<string, string> {
    return {
      AWS_ACCESS_KEY_ID: this.info.accessKeyId,
      AWS_SECRET_ACCESS_KEY: this.info.secretAccessKey,
      AWS_REGION: this.info.region,
      AWS_DEFAULT_REGION: this.info.region,
      AWS_ENDPOINT_URL_S3: this.info.endpoint,
    };
  }

  /** Stops the server (closes its standard input, then kills it if it lingers). */
  /** Creates a bucket (with the tool's own S3 client). */
  async createBucket(name: string): Promise<void> {
    const client = new S3Client(
      await resolveS3Config(`s3://${name}`, {
        env: this.env(),
        home: "/nonexistent-home",
      }),
      name,
    );
    await (await client.send({
      method: "PUT",
      key: "",
      verb: "create",
      where: name,
    })).body?.cancel();
  }

  async stop(): Promise<void> {
    await this.#stdin.close().catch(() => {});
    const timer = setTimeout(() => {
      try {
        this.#child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }, 5_000);
    await this.#child.status;
    clearTimeout(timer);
  }

  /** Same as {@linkcode S3Server.stop}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.stop();
  }
}

/**
 * Makes sure the virtual environment with moto exists (created once with `python3 -m venv` and
 * pip; the Python is `NEO4J_BACKUP_PYTHON` or `python3`) and returns its interpreter. Safe to
 * call from several processes at once: it is built in a scratch folder and renamed into place.
 *
 * @example
 * ```ts ignore
 * const python = await ensureMoto();
 * ```
 */
export function ensureMoto(
  onStatus: (message: string) => void = () => {},
): Promise<string> {
  return ensureVenv({
    dir: motoVenvDir(),
    pins: MOTO_PINS,
    marker: MARKER,
    what: `moto ${MOTO_PINS["moto[server]"]}`,
    onStatus,
  });
}

async function firstLine(
  stream: ReadableStream<Uint8Array>,
  timeoutMs: number,
): Promise<string | undefined> {
  const reader = stream.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), timeoutMs);
  });
  try {
    for (;;) {
      const read = await Promise.race([reader.read(), timeout]);
      if (read === undefined) return undefined;
      if (read.done) return text === "" ? undefined : text;
      text += read.value;
      const end = text.indexOf("\n");
      if (end >= 0) return text.slice(0, end);
    }
  } finally {
    clearTimeout(timer);
    // Keep draining stdout so that the process never blocks on a full pipe.
    void (async () => {
      try {
        while (!(await reader.read()).done) { /* discard */ }
      } catch {
        // Closed.
      }
    })();
  }
}
