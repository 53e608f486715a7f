// The local Re:amaze-compatible server: rehearsals, `npm run demo`, and the exactly-once tests.
export { startSandbox } from './server.js';
export { formatSandboxBanner } from './banner.js';
export { SANDBOX_DEFAULTS } from './options.js';
export { FAULT_KINDS } from './types.js';
export type {
  DataValue,
  FaultEvent,
  FaultKind,
  HeldConversation,
  HeldMessage,
  HeldSenders,
  HeldStaff,
  HeldUser,
  NormalizedSandboxOptions,
  Sandbox,
  SandboxCredential,
  SandboxOptions,
  SandboxStats,
  StaffSpec,
} from './types.js';
