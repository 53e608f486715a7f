import { findCorpora } from './corpora-path.js';

/** Stops the corpus suite before it starts when the corpora are missing (one clear message, not a test per file). */
export default function setup(): void {
  findCorpora();
}
