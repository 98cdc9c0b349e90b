/**
 * The run's progress for screen readers: a visually hidden live region that says the run's
 * events and, now and then, how far it is, at the calm announcer's pace. The visible status
 * line changes four times a second, so it is not a live region itself.
 */
import { useEffect, useRef, useState } from 'react';
import { createCalmAnnouncer } from '../feedback/calm-announcer';
import { announcementsBetween, progressAnnouncement } from './training-announcements';
import type { TrainingState } from './training-state';

export function TrainingAnnouncer({ state }: { state: TrainingState }) {
  const [text, setText] = useState('');
  const [announcer] = useState(() => createCalmAnnouncer(setText));
  const previousRef = useRef<TrainingState | null>(null);
  useEffect(() => () => announcer.cancel(), [announcer]);
  useEffect(() => {
    const before = previousRef.current;
    previousRef.current = state;
    for (const event of announcementsBetween(before, state)) announcer.event(event);
    const progress = progressAnnouncement(state);
    if (progress) announcer.progress(progress);
  }, [state, announcer]);
  return (
    <div className="visually-hidden" aria-live="polite" aria-atomic="true">
      {text}
    </div>
  );
}
