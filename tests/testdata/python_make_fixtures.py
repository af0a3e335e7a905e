"""Writes the fixtures tests/testdata/python_backup_gz/ and python_backup_plain/ with the real
Python neo4j-backup 1.0.0 (run with the virtual environment of dev/python_tool.ts):

    <cache>/python-venv/bin/python tests/testdata/python_make_fixtures.py <uri> <user> <password>

It EMPTIES the database at <uri>, creates a small graph of every type the Python format holds,
and extracts it twice: with the tool's defaults (gzip, no indent) and as plain JSON indented by
4, cut into files of one record each.
"""
import os
import shutil
import sys
import warnings

from neo4j import GraphDatabase
from neo4j_backup import Extractor

GRAPH = """
CREATE (a:Person:Actor {
  name: 'Tom H\u00e9nks', born: 1956, big: 9007199254740993, f: 1.0, nan: 0.0 / 0.0,
  inf: 1.0 / 0.0, ninf: -1.0 / 0.0, yes: true,
  p: point({x: 1.5, y: -2.0}), p3: point({x: 1, y: 2, z: 3}),
  geo: point({longitude: 12.5, latitude: 56.25}),
  geo3: point({longitude: 12, latitude: 56, height: 100.5}),
  d: date('1999-01-31'), t: time('21:40:32.142+01:00'), tNeg: time('21:40:32-03:30'),
  lt: localtime('12:50:35.556000001'), dt: datetime('2015-06-24T12:50:35.556+01:00'),
  dtZone: datetime('2015-06-24T12:50:35[America/St_Johns]'),
  ldt: localdatetime('2015-07-04T19:32:24'),
  du: duration({months: -14, days: 3, seconds: -3661, nanoseconds: 5}),
  hashed: '$date(\\'2020-01-01\\')', plain: 'time(x)', bytes: $bytes,
  ints: [1, 2], floats: [1.0, 0.0 / 0.0], dates: [date('2020-01-01')],
  strings: ['a', '$date(x)']
})
CREATE (m:Movie {title: 'The Matrix', a: 1, b: 'x'})
CREATE (c:`Tag:Name` {id: 1})
CREATE (u {note: 'unlabelled'})
CREATE (a)-[:ACTED_IN {role: 'Neo'}]->(m)
CREATE (a)-[:ACTED_IN {role: 'Neo'}]->(m)
CREATE (a)-[:`REL TYPE` {t: '$time(x)', at: time('10:00-00:30')}]->(c)
CREATE (m)-[:SEQUEL_OF]->(m)
"""


def main() -> None:
    uri, user, password = sys.argv[1:4]
    warnings.simplefilter("ignore", DeprecationWarning)
    here = os.path.dirname(os.path.abspath(__file__))
    driver = GraphDatabase.driver(uri, auth=(user, password))
    with driver.session() as session:
        session.run("MATCH (n) DETACH DELETE n").consume()
        for record in session.run("SHOW CONSTRAINTS YIELD name"):
            name = record["name"].replace("`", "``")
            session.run(f"DROP CONSTRAINT `{name}`").consume()
        session.run(GRAPH, bytes=bytearray(b"\x01\xff")).consume()
        session.run("CREATE CONSTRAINT person_name FOR (p:Person) REQUIRE p.name IS UNIQUE").consume()
        session.run("CREATE CONSTRAINT movie_a_b FOR (m:Movie) REQUIRE (m.a, m.b) IS UNIQUE").consume()
        session.run("CREATE CONSTRAINT tag_id FOR (t:`Tag:Name`) REQUIRE t.id IS UNIQUE").consume()
    for name, compress, indent, size in (("python_backup_gz", True, 0, 0xFFFF),
                                         ("python_backup_plain", False, 4, 60)):
        project_dir = os.path.join(here, name)
        shutil.rmtree(project_dir, ignore_errors=True)
        Extractor(project_dir=project_dir, driver=driver, database="neo4j", input_yes=True,
                  compress=compress, indent_size=indent, json_file_size=size).extract_data()
    driver.close()


if __name__ == "__main__":
    main()
