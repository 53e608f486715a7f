/** Where the CLI writes; `process` in production, string buffers in tests. */
export interface CliStreams {
  stdout: { write(text: string): unknown };
  stderr: { write(text: string): unknown; isTTY?: boolean; columns?: number };
}

/** What a command needs from the outside world; tests pass buffers, `bin.ts` passes the process. */
export interface CliIO extends CliStreams {
  env: Record<string, string | undefined>;
  cwd: string;
  /** Calls `handler` on the first SIGINT/SIGTERM; returns the unsubscribe function. */
  onSignal?: (handler: () => void) => () => void;
}
