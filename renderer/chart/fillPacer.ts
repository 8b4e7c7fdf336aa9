/**
 * How many elements a huge chart's window change may add or remove in the next frame
 * (elementDiff.ts `sliceWindowPatch`). The adapter styles and measures a slice's elements, and
 * prepares their first draw, in the frame that adds them, and tells the pacer how long that took;
 * the pacer scales the next slice towards `targetMs` of that work. One fixed size could not fit both ends: the
 * first window of a session runs Cytoscape's style code cold (~1 ms an element: 200 nodes with
 * their edges made a 350-630 ms frame at load 8), while warm it takes a tenth of that, and a fixed
 * small slice would then take seconds to fill a window of 9,000 elements.
 *
 * It starts small, at most doubles after a quick frame, and shrinks in proportion after a slow
 * one (never below `min`, so a window always fills).
 */
export interface FillPacerOptions {
  /** Frame length the slices aim at, in ms. */
  readonly targetMs: number;
  readonly initial: number;
  readonly min: number;
  readonly max: number;
}

export const DEFAULT_FILL_PACING: FillPacerOptions = {
  // The slice's own time (styling, bounds, the draw's preparation), not its frame's: a window
  // change outside the overview is drawn after every slice whatever its size.
  targetMs: 25,
  // Small: the first window of a session styles and measures labels cold (a slice of 120 made a
  // 1.5 s frame at 10k, load 8; the first 30 nodes still took 50-69 ms at 50k, load 3, round 9);
  // doubling from 10 reaches 640 elements a frame in 6 frames.
  initial: 10,
  min: 20,
  // Doubling reached ~2,400 elements once warm, and that slice was a 333 ms frame at 50k (styling
  // 143 ms and a 101 ms garbage collection, profiler on, load 9: bench/profiles/chart.md §9,
  // round 8): the cost of a slice grows faster than its size. 800 is ~50 ms warm at that load.
  max: 800,
};

export class FillPacer {
  private size: number;

  constructor(private readonly options: FillPacerOptions = DEFAULT_FILL_PACING) {
    this.size = options.initial;
  }

  /** Elements the next slice may move. */
  get budget(): number {
    return Math.round(this.size);
  }

  /**
   * A slice of `moved` elements (weighted: sliceWeight in the adapter) took `frameMs`: the next
   * slice grows
   * (at most doubling) when that frame was quicker than the target, and shrinks in proportion
   * when it was slower, from what it moved. A slice well under the budget (the end of a change)
   * says nothing about a larger one, so it only ever shrinks it.
   */
  observe(frameMs: number, moved: number): void {
    const { targetMs, min, max } = this.options;
    if (!(frameMs > 0) || moved <= 0) return;
    const scale = Math.min(2, targetMs / frameMs);
    if (scale < 1) this.size = Math.max(min, Math.min(this.size, moved * scale));
    else if (moved >= this.size * 0.9) this.size = Math.min(max, this.size * scale);
  }
}
