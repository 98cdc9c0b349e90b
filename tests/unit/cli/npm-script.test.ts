/**
 * The documented command itself, `npm run train -- …`, run through npm as a person types it:
 * npm finds the script, hands the flags after `--` to cli/train.mjs, and reports the
 * command's exit status; paths are taken from where it was typed (npm's INIT_CWD), not from
 * the project folder npm runs scripts in. Only what needs no browser: --help and refusals.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { helpText } from '../../../cli/options';
import { PROJECT_ROOT } from '../../support/fixtures';

/** The npm client's own update check would try the network; the command needs none. */
const NPM_ENV = { ...process.env, npm_config_update_notifier: 'false' };

function npmRunTrain(args: string[], cwd = PROJECT_ROOT) {
  const result = spawnSync('npm', ['run', 'train', '--', ...args], {
    cwd,
    env: NPM_ENV,
    encoding: 'utf8',
  });
  if (result.error) throw result.error;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('npm run train', () => {
  test('-- --help prints the flags and exits 0', () => {
    const { status, stdout } = npmRunTrain(['--help']);
    expect(status).toBe(0);
    // npm's own two lines name the script it ran, then the command's text, all of it.
    expect(stdout).toContain('> node cli/train.mjs --help\n');
    expect(stdout.endsWith(`${helpText().trimEnd()}\n`)).toBe(true);
    expect(stdout).toContain('npm run train -- --path DIR');
  });

  test('a bad value or a missing path typed in a subfolder: exit 2 and one line, nothing written', () => {
    const refused = npmRunTrain(['--path', 'data', '--epochs', '2.5']);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe('The number of epochs must be a whole number from 0 to 1000.\n');

    const subfolder = join(PROJECT_ROOT, 'docs');
    const missing = npmRunTrain(['--path', 'no-such-data', '--out', 'no-such-run'], subfolder);
    expect(missing.status).toBe(2);
    expect(missing.stderr).toBe(
      `--path ${join(subfolder, 'no-such-data')}: no such file or folder.\n`,
    );
    expect(existsSync(join(subfolder, 'no-such-run'))).toBe(false);
  });
});
