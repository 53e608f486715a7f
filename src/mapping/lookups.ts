import { compileGetter, isEmpty, toText, type Fields, type Getter } from './fields.js';

/** Where a lookup's records come from once its file is read: the first record with a key. */
export interface LookupSource {
  recordOf(key: string): Fields | undefined;
}

/**
 * The lookups a mapping declares (`lookups`), e.g. users by id, filled with their files when a
 * command opens them (`--lookup users=users.json`). A lookup declared but not given reads as
 * empty: a message whose author cannot be named is sent by the token's staff member.
 */
export class Lookups {
  private readonly sources = new Map<string, LookupSource | undefined>();

  constructor(declared: readonly string[]) {
    for (const name of declared) this.sources.set(name, undefined);
  }

  /** The names the mapping declares. */
  get names(): string[] {
    return [...this.sources.keys()];
  }

  /** Gives a declared lookup its records. */
  attach(name: string, source: LookupSource): void {
    this.sources.set(name, source);
  }

  /**
   * Compiles `{"lookup": "users.email"}`: the value is a key of the lookup `users`, the
   * result that record's `email` (a dotted path); empty when the key is not there.
   */
  compile(spec: string): (value: unknown) => unknown {
    const dot = spec.indexOf('.');
    const name = spec.slice(0, dot);
    const read: Getter = compileGetter(spec.slice(dot + 1));
    // An undeclared name is refused when the mapping is parsed (compile.ts).
    return (value) => {
      if (isEmpty(value)) return value;
      const record = this.sources.get(name)?.recordOf(toText(value));
      return record === undefined ? undefined : read(record);
    };
  }
}
