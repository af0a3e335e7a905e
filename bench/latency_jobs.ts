/**
 * `deno run -A bench/latency_jobs.ts`: the extract's `--jobs` over a far link. Starts a Neo4j of
 * its own, loads the generated benchmark graph (100k nodes, 200k relationships), puts the
 * suite's TCP proxy in front with 20 ms added each way (as a client far from its Aura instance
 * sees it), and times `neo4j-backup extract -j 1`, `-j 2` and `-j 4` through it, two rounds,
 * each a child process (start included). The figures chose the extract's default jobs for a
 * far server (see `ExtractorOptions.jobs`).
 *
 * @module
 */
// deno-lint-ignore-file no-console
import neo4j from "neo4j-driver";
import { TcpProxy } from "../tests/_proxy.ts";
import { Neo4jServer } from "../dev/neo4j_server.ts";
import { loadGeneratedGraph } from "../dev/generate_graph.ts";
await using server = await Neo4jServer.start();
const { uri, username, password } = server.info;
const driver = neo4j.driver(uri, neo4j.auth.basic(username, password), {
  useBigInt: true,
});
await loadGeneratedGraph(driver, { nodes: 100_000 });
await driver.close();
const proxy = TcpProxy.start(uri);
proxy.delayMs = 20;
for (const round of [1, 2]) {
  for (const jobs of ["1", "2", "4"]) {
    const dir = await Deno.makeTempDir();
    const t = performance.now();
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "cli.ts", "extract", dir, "-q", "--yes", "-j", jobs],
      env: {
        NEO4J_URI: proxy.uri(),
        NEO4J_USERNAME: username,
        NEO4J_PASSWORD: password,
      },
    }).output();
    console.log(
      `round ${round} -j ${jobs}: ${
        ((performance.now() - t) / 1000).toFixed(1)
      } s, ok ${out.success}`,
    );
    await Deno.remove(dir, { recursive: true });
  }
}
await proxy.close();
