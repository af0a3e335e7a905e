"""Runs neo4j-backup 1.0.0 (the Python tool) once, for bench/bench.ts.

Usage: python python_tool.py extract|import DIR

The server comes from NEO4J_URI, NEO4J_USERNAME, NEO4J_PASSWORD and NEO4J_DATABASE (default
"neo4j"). The tool runs with its documented defaults (gzip on, indent 0, json_file_size 0xFFFF,
uniqueness constraints pulled) and input_yes=True so that it never waits for an answer. Its
last line is `BENCH-RESULT {"seconds": <time of extract_data() or import_data()>,
"maxRssBytes": <peak RSS of this process>}`.
"""

import json
import os
import resource
import sys
import time
import warnings

os.environ.setdefault("TQDM_DISABLE", "1")
warnings.simplefilter("ignore")

from neo4j import GraphDatabase  # noqa: E402
from neo4j_backup import Extractor, Importer  # noqa: E402


def main() -> None:
    if len(sys.argv) != 3 or sys.argv[1] not in ("extract", "import"):
        sys.exit("usage: python_tool.py extract|import DIR")
    command, directory = sys.argv[1], sys.argv[2]
    uri = os.environ["NEO4J_URI"]
    auth = (os.environ.get("NEO4J_USERNAME", "neo4j"), os.environ["NEO4J_PASSWORD"])
    database = os.environ.get("NEO4J_DATABASE") or "neo4j"
    driver = GraphDatabase.driver(uri, auth=auth)
    try:
        started = time.perf_counter()
        if command == "extract":
            Extractor(
                project_dir=directory,
                driver=driver,
                database=database,
                input_yes=True,
                compress=True,
                indent_size=0,
                json_file_size=int("0xFFFF", 16),
                pull_uniqueness_constraints=True,
            ).extract_data()
        else:
            Importer(
                project_dir=directory, driver=driver, database=database, input_yes=True
            ).import_data()
        seconds = time.perf_counter() - started
    finally:
        driver.close()
    # ru_maxrss is in KiB on Linux.
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print("BENCH-RESULT " + json.dumps({"seconds": seconds, "maxRssBytes": rss}), flush=True)


if __name__ == "__main__":
    main()
