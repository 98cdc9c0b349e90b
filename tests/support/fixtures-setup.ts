/** Vitest global setup: make the small and subset CSV fixtures once, before any test runs. */
import { csvFixture } from './fixtures';

export default function setup(): void {
  csvFixture('small');
  csvFixture('subset');
}
