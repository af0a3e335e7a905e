/**
 * A backup location that is a prefix of an S3 bucket (AWS, or any S3-compatible store).
 *
 * @module
 */
import { createHash } from "node:crypto";
import { BackupError } from "../errors.ts";
import type { Location, LocationEntry, ReadableOptions } from "./location.ts";
import { checkOffset, checkPath, checkPrefix } from "./_path.ts";
import { resolveS3Config, type S3ConfigSources } from "./_s3_config.ts";
import {
  S3Client,
  type S3ClientOptions,
  type S3Request,
} from "./_s3_client.ts";
import { listedObjects, xmlValue } from "./_s3_xml.ts";

/** Options for {@linkcode S3Location.open}. */
export interface S3LocationOptions extends S3ClientOptions, S3ConfigSources {
  /**
   * Bytes per part of a multipart upload (AWS wants at least 5 MiB for every part but the
   * last). After every 1,000 parts the size doubles, so that the 10,000 parts S3 allows hold
   * far more than a backup's largest file.
   * @default {8 * 1024 * 1024}
   */
  partSize?: number;
  /**
   * Parts uploaded at once; memory stays within `partSize * (queueSize + 1)` per open file.
   * @default {2}
   */
  queueSize?: number;
}

/** A finished part of a multipart upload. */
interface Part {
  number: number;
  etag: string;
}

/**
 * The objects under `s3://bucket/prefix/` as a {@linkcode Location}: a file is the object whose
 * key is the prefix, `/`, and its path, so `aws s3 cp --recursive` of the prefix gives the
 * same directory a local backup is.
 *
 * Settings come from the environment and the shared AWS files as the AWS CLI reads them
 * (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
 * `AWS_PROFILE`, `~/.aws/credentials`, `~/.aws/config`, `AWS_ENDPOINT_URL_S3`,
 * `AWS_ENDPOINT_URL`); with a custom endpoint, requests use path-style addressing unless the
 * profile sets `s3 = addressing_style = virtual`.
 *
 * A file written through {@linkcode S3Location.writable} is streamed as a multipart upload
 * (each part sent with its MD5 and signed SHA-256, which S3 checks), completed when the stream
 * closes and aborted when it errors, so that the object exists only whole. Reads are streams
 * that pick up where a dropped connection left them (a ranged GET, checked against the ETag).
 *
 * @example Write a file under a prefix and list it
 * ```ts ignore
 * import { S3Location } from "./s3_location.ts";
 *
 * const location = await S3Location.open("s3://my-bucket/backups/monday");
 * await location.put("hello.txt", new TextEncoder().encode("hello"));
 * for await (const { path, bytes } of location.list()) console.log(path, bytes);
 * ```
 */
export class S3Location implements Location {
  /** The bucket. */
  readonly bucket: string;
  /** The prefix, without slashes at either end ("" for the whole bucket). */
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #partSize: number;
  readonly #queueSize: number;

  private constructor(
    client: S3Client,
    prefix: string,
    options: S3LocationOptions,
  ) {
    this.#client = client;
    this.bucket = client.bucket;
    this.prefix = prefix;
    this.#partSize = options.partSize ?? 8 * 1024 * 1024;
    this.#queueSize = options.queueSize ?? 2;
  }

  /**
   * Opens `s3://bucket/prefix`, resolving credentials, region and endpoint (nothing is sent
   * yet: a missing bucket or refused credentials show on the first request).
   *
   * @example
   * ```ts ignore
   * const location = await S3Location.open("s3://my-bucket/backups/monday", { partSize: 16 << 20 });
   * ```
   */
  static async open(
    url: string,
    options: S3LocationOptions = {},
  ): Promise<S3Location> {
    const match = /^s3:\/\/([^/]+)\/*(.*)$/.exec(url);
    if (!match) {
      throw new TypeError(
        `An S3 location is s3://bucket or s3://bucket/prefix, not ${
          JSON.stringify(url)
        }`,
      );
    }
    const bucket = match[1]!;
    const prefix = match[2]!.replace(/\/+$/, "");
    if (!/^[a-z0-9][a-z0-9.\-_]{1,254}$/i.test(bucket)) {
      throw new TypeError(`${JSON.stringify(bucket)} is not an S3 bucket name`);
    }
    if (prefix !== "") checkPath(prefix, "S3 prefix");
    for (
      const [name, value, min] of [
        ["partSize", options.partSize, 1],
        ["queueSize", options.queueSize, 1],
        ["retries", options.retries, 0],
      ] as const
    ) {
      if (
        value !== undefined && !(Number.isSafeInteger(value) && value >= min)
      ) {
        throw new TypeError(
          `The option ${name} must be an integer of at least ${min}, not ${value}`,
        );
      }
    }
    const config = await resolveS3Config(
      `s3://${bucket}${prefix ? `/${prefix}` : ""}`,
      options,
    );
    return new S3Location(
      new S3Client(config, bucket, options),
      prefix,
      options,
    );
  }

  /** `s3://bucket/prefix`, or the URL of a file in it. */
  describe(path?: string): string {
    const base = `s3://${this.bucket}${this.prefix ? `/${this.prefix}` : ""}`;
    return path === undefined ? base : `${base}/${checkPath(path)}`;
  }

  /** The objects under the prefix whose path starts with `prefix`, in key order. */
  async *list(prefix = ""): AsyncIterable<LocationEntry> {
    checkPrefix(prefix);
    const base = this.prefix ? `${this.prefix}/` : "";
    let token: string | undefined;
    do {
      const response = await this.#client.send({
        method: "GET",
        key: "",
        query: {
          "list-type": "2",
          prefix: base + prefix,
          ...(token ? { "continuation-token": token } : {}),
        },
        verb: "list",
        where: this.describe(),
      });
      const xml = await response.text();
      for (const { key, size } of listedObjects(xml)) {
        if (!key.startsWith(base) || key.endsWith("/")) continue;
        yield { path: key.slice(base.length), bytes: size };
      }
      token = xmlValue(xml, "IsTruncated") === "true"
        ? xmlValue(xml, "NextContinuationToken")
        : undefined;
    } while (token);
  }

  /**
   * A stream of an object's bytes from `offset` on. A connection that drops (an error, or an
   * end before `Content-Length`) is picked up with a ranged GET of the rest, up to `retries`
   * times in a row; the object changing meanwhile is an error.
   */
  async readable(
    path: string,
    options: ReadableOptions = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const request = this.#request("GET", path, "read");
    const offset = checkOffset(options.offset);
    const client = this.#client;
    let position = offset;
    let etag: string | undefined;
    let end: number | undefined; // One past the last byte.
    const get = async (): Promise<ReadableStreamDefaultReader<Uint8Array>> => {
      const headers: Record<string, string> = {};
      if (position > 0) headers.Range = `bytes=${position}-`;
      if (etag) headers["If-Match"] = etag;
      const response = await client.send({
        ...request,
        headers,
        accept: [412, 416],
      });
      if (response.status === 412) {
        await response.body?.cancel();
        throw new BackupError(
          `Cannot read ${request.where}: the object changed while it was read`,
          { code: "IO", file: path, detail: "changed" },
        );
      }
      if (response.status === 416) {
        await response.body?.cancel();
        end = position;
        return new ReadableStream<Uint8Array>({ start: (c) => c.close() })
          .getReader();
      }
      etag ??= response.headers.get("ETag") ?? undefined;
      const length = Number(response.headers.get("Content-Length"));
      if (Number.isSafeInteger(length)) end = position + length;
      return response.body!.getReader();
    };
    let reader = await get();
    let failures = 0;
    return new ReadableStream<Uint8Array>({
      pull: async (controller) => {
        for (;;) {
          let problem: unknown;
          try {
            const read = await reader.read();
            if (!read.done) {
              position += read.value.length;
              failures = 0;
              controller.enqueue(read.value);
              return;
            }
            if (end === undefined || position >= end) {
              controller.close();
              return;
            }
            problem = new Error(
              `the connection ended ${end - position} bytes early`,
            );
          } catch (error) {
            problem = error;
          }
          if (failures >= client.retries) {
            controller.error(client.networkError(request, problem));
            return;
          }
          await client.backoff(failures++);
          try {
            reader = await get();
          } catch (error) {
            controller.error(error);
            return;
          }
        }
      },
      cancel: async () => {
        await reader.cancel().catch(() => {});
      },
    }, { highWaterMark: 0 });
  }

  /**
   * A stream that uploads an object: a single PUT if it ends within one part, a multipart
   * upload otherwise, completed on close and aborted on error or abort.
   */
  // deno-lint-ignore require-await
  async writable(path: string): Promise<WritableStream<Uint8Array>> {
    const base = this.#request("PUT", path, "write");
    const client = this.#client;
    const partSize = this.#partSize;
    const queueSize = this.#queueSize;
    let chunks: Uint8Array[] = [];
    let buffered = 0;
    let uploadId: string | undefined;
    let creating: Promise<string> | undefined;
    const parts: Part[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    let number = 0;

    const take = (size: number): Uint8Array => {
      const part = new Uint8Array(size);
      let filled = 0;
      while (filled < size) {
        const chunk = chunks[0]!;
        const need = size - filled;
        if (chunk.length <= need) {
          part.set(chunk, filled);
          filled += chunk.length;
          chunks.shift();
        } else {
          part.set(chunk.subarray(0, need), filled);
          chunks[0] = chunk.subarray(need);
          filled += need;
        }
      }
      buffered -= size;
      return part;
    };
    const sizeOf = (n: number): number =>
      partSize * 2 ** Math.floor((n - 1) / 1000);
    const create = (): Promise<string> => {
      creating ??= (async () => {
        const response = await client.send({
          ...base,
          method: "POST",
          query: { uploads: "" },
        });
        const id = xmlValue(await response.text(), "UploadId");
        if (!id) {
          throw new BackupError(
            `Cannot write ${base.where}: the server started no multipart upload`,
            { code: "IO", file: path, detail: "no upload id" },
          );
        }
        uploadId = id;
        return id;
      })();
      return creating;
    };
    const upload = (bytes: Uint8Array, n: number): void => {
      const task = (async () => {
        const id = await create();
        const response = await client.send({
          ...base,
          query: { partNumber: String(n), uploadId: id },
          headers: await digests(bytes),
          body: bytes,
        });
        await response.body?.cancel();
        const etag = response.headers.get("ETag");
        if (!etag) {
          throw new BackupError(
            `Cannot write ${base.where}: part ${n} has no ETag`,
            { code: "IO", file: path, detail: "no etag" },
          );
        }
        parts.push({ number: n, etag });
      })().catch((error) => {
        failure ??= error;
      }).finally(() => inFlight.delete(task));
      inFlight.add(task);
    };
    const abortUpload = async (): Promise<void> => {
      await Promise.allSettled([...inFlight]);
      const id = uploadId ??
        (creating ? await creating.catch(() => undefined) : undefined);
      if (!id) return;
      await client.send({
        ...base,
        method: "DELETE",
        query: { uploadId: id },
        accept: [404],
      }).then((r) => r.body?.cancel()).catch(() => {});
    };
    const fail = async (error: unknown): Promise<never> => {
      chunks = [];
      await abortUpload();
      throw error;
    };

    return new WritableStream<Uint8Array>({
      write: async (chunk) => {
        if (failure) await fail(failure);
        chunks.push(chunk.slice());
        buffered += chunk.length;
        while (buffered >= sizeOf(number + 1) && buffered > 0) {
          while (inFlight.size >= queueSize) await Promise.race(inFlight);
          if (failure) await fail(failure);
          number++;
          upload(take(sizeOf(number)), number);
        }
      },
      close: async () => {
        try {
          if (number === 0) {
            const bytes = take(buffered);
            const response = await client.send({
              ...base,
              headers: await digests(bytes),
              body: bytes,
            });
            await response.body?.cancel();
            return;
          }
          if (buffered > 0) {
            number++;
            upload(take(buffered), number);
          }
          while (inFlight.size > 0) await Promise.race(inFlight);
          if (failure) throw failure;
          parts.sort((a, b) => a.number - b.number);
          const xml = `<CompleteMultipartUpload>${
            parts.map((p) =>
              `<Part><PartNumber>${p.number}</PartNumber><ETag>${
                escapeXml(p.etag)
              }</ETag></Part>`
            ).join("")
          }</CompleteMultipartUpload>`;
          const body = new TextEncoder().encode(xml);
          const response = await client.send({
            ...base,
            method: "POST",
            query: { uploadId: uploadId! },
            headers: { "Content-Type": "application/xml" },
            body,
          });
          // S3 can answer 200 and still fail, with an <Error> in the body.
          const text = await response.text();
          if (/<Error>/.test(text)) {
            throw client.error(
              base,
              response.status,
              xmlValue(text, "Code"),
              xmlValue(text, "Message"),
            );
          }
        } catch (error) {
          await fail(error);
        }
      },
      abort: async () => {
        failure ??= new Error("aborted");
        chunks = [];
        await abortUpload();
      },
    });
  }

  /** Uploads a small object in one PUT (S3 makes it appear whole or not at all). */
  async put(path: string, bytes: Uint8Array): Promise<void> {
    const request = this.#request("PUT", path, "write");
    const body = bytes.slice();
    const response = await this.#client.send({
      ...request,
      headers: await digests(body),
      body,
    });
    await response.body?.cancel();
  }

  /** Deletes an object (no error if there is none). */
  async remove(path: string): Promise<void> {
    const response = await this.#client.send({
      ...this.#request("DELETE", path, "remove"),
      accept: [404],
    });
    await response.body?.cancel();
  }

  /** Nothing to finish: every object is complete once its write returned. */
  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Same as {@linkcode S3Location.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  #request(method: S3Request["method"], path: string, verb: string): S3Request {
    checkPath(path);
    return {
      method,
      key: this.prefix ? `${this.prefix}/${path}` : path,
      verb,
      where: this.describe(path),
      file: path,
    };
  }
}

/** `Content-MD5` and the signed `X-Amz-Content-Sha256` of a body, which S3 both checks. */
async function digests(bytes: Uint8Array): Promise<Record<string, string>> {
  const sha256 = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return {
    "Content-MD5": createHash("md5").update(bytes).digest("base64"),
    "X-Amz-Content-Sha256": Array.from(
      sha256,
      (b) => b.toString(16).padStart(2, "0"),
    ).join(""),
  };
}

function escapeXml(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;")
    .replace(/"/g, "&quot;");
}
