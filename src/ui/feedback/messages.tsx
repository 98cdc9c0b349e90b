/**
 * The page's messages: errors (role=alert, announced at once and styled as such) and status
 * lines (role=status, read out when the screen reader is idle). One place, so every panel
 * says things the same way and the journeys find them by role.
 */
import type { ReactNode } from 'react';

/** One error paragraph. */
export function Alert({ children }: { children: ReactNode }) {
  return (
    <p role="alert" className="alert">
      {children}
    </p>
  );
}

/** Several errors in one alert box, a paragraph each; nothing when none is set. */
export function AlertList({ messages }: { messages: readonly (string | null | undefined)[] }) {
  const shown = messages.filter((message): message is string => Boolean(message));
  if (shown.length === 0) return null;
  return (
    <div role="alert" className="alert">
      {shown.map((message, i) => (
        <p key={i}>{message}</p>
      ))}
    </div>
  );
}

/** A status paragraph; `label` names it when a panel has several (the checkpoint line). */
export function StatusLine({
  children,
  className = 'muted',
  label,
}: {
  children: ReactNode;
  className?: string;
  label?: string;
}) {
  return (
    <p role="status" className={className} aria-label={label}>
      {children}
    </p>
  );
}
