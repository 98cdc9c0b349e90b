import type { SplitName } from '../../config/dataset';
import type { LoadedSplit, ParserPath } from '../../data/ingest-types';
import { formatCount, formatDuration } from '../format';

const SPLIT_TITLES: Record<SplitName, string> = { train: 'Training set', test: 'Test set' };
const PARSER_NAMES: Record<ParserPath, string> = {
  'fast-csv': 'fast CSV parser',
  papaparse: 'papaparse',
  idx: 'IDX reader',
};

/** One split's line: its image count and where it came from, or that it is not loaded. */
export function SplitSummary({
  split,
  loaded,
  isRestored,
}: {
  split: SplitName;
  loaded?: LoadedSplit;
  isRestored: boolean;
}) {
  if (!loaded) {
    return <p className="split-summary split-summary--empty">{SPLIT_TITLES[split]}: not loaded</p>;
  }
  return (
    <p className="split-summary" data-testid={`${split}-summary`}>
      <strong>
        {SPLIT_TITLES[split]}: {formatCount(loaded.count)} images
      </strong>{' '}
      <span className="muted">
        from {loaded.sourceFiles.join(' + ')} ·{' '}
        {isRestored
          ? `restored from this browser in ${formatDuration(loaded.elapsedMs)}`
          : `${PARSER_NAMES[loaded.parser]} · ${formatDuration(loaded.elapsedMs)}`}
      </span>
    </p>
  );
}
