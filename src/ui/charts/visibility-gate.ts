/**
 * Holds a chart's redraws while the page is hidden (a background tab) and asks for one when it
 * is shown again. Nobody sees a hidden canvas, and the hidden page's redraws cost Chromium more
 * main-thread time than visible ones (BENCHMARKS.md, "A background tab"): time the training
 * worker's threads can use. The state behind the charts keeps up all the while, so the one
 * redraw on return shows everything.
 */

/** What the gate reads of `document`; a test hands in its own. */
export interface PageVisibility {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener: (type: 'visibilitychange', listener: () => void) => void;
  removeEventListener: (type: 'visibilitychange', listener: () => void) => void;
}

export interface VisibilityGate {
  /** Calls `draw` now if the page is visible, else once when it is shown again. */
  request: () => void;
  /** Forgets a held request and stops listening (the chart went away). */
  dispose: () => void;
}

export function createVisibilityGate(
  draw: () => void,
  page: PageVisibility = document,
): VisibilityGate {
  let isHeld = false;
  const onVisibilityChange = () => {
    if (page.visibilityState !== 'visible' || !isHeld) return;
    isHeld = false;
    draw();
  };
  page.addEventListener('visibilitychange', onVisibilityChange);
  return {
    request() {
      if (page.visibilityState === 'visible') draw();
      else isHeld = true;
    },
    dispose() {
      isHeld = false;
      page.removeEventListener('visibilitychange', onVisibilityChange);
    },
  };
}
