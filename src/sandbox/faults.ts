import { hashedRandom, seededRandom } from './random.js';
import { FAULT_KINDS, type FaultKind } from './types.js';

/** A fault chosen for one request, and where it came from. */
export interface ChosenFault {
  kind: FaultKind;
  source: 'scripted' | 'random';
}

/** Scripted faults per key (consumed in order), then seeded random faults. */
export class FaultPlan {
  private queues = new Map<string, FaultKind[]>();
  private attempts = new Map<string, number>();
  private nextUnkeyed: () => number = Math.random;

  /** Starts from fresh copies of the scripted lists and a fresh random sequence. */
  constructor(
    private scripted: Record<string, FaultKind[]>,
    private rates: Partial<Record<FaultKind, number>>,
    private seed: number,
  ) {
    this.restart();
  }

  /** Forgets what was consumed: every scripted list starts again, so do the random draws. */
  restart(): void {
    this.queues = new Map(Object.entries(this.scripted).map(([key, kinds]) => [key, [...kinds]]));
    this.attempts.clear();
    this.nextUnkeyed = seededRandom(this.seed);
  }

  /** Replaces the scripted lists; those already consumed start again. */
  setScripted(scripted: Record<string, FaultKind[]>): void {
    this.scripted = scripted;
    this.queues = new Map(Object.entries(scripted).map(([key, kinds]) => [key, [...kinds]]));
  }

  /** Replaces the random rates, keeping the position in the random sequence. */
  setRates(rates: Partial<Record<FaultKind, number>>): void {
    this.rates = rates;
  }

  /** Changes the seed and restarts the random draws (scripted lists are kept as they are). */
  setSeed(seed: number): void {
    this.seed = seed;
    this.attempts.clear();
    this.nextUnkeyed = seededRandom(seed);
  }

  /** The fault for the next request with this key, or null; `random` allows a random one after the script. */
  take(key: string | null, random: boolean): ChosenFault | null {
    const queue = key === null ? undefined : this.queues.get(key);
    const scripted = queue?.shift();
    if (scripted !== undefined) return { kind: scripted, source: 'scripted' };
    if (!random || !this.hasRates()) return null;
    const kind = this.pick(this.draw(key));
    return kind === null ? null : { kind, source: 'random' };
  }

  private hasRates(): boolean {
    return Object.values(this.rates).some((rate) => (rate ?? 0) > 0);
  }

  // A keyed request draws from (seed, key, attempt number): the same key fails on the same attempt
  // whatever the concurrency. Unkeyed requests fall back to one seeded sequence in arrival order.
  private draw(key: string | null): number {
    if (key === null) return this.nextUnkeyed();
    const attempt = this.attempts.get(key) ?? 0;
    this.attempts.set(key, attempt + 1);
    return hashedRandom(this.seed, key, attempt);
  }

  // One draw, compared with the rates stacked in FAULT_KINDS order: kinds exclude one another.
  private pick(draw: number): FaultKind | null {
    let ceiling = 0;
    for (const kind of FAULT_KINDS) {
      ceiling += this.rates[kind] ?? 0;
      if (draw < ceiling) return kind;
    }
    return null;
  }
}
