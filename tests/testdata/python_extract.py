"""Extracts a database with the Python package neo4j-backup 1.0.0 (its Extractor, as its README
shows), for tests/python_compat_test.ts.

Usage: python python_extract.py <uri> <user> <password> <database> <project_dir>
                                <compress: 0|1> <indent_size> <json_file_size>

Prints the versions in use as JSON on stdout; progress bars go to stderr.
"""
import json
import sys
import warnings
from importlib.metadata import version

from neo4j import GraphDatabase
from neo4j_backup import Extractor


def main() -> None:
    uri, user, password, database, project_dir, compress, indent, size = sys.argv[1:9]
    # neo4j-backup reads Node.id, which the 5.x driver reports as deprecated.
    warnings.simplefilter("ignore", DeprecationWarning)
    driver = GraphDatabase.driver(uri, auth=(user, password))
    try:
        Extractor(
            project_dir=project_dir,
            driver=driver,
            database=database,
            input_yes=True,
            compress=compress == "1",
            indent_size=int(indent),
            pull_uniqueness_constraints=True,
            json_file_size=int(size),
        ).extract_data()
    finally:
        driver.close()
    print(json.dumps({name: version(name) for name in ("neo4j-backup", "neo4j", "tqdm", "pytz")}))


if __name__ == "__main__":
    main()
