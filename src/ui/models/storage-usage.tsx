import { formatBytes } from '../format';
import { StatusLine } from '../feedback/messages';
import type { StorageEstimateView } from './storage-estimate';

/** "Browser storage: 61.2 MB used of 9.8 GB this site may use · kept until you clear it". */
export function StorageUsageLine({ estimate }: { estimate?: StorageEstimateView | null }) {
  if (!estimate || estimate.usageBytes === null) return null;
  const quota =
    estimate.quotaBytes === null ? '' : ` of ${formatBytes(estimate.quotaBytes)} this site may use`;
  const keeping =
    estimate.isPersisted === null
      ? ''
      : estimate.isPersisted
        ? ' · kept until you clear it'
        : ' · the browser may clear it when space runs low';
  return (
    <StatusLine className="muted small" label="Browser storage">
      Browser storage: {formatBytes(estimate.usageBytes)} used{quota}
      {keeping}.
    </StatusLine>
  );
}
