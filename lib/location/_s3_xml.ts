/**
 * The few fields read from S3's XML answers (ListObjectsV2, CreateMultipartUpload,
 * CompleteMultipartUpload, errors): their shapes are fixed and flat, so a tag search with
 * entity decoding is enough.
 *
 * @module
 */

const ENTITIES: Record<string, string> = {
  amp: "&",
  lt: "<",
  gt: ">",
  quot: '"',
  apos: "'",
};

/**
 * XML text with its entities and character references decoded.
 *
 * @example
 * ```ts
 * import { decodeXml } from "./_s3_xml.ts";
 * console.assert(decodeXml("a&amp;b&#47;") === "a&b/");
 * ```
 */
export function decodeXml(text: string): string {
  return text.replace(
    /&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi,
    (whole, name: string) => {
      if (name[0] === "#") {
        const code = name[1] === "x" || name[1] === "X"
          ? parseInt(name.slice(2), 16)
          : parseInt(name.slice(1), 10);
        return Number.isFinite(code) ? String.fromCodePoint(code) : whole;
      }
      return ENTITIES[name] ?? whole;
    },
  );
}

/**
 * The decoded text of every `<tag>` element of `xml`, in order.
 *
 * @example
 * ```ts
 * import { xmlValues } from "./_s3_xml.ts";
 * console.assert(xmlValues("<a><Key>x</Key><Key>y</Key></a>", "Key").join() === "x,y");
 * ```
 */
export function xmlValues(xml: string, tag: string): string[] {
  return rawValues(xml, tag).map(decodeXml);
}

function rawValues(xml: string, tag: string): string[] {
  const pattern = new RegExp(`<${tag}(?:\\s[^>]*)?>([\\s\\S]*?)</${tag}>`, "g");
  return [...xml.matchAll(pattern)].map((match) => match[1]!);
}

/**
 * The decoded text of the first `<tag>` element, or undefined.
 *
 * @example
 * ```ts
 * import { xmlValue } from "./_s3_xml.ts";
 * console.assert(xmlValue("<Error><Code>NoSuchKey</Code></Error>", "Code") === "NoSuchKey");
 * ```
 */
export function xmlValue(xml: string, tag: string): string | undefined {
  return xmlValues(xml, tag)[0];
}

/**
 * The `<Contents>` blocks of a ListObjectsV2 answer, each as its key and size.
 *
 * @example
 * ```ts
 * import { listedObjects } from "./_s3_xml.ts";
 * const [object] = listedObjects("<Contents><Key>a</Key><Size>3</Size></Contents>");
 * console.assert(object?.key === "a" && object.size === 3);
 * ```
 */
export function listedObjects(xml: string): { key: string; size: number }[] {
  return rawValues(xml, "Contents").map((block) => ({
    key: xmlValue(block, "Key") ?? "",
    size: Number(xmlValue(block, "Size") ?? 0),
  }));
}
