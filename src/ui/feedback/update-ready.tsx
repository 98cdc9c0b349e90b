/**
 * "A new version is ready" with the button that switches to it. The page keeps running the
 * version it started with until then, so nothing changes under a run in progress.
 */
export function UpdateReady({ onReload }: { onReload: () => void }) {
  return (
    <div role="status" className="update-ready">
      <p>
        A new version of Fashion-MNIST Studio is ready.{' '}
        <button type="button" onClick={onReload}>
          Reload to update
        </button>{' '}
        <span className="muted small">
          (a run in progress stops there and can resume from its last checkpoint)
        </span>
      </p>
    </div>
  );
}
