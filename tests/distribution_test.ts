import { deepEqual, equal, match, ok } from "node:assert/strict";
import { extname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parse as parseYaml } from "yaml";
import {
  compileArgs,
  INCLUDES,
  PERMISSION_FLAGS,
  TARGETS,
} from "../dev/compile.ts";
import { openDriver, testTarget, wipe } from "./_neo4j.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

async function run(
  args: string[],
  options: { env?: Record<string, string>; cwd?: string } = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args,
    cwd: options.cwd ?? ROOT,
    env: { NO_COLOR: "1", ...options.env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decode = (b: Uint8Array): string => new TextDecoder().decode(b);
  return {
    code: out.code,
    stdout: decode(out.stdout),
    stderr: decode(out.stderr),
  };
}

async function connectionEnv(): Promise<Record<string, string>> {
  const t = await testTarget();
  return {
    NEO4J_URI: t.uri,
    NEO4J_USERNAME: t.username,
    NEO4J_PASSWORD: t.password,
    ...(t.database ? { NEO4J_DATABASE: t.database } : {}),
  };
}

Deno.test("the CLI works with exactly the permissions the compiled executables get", async () => {
  await using driver = await openDriver();
  const { database } = await testTarget();
  await wipe(driver, database);
  await driver.executeQuery(
    "UNWIND range(1, 50) AS i CREATE (:P {i: i, d: date()})-[:R {w: 0.5 * i}]->(:Q)",
    {},
    { database },
  );
  const env = await connectionEnv();
  const flags = ["run", ...PERMISSION_FLAGS, "--no-prompt", "cli.ts"];
  const dir = await Deno.makeTempDir();
  try {
    const version = await run([...flags, "--version"]);
    equal(version.code, 0, version.stderr);
    match(
      version.stdout,
      /^neo4j-backup \S+\ndeno \S+\nneo4j-driver 6\.\S+\n$/,
    );
    const help = await run([...flags, "--help"]);
    equal(help.code, 0, help.stderr);
    match(help.stdout, /neo4j-backup extract <dir>/);
    for (
      const args of [
        ["extract", join(dir, "b"), "-q"],
        ["verify", join(dir, "b"), "-q"],
        ["import", join(dir, "b"), "--clean", "--yes", "-q"],
      ]
    ) {
      const result = await run([...flags, ...args], { env });
      equal(result.code, 0, `${args[0]}: ${result.stderr}`);
      equal(result.stderr, "");
    }
    const { records: [row] } = await driver.executeQuery(
      "MATCH (p:P)-[:R]->(:Q) RETURN count(*) AS n",
      {},
      { database },
    );
    equal(row!.get("n"), 50n);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("deno task compile names every target and fails clearly when the runtime cannot be downloaded", async () => {
  deepEqual([...TARGETS], [
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-apple-darwin",
    "aarch64-apple-darwin",
    "x86_64-pc-windows-msvc",
  ]);
  const args = compileArgs("x86_64-pc-windows-msvc", "dist/x.exe");
  ok(!args.includes("-A") && !args.includes("--allow-all"), args.join(" "));
  ok(INCLUDES.every((path) => args.includes(path)));
  // An unreachable proxy makes the download fail wherever the test runs.
  const dist = await Deno.makeTempDir();
  try {
    const result = await run(
      ["run", "-A", "dev/compile.ts", "--target", "aarch64-apple-darwin"],
      {
        env: {
          HTTPS_PROXY: "http://127.0.0.1:9",
          HTTP_PROXY: "http://127.0.0.1:9",
          NO_PROXY: "",
        },
      },
    );
    equal(result.code, 1, result.stderr);
    match(
      result.stderr,
      /error: cannot build dist\/neo4j-backup-aarch64-apple-darwin: deno compile could not download the Deno runtime for aarch64-apple-darwin from dl\.deno\.land/,
    );
    match(result.stderr, /hint: build where dl\.deno\.land is reachable/);
  } finally {
    await Deno.remove(dist, { recursive: true });
  }
});

Deno.test("deno publish --dry-run is clean", async () => {
  const result = await run(["publish", "--dry-run", "--allow-dirty"]);
  equal(result.code, 0, result.stderr);
  match(result.stderr + result.stdout, /Success Dry run complete/);
  const files = result.stderr + result.stdout;
  ok(
    files.includes("LICENSE") && files.includes("mod.ts") &&
      files.includes("cli.ts"),
  );
  for (const left of ["tests/", "bench/", "dev/", ".github/"]) {
    ok(
      !files.includes(`/work/main/${left}`) &&
        !files.includes(`${ROOT}${left}`),
      left,
    );
  }
});

Deno.test("every export is documented; the only doc-lint findings are neo4j-driver's own types", async () => {
  const result = await run([
    "doc",
    "--lint",
    "mod.ts",
    "cli.ts",
    "lib/codec/mod.ts",
    "lib/format/mod.ts",
  ]);
  const findings = result.stderr.split("\n").filter((line) =>
    line.startsWith("error[")
  );
  const foreign =
    /^error\[private-type-ref\]: public type '.*' references private type '(AuthToken|Config|Driver|Date|DateTime|Duration|LocalDateTime|LocalTime|Point|Time|Vector)'$/;
  deepEqual(findings.filter((line) => !foreign.test(line)), []);
});

Deno.test("the module and the CLI work imported from a URL, with the npm dependency resolved afresh", async () => {
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
  }, async (request) => {
    const path = decodeURIComponent(new URL(request.url).pathname);
    try {
      const body = await Deno.readFile(join(ROOT, path));
      const type = {
        ".ts": "application/typescript",
        ".json": "application/json",
      }[extname(path)] ??
        "text/plain";
      return new Response(body, { headers: { "content-type": type } });
    } catch {
      return new Response("not found", { status: 404 });
    }
  });
  const base = `http://127.0.0.1:${server.addr.port}`;
  // A user's machine: no deno.json, an empty cache.
  const home = await Deno.makeTempDir();
  const env = { DENO_DIR: join(home, "deno-dir"), ...(await connectionEnv()) };
  try {
    const version = await run(["run", "-A", `${base}/cli.ts`, "--version"], {
      env,
      cwd: home,
    });
    equal(version.code, 0, version.stderr);
    match(
      version.stdout,
      /^neo4j-backup \S+\ndeno \S+\nneo4j-driver 6\.\S+\n$/,
    );

    await using driver = await openDriver();
    const { database } = await testTarget();
    await wipe(driver, database);
    await driver.executeQuery(
      "UNWIND range(1, 20) AS i CREATE (:U {i: i})",
      {},
      { database },
    );
    await Deno.writeTextFile(
      join(home, "use.ts"),
      `import neo4j from "npm:neo4j-driver@^6.3.0";
import { Extractor, Importer, VERSION } from "${base}/mod.ts";
const driver = neo4j.driver(Deno.env.get("NEO4J_URI")!, neo4j.auth.basic(Deno.env.get("NEO4J_USERNAME")!, Deno.env.get("NEO4J_PASSWORD")!), { useBigInt: true });
const database = Deno.env.get("NEO4J_DATABASE");
const extracted = await new Extractor({ projectDir: "backup", driver, database }).extractData();
const imported = await new Importer({ projectDir: "backup", driver, database, clean: true, inputYes: true }).importData();
console.log(JSON.stringify({ version: VERSION, extracted: extracted.nodes, imported: imported.nodes }));
await driver.close();
`,
    );
    const use = await run(["run", "-A", "use.ts"], { env, cwd: home });
    equal(use.code, 0, use.stderr);
    const result = JSON.parse(use.stdout.trim());
    deepEqual({ extracted: result.extracted, imported: result.imported }, {
      extracted: 20,
      imported: 20,
    });
    match(result.version, /^\d+\.\d+\.\d+/);
  } finally {
    await server.shutdown();
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("the release workflow is valid YAML that builds, smoke-tests and releases every target", async () => {
  const workflow = parseYaml(
    await Deno.readTextFile(join(ROOT, ".github/workflows/release.yml")),
  ) as {
    on: { push: { tags: string[] } };
    jobs: Record<string, {
      needs?: string[] | string;
      services?: Record<string, { image: string }>;
      strategy?: { matrix: { include: { target: string }[] } };
      steps: { run?: string; uses?: string }[];
    }>;
  };
  deepEqual(workflow.on.push.tags, ["v*"]);
  const { build, smoke, release, jsr } = workflow.jobs;
  deepEqual(build!.strategy!.matrix.include.map((m) => m.target), [...TARGETS]);
  const runs = (job: typeof build): string =>
    job!.steps.map((s) => s.run ?? "").join("\n");
  match(runs(build), /deno task compile --target \$\{\{ matrix\.target \}\}/);
  match(runs(build), /--version/);
  match(runs(build), /--help/);
  match(smoke!.services!.neo4j!.image, /^neo4j:/);
  match(runs(smoke), /extract backup[\s\S]*import backup --clean --yes/);
  ok(
    release!.steps.some((s) =>
      s.uses?.startsWith("softprops/action-gh-release")
    ),
  );
  match(runs(jsr), /deno publish/);
  const ci = parseYaml(
    await Deno.readTextFile(join(ROOT, ".github/workflows/ci.yml")),
  ) as {
    jobs: { test: { steps: { run?: string }[] } };
  };
  ok(ci.jobs.test.steps.some((s) => s.run === "bash .ci/run"));
});
