/**
 * The AWS shared files' dialect of INI (`~/.aws/credentials`, `~/.aws/config`): `[section]`
 * lines, `key = value` lines, `#` and `;` comments, and nested settings (`s3 =` followed by
 * indented `key = value` lines, kept as `s3.key`).
 *
 * @module
 */

/** The sections of a file, by name, each a map of its settings. */
export type IniSections = Map<string, Map<string, string>>;

/**
 * Parses the text of an AWS shared credentials or config file.
 *
 * @example
 * ```ts
 * import { parseAwsIni } from "./_s3_ini.ts";
 * const ini = parseAwsIni("[profile dev]\nregion = eu-west-1\ns3 =\n  addressing_style = path\n");
 * console.assert(ini.get("profile dev")?.get("s3.addressing_style") === "path");
 * ```
 */
export function parseAwsIni(text: string): IniSections {
  const sections: IniSections = new Map();
  let section: Map<string, string> | undefined;
  let parent: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+[#;].*$/, "");
    const trimmed = line.trim();
    if (trimmed === "" || trimmed.startsWith("#") || trimmed.startsWith(";")) {
      continue;
    }
    const header = /^\[\s*([^\]]+?)\s*\]$/.exec(trimmed);
    if (header) {
      const name = header[1]!.replace(/\s+/g, " ");
      section = sections.get(name) ?? new Map();
      sections.set(name, section);
      parent = undefined;
      continue;
    }
    const setting = /^([^=]+?)\s*=\s*(.*)$/.exec(trimmed);
    if (!setting || !section) continue;
    const [, key, value] = setting as unknown as [string, string, string];
    const nested = /^\s/.test(line) && parent !== undefined;
    if (nested) {
      section.set(`${parent}.${key}`, value);
    } else {
      section.set(key, value);
      parent = value === "" ? key : undefined;
    }
  }
  return sections;
}
