/**
 * Where an S3 location's settings come from, the way the AWS CLI and SDKs find them: the
 * environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION`,
 * `AWS_DEFAULT_REGION`, `AWS_PROFILE`, `AWS_ENDPOINT_URL_S3`, `AWS_ENDPOINT_URL`,
 * `AWS_SHARED_CREDENTIALS_FILE`, `AWS_CONFIG_FILE`), then the profile's sections of
 * `~/.aws/credentials` and `~/.aws/config`.
 *
 * @module
 */
import { join } from "node:path";
import { homedir } from "node:os";
import { BackupError } from "../errors.ts";
import { type IniSections, parseAwsIni } from "./_s3_ini.ts";

/** Credentials to sign requests with. */
export interface S3Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** The settings an S3 location needs. */
export interface S3Config {
  credentials: S3Credentials;
  region: string;
  /** A custom endpoint (`http://127.0.0.1:9000`), or undefined for AWS's. */
  endpoint: string | undefined;
  /** `path`, `virtual` or `auto` (path-style with a custom endpoint, virtual on AWS). */
  addressingStyle: "auto" | "path" | "virtual";
  /** Where the credentials came from, for messages: `AWS_ACCESS_KEY_ID`, `profile dev`. */
  source: string;
}

/** Where {@linkcode resolveS3Config} reads the configuration: the environment, the home folder. */
export interface S3ConfigSources {
  /**
   * The environment variables (`AWS_*`) to read.
   * @default {Deno.env.toObject()}
   */
  env?: Record<string, string>;
  /**
   * The home folder, whose `.aws/credentials` and `.aws/config` are read.
   * @default {os.homedir()}
   */
  home?: string;
}

const UNSUPPORTED = [
  "role_arn",
  "credential_process",
  "sso_session",
  "sso_start_url",
  "web_identity_token_file",
];

/**
 * Resolves credentials, region, endpoint and addressing style; a profile that is named but not
 * found, or that has no keys, is an error that says so (without any secret).
 *
 * @example
 * ```ts
 * import { resolveS3Config } from "./_s3_config.ts";
 * const config = await resolveS3Config("s3://bucket", {
 *   env: { AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "secret", AWS_REGION: "eu-west-1" },
 *   home: "/nonexistent",
 * });
 * console.assert(config.region === "eu-west-1");
 * ```
 */
export async function resolveS3Config(
  where: string,
  sources: S3ConfigSources = {},
): Promise<S3Config> {
  const env = sources.env ?? Deno.env.toObject();
  const home = sources.home ?? homedir();
  const profile = env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE || "default";
  const named = Boolean(env.AWS_PROFILE || env.AWS_DEFAULT_PROFILE);
  const credentialsFile = env.AWS_SHARED_CREDENTIALS_FILE ||
    join(home, ".aws", "credentials");
  const configFile = env.AWS_CONFIG_FILE || join(home, ".aws", "config");
  const [credentialsIni, configIni] = await Promise.all([
    readIni(credentialsFile, where),
    readIni(configFile, where),
  ]);
  const fromCredentials = credentialsIni?.get(profile);
  const fromConfig = configIni?.get(
    profile === "default" ? "default" : `profile ${profile}`,
  ) ?? (profile === "default" ? undefined : configIni?.get(profile));
  const setting = (key: string): string | undefined =>
    fromCredentials?.get(key) || fromConfig?.get(key) || undefined;

  let credentials: S3Credentials | undefined;
  let source = "";
  if (env.AWS_ACCESS_KEY_ID && env.AWS_SECRET_ACCESS_KEY) {
    credentials = {
      accessKeyId: env.AWS_ACCESS_KEY_ID,
      secretAccessKey: env.AWS_SECRET_ACCESS_KEY,
      sessionToken: env.AWS_SESSION_TOKEN || undefined,
    };
    source = "AWS_ACCESS_KEY_ID";
  } else {
    if (named && !fromCredentials && !fromConfig) {
      throw new BackupError(
        `Cannot open ${where}: the AWS profile ${profile} is in neither ${credentialsFile} nor ${configFile}`,
        { code: "PERMISSION", detail: "no such profile" },
      );
    }
    const id = setting("aws_access_key_id");
    const secret = setting("aws_secret_access_key");
    if (id && secret) {
      credentials = {
        accessKeyId: id,
        secretAccessKey: secret,
        sessionToken: setting("aws_session_token"),
      };
      source = `profile ${profile}`;
    } else {
      const other = UNSUPPORTED.find((key) => setting(key) !== undefined);
      throw new BackupError(
        other
          ? `Cannot open ${where}: the AWS profile ${profile} uses ${other}, which is not supported (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, e.g. from aws configure export-credentials)`
          : `Cannot open ${where}: no AWS credentials (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE with ${credentialsFile})`,
        { code: "PERMISSION", detail: "no credentials" },
      );
    }
  }
  const region = env.AWS_REGION || env.AWS_DEFAULT_REGION ||
    setting("region") || "us-east-1";
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL ||
    fromConfig?.get("s3.endpoint_url") || fromConfig?.get("endpoint_url") ||
    undefined;
  if (endpoint !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(endpoint);
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) {
      throw new TypeError(
        `The S3 endpoint must be an http or https URL, not ${
          JSON.stringify(endpoint)
        }`,
      );
    }
  }
  const style = fromConfig?.get("s3.addressing_style") ?? "auto";
  return {
    credentials,
    region,
    endpoint: endpoint?.replace(/\/+$/, ""),
    addressingStyle: style === "path" || style === "virtual" ? style : "auto",
    source,
  };
}

async function readIni(
  path: string,
  where: string,
): Promise<IniSections | undefined> {
  try {
    return parseAwsIni(await Deno.readTextFile(path));
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return undefined;
    throw new BackupError(
      `Cannot open ${where}: cannot read ${path} (${
        error instanceof Error ? error.message : String(error)
      })`,
      { code: "IO", detail: "unreadable AWS config", cause: error },
    );
  }
}
