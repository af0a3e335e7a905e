/**
 * Waits for a write to (or the close of) a stream that is piped to a file; when it fails, throws
 * why the pipe failed (e.g. the disk is full) rather than the writer's "stream is closed or
 * errored".
 */
export async function pipeError(
  pipe: Promise<void>,
  step: Promise<void>,
): Promise<void> {
  try {
    await step;
  } catch (error) {
    throw await pipe.then(() => error, (cause) => cause);
  }
}
