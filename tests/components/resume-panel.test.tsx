/** The offer to resume an unfinished run: what it says, and when Resume can be pressed. */
import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, test, vi } from 'vitest';
import { DEFAULT_TRAINING_PARAMS } from '../../src/training/training-params';
import { ResumePanel, type ResumePanelProps } from '../../src/ui/training/resume-panel';
import type { ResumableRun } from '../../src/ui/training/use-resumable-run';

const RUN: ResumableRun = {
  runId: 'run-1',
  epochsCompleted: 3,
  params: { ...DEFAULT_TRAINING_PARAMS, architectureId: 'conv1', epochs: 8 },
  datasetKey: 'v1:60000:10000:abc',
  savedAt: '2026-11-29T10:15:00.000Z',
  expectedCounts: { train: 60000, test: 10000 },
};

function renderPanel(overrides: Partial<ResumePanelProps> = {}) {
  const props: ResumePanelProps = {
    run: RUN,
    hasMatchingData: true,
    canStart: true,
    onResume: vi.fn(),
    onDiscard: vi.fn(),
    error: null,
    ...overrides,
  };
  render(<ResumePanel {...props} />);
  const group = screen.getByRole('group', { name: 'Unfinished run' });
  const resume = within(group).getByRole<HTMLButtonElement>('button', {
    name: 'Resume training from epoch 3',
  });
  const discard = within(group).getByRole<HTMLButtonElement>('button', {
    name: 'Discard unfinished run',
  });
  return { props, group, resume, discard };
}

describe('ResumePanel', () => {
  test('says which run, how far it got and when its checkpoint was written', () => {
    const { group } = renderPanel();
    const savedAt = new Date(RUN.savedAt).toLocaleString();
    expect(group.textContent).toContain(
      `Unfinished run kept in this browser: 1 · Conv64 → Pool4, 3 of 8 epochs done (checkpoint of ${savedAt}).`,
    );
  });

  test('with its data loaded, Resume and Discard work', async () => {
    const { props, resume, discard } = renderPanel();
    expect(resume.disabled).toBe(false);
    expect(screen.queryByText(/To resume, load the data/)).toBeNull();
    const user = userEvent.setup();
    await user.click(resume);
    await user.click(discard);
    expect(props.onResume).toHaveBeenCalledTimes(1);
    expect(props.onDiscard).toHaveBeenCalledTimes(1);
  });

  test('without its data, Resume is off and the counts to load are named', () => {
    const { resume, discard } = renderPanel({ hasMatchingData: false });
    expect(resume.disabled).toBe(true);
    expect(discard.disabled).toBe(false);
    expect(
      screen.getByText(
        'To resume, load the data it trained on (60,000 training and 10,000 test images).',
      ),
    ).toBeTruthy();
  });

  test('without known counts the sentence ends after "trained on"', () => {
    renderPanel({ hasMatchingData: false, run: { ...RUN, expectedCounts: null } });
    expect(screen.getByText('To resume, load the data it trained on.')).toBeTruthy();
  });

  test('while another run cannot start, neither button works', () => {
    const { resume, discard } = renderPanel({ canStart: false });
    expect([resume.disabled, discard.disabled]).toEqual([true, true]);
  });

  test('a failed resume is an alert', () => {
    const { group } = renderPanel({ error: 'The run could not be resumed: gone' });
    expect(within(group).getByRole('alert').textContent).toBe('The run could not be resumed: gone');
  });
});
