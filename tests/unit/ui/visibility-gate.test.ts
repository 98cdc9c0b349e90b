/**
 * The charts' visibility gate: redraws go through at once in front, wait while the page is
 * hidden (however many are asked for) and come as one when it is shown again. The page is a
 * plain EventTarget whose visibility the test sets.
 */
import { describe, expect, test } from 'vitest';
import { createVisibilityGate, type PageVisibility } from '../../../src/ui/charts/visibility-gate';

class FakePage extends EventTarget implements PageVisibility {
  visibilityState: DocumentVisibilityState = 'visible';
  listenerCount = 0;

  /** Sets the visibility and fires `visibilitychange`, as a browser does on a tab switch. */
  show(state: DocumentVisibilityState): void {
    this.visibilityState = state;
    this.dispatchEvent(new Event('visibilitychange'));
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    this.listenerCount++;
    super.addEventListener(type, listener);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject): void {
    this.listenerCount--;
    super.removeEventListener(type, listener);
  }
}

function setup() {
  const page = new FakePage();
  let draws = 0;
  const gate = createVisibilityGate(() => draws++, page);
  return { page, gate, draws: () => draws };
}

describe('createVisibilityGate', () => {
  test('in front, every request draws at once', () => {
    const { gate, draws } = setup();
    gate.request();
    gate.request();
    expect(draws()).toBe(2);
  });

  test('hidden, requests wait and come as one draw when the page is shown', () => {
    const { page, gate, draws } = setup();
    page.show('hidden');
    gate.request();
    gate.request();
    gate.request();
    expect(draws()).toBe(0);
    page.show('visible');
    expect(draws()).toBe(1);
    gate.request();
    expect(draws()).toBe(2);
  });

  test('a page shown with nothing asked for draws nothing', () => {
    const { page, gate, draws } = setup();
    page.show('hidden');
    page.show('visible');
    expect(draws()).toBe(0);
    // What was held is drawn once only: a second return draws nothing more.
    page.show('hidden');
    gate.request();
    page.show('visible');
    page.show('hidden');
    page.show('visible');
    expect(draws()).toBe(1);
  });

  test('after dispose a held request is forgotten and the page is no longer watched', () => {
    const { page, gate, draws } = setup();
    expect(page.listenerCount).toBe(1);
    page.show('hidden');
    gate.request();
    gate.dispose();
    expect(page.listenerCount).toBe(0);
    page.show('visible');
    expect(draws()).toBe(0);
  });
});
