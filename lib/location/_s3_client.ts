/**
 * Signed requests to one S3 bucket (aws4fetch signs them, SigV4), with retries of what can be
 * retried, and S3's errors turned into {@linkcode BackupError}s that name the object and never
 * hold a secret.
 *
 * @module
 */
import { AwsClient } from "npm:aws4fetch@1.0.20";
import { BackupError } from "../errors.ts";
import type { S3Config } from "./_s3_config.ts";
import { reason } from "./_path.ts";
import { xmlValue } from "./_s3_xml.ts";

/** One request. */
export interface S3Request {
  method: "GET" | "PUT" | "POST" | "DELETE" | "HEAD";
  /** The object's key, or "" for the bucket. */
  key: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  /** Bytes only, so that a retry can send them again. */
  body?: Uint8Array;
  /** Statuses returned to the caller rather than thrown (2xx always are). */
  accept?: number[];
  /** `read`, `write`, `list` or `remove`, for messages. */
  verb: string;
  /** The path in messages (`s3://bucket/prefix/key`). */
  where: string;
  /** The file concerned, relative to the location. */
  file?: string | undefined;
}

/** Options for {@linkcode S3Client}. */
export interface S3ClientOptions {
  /**
   * Attempts after the first for a request that failed on the network or with a 5xx, 429 or
   * a timeout.
   * @default {4}
   */
  retries?: number;
  /**
   * Milliseconds before the first retry; each later one waits twice as long (with jitter).
   * @default {200}
   */
  retryDelayMs?: number;
}

const RETRY_STATUS = new Set([500, 502, 503, 504, 429]);
const RETRY_CODES = new Set(["RequestTimeout", "InternalError", "SlowDown"]);
const DENIED = new Set([
  "AccessDenied",
  "InvalidAccessKeyId",
  "SignatureDoesNotMatch",
  "ExpiredToken",
  "InvalidToken",
  "TokenRefreshRequired",
  "InvalidClientTokenId",
]);

/**
 * A client for one bucket.
 *
 * @example
 * ```ts ignore
 * const client = new S3Client(config, "bucket");
 * const response = await client.send({ method: "GET", key: "a/b", verb: "read", where: "s3://bucket/a/b" });
 * ```
 */
export class S3Client {
  readonly bucket: string;
  readonly #aws: AwsClient;
  readonly #base: string;
  readonly #pathStyle: boolean;
  readonly #retries: number;
  readonly #delay: number;
  readonly #source: string;
  readonly #host: string;

  constructor(config: S3Config, bucket: string, options: S3ClientOptions = {}) {
    this.bucket = bucket;
    this.#aws = new AwsClient({
      accessKeyId: config.credentials.accessKeyId,
      secretAccessKey: config.credentials.secretAccessKey,
      ...(config.credentials.sessionToken
        ? { sessionToken: config.credentials.sessionToken }
        : {}),
      region: config.region,
      service: "s3",
      retries: 0,
    });
    const endpoint = config.endpoint ??
      `https://s3.${config.region}.amazonaws.com`;
    const dnsSafe = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
    this.#pathStyle = config.addressingStyle === "path" ||
      (config.addressingStyle === "auto" &&
        (config.endpoint !== undefined || !dnsSafe));
    const url = new URL(endpoint);
    if (!this.#pathStyle) url.hostname = `${bucket}.${url.hostname}`;
    this.#base = url.toString().replace(/\/+$/, "");
    this.#host = url.host;
    this.#retries = options.retries ?? 4;
    this.#delay = options.retryDelayMs ?? 200;
    this.#source = config.source;
  }

  /** The URL of an object (or of the bucket, for ""). */
  url(key: string, query: Record<string, string> = {}): string {
    const path = key.split("/").map(encodeKeySegment).join("/");
    const prefix = this.#pathStyle ? `/${encodeKeySegment(this.bucket)}` : "";
    const search = new URLSearchParams(query).toString()
      .replace(/\+/g, "%20").replace(/=(&|$)/g, "$1");
    return `${this.#base}${prefix}/${key === "" ? "" : path}${
      search ? `?${search}` : ""
    }`;
  }

  /**
   * Sends a request, retrying network failures, 5xx, 429 and timeouts; returns the response of
   * a 2xx or an accepted status, throws a `BackupError` for the others.
   */
  async send(request: S3Request): Promise<Response> {
    const url = this.url(request.key, request.query);
    for (let attempt = 0;; attempt++) {
      let response: Response;
      try {
        response = await this.#aws.fetch(url, {
          method: request.method,
          headers: request.headers ?? {},
          ...(request.body
            ? { body: request.body as Uint8Array<ArrayBuffer> }
            : {}),
        });
      } catch (error) {
        if (attempt < this.#retries) {
          await this.#wait(attempt);
          continue;
        }
        throw this.networkError(request, error);
      }
      if (response.ok || request.accept?.includes(response.status)) {
        return response;
      }
      const text = request.method === "HEAD" ? "" : await response.text()
        .catch(() => "");
      const code = xmlValue(text, "Code");
      if (
        (RETRY_STATUS.has(response.status) ||
          (code !== undefined && RETRY_CODES.has(code))) &&
        attempt < this.#retries
      ) {
        await this.#wait(attempt);
        continue;
      }
      throw this.error(
        request,
        response.status,
        code,
        xmlValue(text, "Message"),
      );
    }
  }

  /** The error for an S3 error answer. */
  error(
    request: S3Request,
    status: number,
    code: string | undefined,
    message: string | undefined,
  ): BackupError {
    const base = { file: request.file, cause: undefined } as const;
    if (status === 403 || (code !== undefined && DENIED.has(code))) {
      const check = this.#source === "AWS_ACCESS_KEY_ID"
        ? "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN"
        : `check ${this.#source} / AWS_PROFILE`;
      return new BackupError(
        `Cannot ${request.verb} ${request.where}: access denied (${
          code ?? "403"
        }; ${check})`,
        { ...base, code: "PERMISSION", detail: code ?? "access denied" },
      );
    }
    if (code === "NoSuchBucket") {
      return new BackupError(
        `Cannot ${request.verb} ${request.where}: the bucket ${this.bucket} does not exist`,
        { ...base, code: "IO", detail: "no such bucket" },
      );
    }
    if (code === "NoSuchKey" || (status === 404 && code === undefined)) {
      return new BackupError(
        `Cannot ${request.verb} ${request.where}: no such file`,
        { ...base, code: "IO", detail: "not found" },
      );
    }
    if (
      status === 301 || code === "PermanentRedirect" ||
      code === "AuthorizationHeaderMalformed"
    ) {
      return new BackupError(
        `Cannot ${request.verb} ${request.where}: the bucket is in another region (set AWS_REGION)`,
        { ...base, code: "IO", detail: code ?? "wrong region" },
      );
    }
    const why = [code, message].filter(Boolean).join(": ") ||
      `HTTP status ${status}`;
    return new BackupError(
      `Cannot ${request.verb} ${request.where}: ${lowerFirst(why)}`,
      { ...base, code: "IO", detail: code ?? `HTTP ${status}` },
    );
  }

  /** The error for a request that got no answer. */
  networkError(request: S3Request, error: unknown): BackupError {
    if (error instanceof BackupError) return error;
    return new BackupError(
      `Cannot ${request.verb} ${request.where}: cannot reach ${this.#host} (${
        lowerFirst(reason(error))
      })`,
      {
        code: "IO",
        file: request.file,
        detail: "unreachable",
        cause: error,
      },
    );
  }

  /** Waits before retry number `attempt` (0-based). */
  #wait(attempt: number): Promise<void> {
    const ms = this.#delay * 2 ** attempt * (0.5 + Math.random() / 2);
    return new Promise((resolve) => setTimeout(resolve, ms));
  }

  /** The number of retries. */
  get retries(): number {
    return this.#retries;
  }

  /** Waits as before retry `attempt`. */
  backoff(attempt: number): Promise<void> {
    return this.#wait(attempt);
  }
}

function encodeKeySegment(segment: string): string {
  return encodeURIComponent(segment).replace(
    /[!'()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
}

function lowerFirst(text: string): string {
  const trimmed = text.replace(/\.$/, "");
  return /^[A-Z][a-z]/.test(trimmed)
    ? trimmed.charAt(0).toLowerCase() + trimmed.slice(1)
    : trimmed;
}
