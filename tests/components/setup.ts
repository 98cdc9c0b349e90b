/**
 * Testing Library unmounts what a test rendered only when the runner has global hooks; Vitest's
 * are imports, so each test file gets the cleanup here.
 */
import { cleanup } from '@testing-library/react';
import { afterEach } from 'vitest';

afterEach(cleanup);
