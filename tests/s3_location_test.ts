/**
 * S3Location against a real S3-compatible server (moto, started here on loopback), checked with
 * a client written elsewhere (the AWS CLI, when installed), and with faults from the suite's
 * TCP proxy.
 */
import { deepEqual, equal, ok } from "node:assert/strict";
import { join } from "node:path";
import { BackupError } from "../lib/errors.ts";
import {
  S3Location,
  type S3LocationOptions,
} from "../lib/location/s3_location.ts";
import { openLocation } from "../lib/location/open_location.ts";
import { S3Client } from "../lib/location/_s3_client.ts";
import { resolveS3Config } from "../lib/location/_s3_config.ts";
import { S3Server } from "../dev/s3_server.ts";
import { TcpProxy } from "./_proxy.ts";
import { bytesOf, writeChunks } from "./_location.ts";

const PART = 64 * 1024;
const server = await S3Server.start({
  minPartSize: PART,
  // deno-lint-ignore no-console
  onStatus: (line) => console.error(line),
});
const { endpoint, accessKeyId, secretAccessKey } = server.info;
const env = { ...server.env() };
const NO_HOME = "/nonexistent-home";
const hasAws = await new Deno.Command("aws", {
  args: ["--version"],
  stdout: "null",
  stderr: "null",
})
  .output().then((o) => o.success, () => false);

function options(extra: S3LocationOptions = {}): S3LocationOptions {
  return { env, home: NO_HOME, partSize: PART, retryDelayMs: 20, ...extra };
}

async function aws(...args: string[]): Promise<string> {
  const out = await new Deno.Command("aws", {
    args: ["--endpoint-url", endpoint, ...args],
    env: {
      ...env,
      AWS_CONFIG_FILE: "/dev/null",
      AWS_SHARED_CREDENTIALS_FILE: "/dev/null",
    },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout);
  equal(out.success, true, new TextDecoder().decode(out.stderr));
  return text;
}

let buckets = 0;
/** A new bucket for a test. */
async function bucket(): Promise<string> {
  const name = `test-bucket-${++buckets}-${crypto.randomUUID().slice(0, 8)}`;
  await server.createBucket(name);
  return name;
}

async function pendingUploads(name: string): Promise<number> {
  const client = new S3Client(
    await resolveS3Config(`s3://${name}`, { env, home: NO_HOME }),
    name,
  );
  const response = await client.send({
    method: "GET",
    key: "",
    query: { uploads: "" },
    verb: "list",
    where: name,
  });
  return (await response.text()).split("<Upload>").length - 1;
}

const FILES: [string, Uint8Array][] = [
  ["data/nodes_1.json.gz", bytesOf(5 * PART + 1234, 1)], // 6 parts.
  ["data/nodes_2.json.gz", bytesOf(0, 2)],
  ["data/relationships_1.json.gz", bytesOf(777, 3)],
];
const MANIFEST = new TextEncoder().encode('{"format":"neo4j-backup"}');

Deno.test("S3Location round-trips a multipart object of six parts and lists it under its prefix", async () => {
  const name = await bucket();
  const location = await S3Location.open(
    `s3://${name}/backups/monday/`,
    options(),
  );
  equal(location.describe(), `s3://${name}/backups/monday`);
  for (const [path, bytes] of FILES) {
    await writeChunks(location, path, bytes, 10_000);
  }
  await location.put("manifest.json", MANIFEST);
  deepEqual(await Array.fromAsync(location.list()), [
    { path: "data/nodes_1.json.gz", bytes: FILES[0]![1].length },
    { path: "data/nodes_2.json.gz", bytes: 0 },
    { path: "data/relationships_1.json.gz", bytes: 777 },
    { path: "manifest.json", bytes: MANIFEST.length },
  ]);
  deepEqual(
    (await Array.fromAsync(location.list("data/nodes"))).map((e) => e.path),
    ["data/nodes_1.json.gz", "data/nodes_2.json.gz"],
  );
  for (const [path, bytes] of FILES) {
    deepEqual(await new Response(await location.readable(path)).bytes(), bytes);
  }
  deepEqual(
    await new Response(
      await location.readable("data/nodes_1.json.gz", { offset: PART + 5 }),
    ).bytes(),
    FILES[0]![1].subarray(PART + 5),
  );
  const missing = await location.readable("nope.json").catch((e) => e);
  ok(
    missing instanceof BackupError && missing.detail === "not found",
    String(missing),
  );
  equal(
    missing.message,
    `Cannot read s3://${name}/backups/monday/nope.json: no such file`,
  );
  await location.remove("manifest.json");
  await location.remove("manifest.json");
  equal((await Array.fromAsync(location.list("manifest"))).length, 0);
  equal(await pendingUploads(name), 0);
});

Deno.test({
  name:
    "S3Location writes ordinary objects: the AWS CLI lists them and copies them to a directory",
  ignore: !hasAws,
  fn: async () => {
    const name = await bucket();
    const location = await S3Location.open(`s3://${name}/b1`, options());
    for (const [path, bytes] of FILES) {
      await writeChunks(location, path, bytes, 10_000);
    }
    await location.put("manifest.json", MANIFEST);
    const listing = await aws("s3", "ls", "--recursive", `s3://${name}/b1/`);
    for (
      const [path, bytes] of [...FILES, ["manifest.json", MANIFEST] as const]
    ) {
      ok(
        new RegExp(`\\s${bytes.length} b1/${path}$`, "m").test(listing),
        listing,
      );
    }
    const head = JSON.parse(
      await aws(
        "s3api",
        "head-object",
        "--bucket",
        name,
        "--key",
        "b1/data/nodes_1.json.gz",
      ),
    );
    ok(/-6"$/.test(head.ETag), `a 6-part multipart ETag, not ${head.ETag}`);
    const dir = await Deno.makeTempDir();
    try {
      await aws("s3", "cp", "--recursive", "--quiet", `s3://${name}/b1`, dir);
      for (const [path, bytes] of FILES) {
        deepEqual(await Deno.readFile(join(dir, path)), bytes);
      }
      deepEqual(await Deno.readFile(join(dir, "manifest.json")), MANIFEST);
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
    // And the other way: what the AWS CLI wrote, the location reads.
    const other = await Deno.makeTempFile();
    try {
      await Deno.writeFile(other, bytesOf(3 * PART, 9));
      await aws(
        "s3",
        "cp",
        "--quiet",
        other,
        `s3://${name}/b1/data/from_cli.bin`,
      );
      deepEqual(
        await new Response(await location.readable("data/from_cli.bin"))
          .bytes(),
        bytesOf(3 * PART, 9),
      );
    } finally {
      await Deno.remove(other);
    }
  },
});

Deno.test("S3Location.writable() aborts the multipart upload when the stream is aborted, leaving no object", async () => {
  const name = await bucket();
  const location = await S3Location.open(`s3://${name}/b`, options());
  const writer = (await location.writable("data/big.json.gz")).getWriter();
  await writer.write(bytesOf(3 * PART));
  await new Promise((resolve) => setTimeout(resolve, 200)); // Parts are on their way.
  await writer.abort(new Error("the extract failed"));
  deepEqual(await Array.fromAsync(location.list()), []);
  equal(await pendingUploads(name), 0);
});

Deno.test("S3Location with a wrong secret fails with one line that says access denied and holds no secret", async (t) => {
  const name = await bucket();
  const wrong = "WrongSecretValue/1234567890abcdefghijklmnop";
  for (
    const [label, credentials] of [
      ["a wrong secret", { AWS_SECRET_ACCESS_KEY: wrong }],
      ["an unknown key id", { AWS_ACCESS_KEY_ID: "AKIAUNKNOWNKEY000000" }],
    ] as const
  ) {
    await t.step(label, async () => {
      const location = await S3Location.open(`s3://${name}/b`, {
        ...options(),
        env: { ...env, ...credentials },
      });
      for (
        const attempt of [
          () => location.readable("manifest.json"),
          () => location.put("manifest.json", MANIFEST),
          () => Array.fromAsync(location.list()),
          () => writeChunks(location, "data/x", bytesOf(3 * PART), 10_000),
        ]
      ) {
        const error = await attempt().then(() => undefined, (e) => e);
        ok(error instanceof BackupError, String(error));
        equal(error.code, "PERMISSION");
        ok(!error.message.includes("\n"), error.message);
        ok(
          /^Cannot (read|write|list) s3:\/\/test-bucket-[^:]+: access denied \((SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied|403); check AWS_ACCESS_KEY_ID \/ AWS_SECRET_ACCESS_KEY \/ AWS_SESSION_TOKEN\)$/
            .test(error.message),
          error.message,
        );
        const everything = `${error.message} ${error.detail} ${
          String(error.cause)
        } ${JSON.stringify(error)}`;
        for (const secret of [wrong, secretAccessKey]) {
          ok(!everything.includes(secret), "no secret in the error");
        }
      }
    });
  }
});

Deno.test("S3Location on a missing bucket says the bucket does not exist", async () => {
  const location = await S3Location.open(
    "s3://no-such-bucket-here/b",
    options(),
  );
  const error = await location.put("manifest.json", MANIFEST).catch((e) => e);
  ok(error instanceof BackupError, String(error));
  equal(
    error.message,
    "Cannot write s3://no-such-bucket-here/b/manifest.json: the bucket no-such-bucket-here does not exist",
  );
  equal(error.detail, "no such bucket");
});

/** A proxy in front of the S3 server, and a location of bucket `name` that goes through it. */
async function throughProxy(
  name: string,
  extra: S3LocationOptions = {},
): Promise<{ proxy: TcpProxy; location: S3Location }> {
  const proxy = TcpProxy.start({
    hostname: "127.0.0.1",
    port: server.info.port,
  });
  const location = await S3Location.open(`s3://${name}/b`, {
    ...options(extra),
    env: { ...env, AWS_ENDPOINT_URL_S3: proxy.uri("http") },
  });
  return { proxy, location };
}

Deno.test("S3Location.readable() picks up a download cut mid-object with a ranged GET", async () => {
  const name = await bucket();
  const direct = await S3Location.open(`s3://${name}/b`, options());
  const bytes = bytesOf(2 * 1024 * 1024, 5);
  await direct.put("data/nodes_1.json.gz", bytes);
  const { proxy, location } = await throughProxy(name);
  await using _ = proxy;
  const stream = await location.readable("data/nodes_1.json.gz");
  proxy.cutAfter(300_000); // Mid-body.
  const back = await new Response(stream).bytes();
  equal(back.length, bytes.length);
  deepEqual(back, bytes);
  ok(proxy.cuts >= 1, "the connection was cut");
  ok(proxy.accepted >= 2, "and a second one picked up");
});

Deno.test("S3Location.writable() retries a part whose upload was cut, and completes the object", async () => {
  const name = await bucket();
  const { proxy, location } = await throughProxy(name);
  await using _ = proxy;
  const bytes = bytesOf(6 * PART, 6);
  proxy.cutAfter(3 * PART);
  await writeChunks(location, "data/nodes_1.json.gz", bytes, 10_000);
  ok(proxy.cuts >= 1, "the connection was cut");
  deepEqual(
    await new Response(await location.readable("data/nodes_1.json.gz")).bytes(),
    bytes,
  );
  equal(await pendingUploads(name), 0);
});

Deno.test("S3Location.writable() whose server goes away fails in one line, aborts, and leaves no object", async () => {
  const name = await bucket();
  const { proxy, location } = await throughProxy(name, { retries: 2 });
  const writer = (await location.writable("data/nodes_1.json.gz")).getWriter();
  await writer.write(bytesOf(PART));
  proxy.cutAfter(PART / 2, () => proxy.refuse());
  const error = await (async () => {
    await writer.write(bytesOf(4 * PART));
    await writer.close();
  })().then(() => undefined, (e) => e);
  await proxy.close();
  ok(error instanceof BackupError, String(error));
  ok(
    /^Cannot write s3:\/\/test-bucket-\S+\/b\/data\/nodes_1\.json\.gz: cannot reach 127\.0\.0\.1:\d+ \(.+\)$/
      .test(error.message),
    error.message,
  );
  const direct = await S3Location.open(`s3://${name}/b`, options());
  deepEqual(await Array.fromAsync(direct.list()), []);
});

Deno.test("S3Location reads credentials, region and endpoint from AWS_PROFILE and ~/.aws files", async () => {
  const name = await bucket();
  const home = await Deno.makeTempDir();
  try {
    await Deno.mkdir(join(home, ".aws"));
    await Deno.writeTextFile(
      join(home, ".aws", "credentials"),
      `[default]\naws_access_key_id = AKIADEFAULTNOTUSED00\naws_secret_access_key = nope\n\n[backup]\naws_access_key_id = ${accessKeyId}\naws_secret_access_key = ${secretAccessKey}\n`,
    );
    await Deno.writeTextFile(
      join(home, ".aws", "config"),
      `[profile backup]\nregion = us-east-1\nendpoint_url = ${endpoint}\ns3 =\n  addressing_style = path\n`,
    );
    const location = await openLocation(`s3://${name}/p`, {
      mode: "write",
      s3: { home, env: { AWS_PROFILE: "backup" } },
    });
    await location.put("manifest.json", MANIFEST);
    deepEqual(await Array.fromAsync(location.list()), [{
      path: "manifest.json",
      bytes: MANIFEST.length,
    }]);
    const unknown = await openLocation(`s3://${name}/p`, {
      s3: { home, env: { AWS_PROFILE: "nobody" } },
    }).catch((e) => e);
    ok(unknown instanceof BackupError, String(unknown));
    ok(
      unknown.message.includes("the AWS profile nobody is in neither"),
      unknown.message,
    );
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});
