import { startSandbox, type Sandbox, type SandboxOptions } from '../../src/sandbox/index.js';

/** Credentials that talk to `sandbox`, as a user would set them. */
export function sandboxEnv(sandbox: Sandbox, token = 'sandbox-token'): Record<string, string> {
  return { REAMAZE_BASE_URL: sandbox.url, REAMAZE_EMAIL: 'importer@example.com', REAMAZE_API_TOKEN: token };
}

/** A sandbox for one test; remember to close it. */
export function sandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  return startSandbox(options);
}
