import { formatBytes } from '../format';
import { StatusLine } from '../feedback/messages';
import type { StorageEstimateView } from './storage-estimate';

/**
 * "Browser storage: 61.2 MB used of 9.80 GB this site may use · 9.74 GB left · kept until you
 * clear it." What is left is the quota less the usage (never below 0): the room a save or the
 * kept dataset (about 55 MB for the full set) still has before the browser refuses it.
 */
export function StorageUsageLine({ estimate }: { estimate?: StorageEstimateView | null }) {
  if (!estimate || estimate.usageBytes === null) return null;
  const { usageBytes, quotaBytes } = estimate;
  const quota =
    quotaBytes === null
      ? ''
      : ` of ${formatBytes(quotaBytes)} this site may use · ${formatBytes(Math.max(0, quotaBytes - usageBytes))} left`;
  const keeping =
    estimate.isPersisted === null
      ? ''
      : estimate.isPersisted
        ? ' · kept until you clear it'
        : ' · the browser may clear it when space runs low';
  return (
    <StatusLine className="muted small" label="Browser storage">
      Browser storage: {formatBytes(usageBytes)} used{quota}
      {keeping}.
    </StatusLine>
  );
}
