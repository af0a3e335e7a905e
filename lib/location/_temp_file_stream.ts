/** What {@linkcode tempFileStream} does with its file. */
export interface TempFileStreamOptions {
  /** Flush the file to disk before `finish`. */
  sync: boolean;
  /** Called once the file is written and closed, with its size; its failure fails the stream. */
  finish: (bytes: number) => Promise<void>;
  /** Removes the file after `finish` too (a spool), not only on failure. */
  removeAfter: boolean;
  /** The error to throw for a failed write or finish. */
  fail: (error: unknown) => Error;
}

/**
 * A stream that writes the new file `temp`, then hands it to `finish` (rename it into place,
 * append it to an archive). A failed write, a failed finish or an abort removes the file, so
 * that nothing half-written is left.
 */
export async function tempFileStream(
  temp: string,
  options: TempFileStreamOptions,
): Promise<WritableStream<Uint8Array>> {
  let file: Deno.FsFile;
  try {
    file = await Deno.open(temp, { write: true, createNew: true });
  } catch (error) {
    throw options.fail(error);
  }
  const writer = file.writable.getWriter();
  let bytes = 0;
  let open = true;
  const discard = async (): Promise<void> => {
    if (open) {
      open = false;
      await writer.abort().catch(() => {});
    }
    await Deno.remove(temp).catch(() => {});
  };
  return new WritableStream<Uint8Array>({
    write: async (chunk) => {
      try {
        await writer.write(chunk);
        bytes += chunk.length;
      } catch (error) {
        await discard();
        throw options.fail(error);
      }
    },
    close: async () => {
      try {
        if (options.sync) await file.sync();
        open = false;
        await writer.close();
        await options.finish(bytes);
      } catch (error) {
        await discard();
        throw options.fail(error);
      }
      if (options.removeAfter) await discard();
    },
    abort: async () => {
      await discard();
    },
  });
}
