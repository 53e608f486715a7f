import type { ApiFacts, Ledger } from '../ledger/ledger.js';
import { API_FACTS } from '../ledger/ledger.js';

/** Listings of a thread whose content is known, read at most in one run to learn what the API shows. */
export const MAX_PROBES = 8;

/**
 * What a run knows of the API's thread listings: the facts its ledger learned, and the probes
 * (one listing of a thread whose content is known exactly) that learn the rest. A fact is learned
 * once and kept in the ledger; later runs need no probe.
 */
export class ListingKnowledge {
  private readonly known: ApiFacts;
  private probing = false;
  private probes = 0;

  constructor(private readonly ledger: Ledger) {
    this.known = ledger.apiFacts();
  }

  facts(): ApiFacts {
    return { ...this.known };
  }

  /** Keeps what a listing showed; a fact already known is not changed. */
  learn(facts: ApiFacts): void {
    const fresh: ApiFacts = {};
    for (const name of API_FACTS) {
      if (facts[name] !== undefined && this.known[name] === undefined) fresh[name] = this.known[name] = facts[name];
    }
    if (Object.keys(fresh).length > 0) this.ledger.learnApiFacts(fresh);
  }

  /** Whether a probe may be started now (a fact is missing, none in flight, probes left). */
  wantsProbe(): boolean {
    const missing = this.known.listsOpener === undefined || this.known.echoesOriginIds === undefined;
    return missing && !this.probing && this.probes < MAX_PROBES;
  }

  /**
   * Whether to list a thread holding `added` messages besides the opening one, all known: while a
   * fact that weighing needs is missing that such a listing can show, one probe at a time.
   */
  startProbe(added: number): boolean {
    const wanted = this.known.listsOpener === undefined || (this.known.echoesOriginIds === undefined && added > 0);
    if (!wanted || this.probing || this.probes >= MAX_PROBES) return false;
    this.probing = true;
    this.probes += 1;
    return true;
  }

  endProbe(): void {
    this.probing = false;
  }
}
