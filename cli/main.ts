/**
 * `npm run train -- --path DIR --epochs N --batch-size B …`: the tab's training engine, run
 * headless. Flags and paths are checked here, before anything starts; then the production
 * build is brought up to date, Chromium opens its host page, and RunSession follows the run.
 * Ctrl-C stops at the next batch boundary and keeps the last checkpoint (the run's starting
 * point, until its first epoch ends).
 */
import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import type { CliRunConfig } from '../src/app/cli-host-protocol';
import { errorMessage } from '../src/shared/errors';
import { TRAINING_PARAM_BOUNDS } from '../src/training/training-params';
import { hasCheckpointFiles, readCheckpointFiles } from './checkpoint-files';
import { findDatasetFiles } from './dataset-files';
import { writeTrainingProject } from './export-project';
import { assertChromiumPresent, openHostPage, type HostPage } from './host-browser';
import { helpText, parseCommandLine, type TrainCommand } from './options';
import { ensureProductionBuild } from './production-build';
import { METRICS_FILE } from './run-files';
import { backendRequestOf, RunSession, type PathStyle, type RunPlan } from './run-session';
import { createRunTerminal, type RunTerminal } from './terminal';
import { EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE, UsageError } from './usage-error';

/**
 * npm hands the terminal's Ctrl-C to the command a second time (it forwards SIGINT to its
 * child, which the terminal signalled already): a second SIGINT within this window is that copy.
 */
const REPEATED_SIGINT_WINDOW_MS = 1000;

export interface CommandLineEnvironment {
  /** The project (where dist/ and runs/ are). */
  root: string;
  /** Where the command was typed: relative paths start here. */
  cwd: string;
}

const pad2 = (n: number) => String(n).padStart(2, '0');

/** `runs/2026-11-29_16-40-05/` (local time), with a suffix if a run of that second exists. */
function defaultOutDir(root: string, now: Date): string {
  const stamp =
    `${now.getFullYear()}-${pad2(now.getMonth() + 1)}-${pad2(now.getDate())}_` +
    `${pad2(now.getHours())}-${pad2(now.getMinutes())}-${pad2(now.getSeconds())}`;
  const base = join(root, 'runs', stamp);
  let dir = base;
  for (let n = 2; existsSync(dir); n++) dir = `${base}-${n}`;
  return dir;
}

function planFreshRun(command: TrainCommand, root: string): RunPlan {
  if (command.paths.length === 0) {
    throw new UsageError(
      '--path is required: a folder holding the dataset, or its files (npm run train -- --help).',
    );
  }
  const outDir = command.outDir ?? defaultOutDir(root, new Date());
  if (existsSync(join(outDir, METRICS_FILE)) || hasCheckpointFiles(outDir)) {
    throw new UsageError(
      `${outDir} already holds a run: choose another --out, or continue it with --resume ${outDir}.`,
    );
  }
  const dataset = findDatasetFiles(command.paths);
  // A run is continued from its checkpoints bit for bit only if every random draw is seeded
  // (initial weights, row order, dropout masks), so an unseeded run gets a seed here.
  const { min, max } = TRAINING_PARAM_BOUNDS.seed;
  const isSeedChosen = command.params.seed === undefined;
  const seed = command.params.seed ?? randomInt(min, max + 1);
  return {
    runId: randomUUID(),
    params: { ...command.params, seed },
    isSeedChosen,
    backend: command.backend ?? 'auto',
    outDir,
    dataFiles: dataset.files,
    sources: dataset.sources,
    monitorTest: command.monitorTest,
  };
}

function planResumedRun(command: TrainCommand, runDir: string): RunPlan {
  if (!existsSync(runDir) || !statSync(runDir).isDirectory()) {
    throw new UsageError(`--resume ${runDir}: no such folder.`);
  }
  if (!hasCheckpointFiles(runDir)) {
    throw new UsageError(
      existsSync(join(runDir, METRICS_FILE))
        ? `The run in ${runDir} is complete: there is nothing to resume.`
        : `${runDir} holds no checkpoint to resume (checkpoint/checkpoint.json).`,
    );
  }
  if (command.settingFlags.length > 0) {
    throw new UsageError(
      `--resume continues the run with its own settings: leave out ${command.settingFlags.join(', ')}.`,
    );
  }
  const { checkpoint, invocation } = readCheckpointFiles(runDir);
  const dataset = findDatasetFiles(command.paths.length > 0 ? command.paths : invocation.dataFiles);
  return {
    runId: checkpoint.runId,
    params: checkpoint.params,
    backend: command.backend ?? invocation.backend,
    outDir: command.outDir ?? runDir,
    dataFiles: dataset.files,
    sources: dataset.sources,
    isSeedChosen: false,
    resume: { checkpoint, runDir },
    // A run that monitored the test set goes on doing so, so its history has no gap.
    monitorTest:
      command.monitorTest ||
      invocation.monitorTest === true ||
      checkpoint.history.some((epoch) => epoch.testAccuracy !== undefined),
  };
}

function pathStyle(cwd: string): PathStyle {
  const show = (path: string) => {
    const shown = relative(cwd, path);
    return shown === '' ? '.' : shown.startsWith('..') || isAbsolute(shown) ? path : shown;
  };
  return {
    show,
    argument: (path) => {
      const shown = show(path);
      return /^[\w./@%+=:,-]+$/.test(shown) ? shown : `'${shown.replace(/'/g, `'\\''`)}'`;
    },
  };
}

/** Ctrl-C: stop at the next batch boundary; a later, second Ctrl-C quits at once. */
function onInterrupt(host: HostPage, terminal: RunTerminal): () => void {
  let firstAtMs: number | null = null;
  const listener = () => {
    const nowMs = Date.now();
    if (firstAtMs === null) {
      firstAtMs = nowMs;
      terminal.note('Stopping at the next batch boundary… (Ctrl-C again to quit at once)');
      host.stop().catch(() => undefined);
      return;
    }
    if (nowMs - firstAtMs < REPEATED_SIGINT_WINDOW_MS) return;
    terminal.note('Quit without waiting for the run to stop.');
    process.exit(EXIT_INTERRUPTED);
  };
  process.on('SIGINT', listener);
  return () => process.off('SIGINT', listener);
}

async function train(plan: RunPlan, env: CommandLineEnvironment, terminal: RunTerminal) {
  const session = new RunSession(plan, terminal, pathStyle(env.cwd));
  const host = await openHostPage(env.root, (message) => session.handle(message), {
    warn: terminal.note,
    lose: (why) => session.fail(why),
  });
  const removeInterruptHandler = onInterrupt(host, terminal);
  try {
    const config: CliRunConfig = {
      runId: plan.runId,
      params: plan.params,
      backendRequest: backendRequestOf(plan.backend),
      sources: plan.sources,
      ...(plan.resume ? { resume: plan.resume.checkpoint } : {}),
      ...(plan.monitorTest ? { monitorTest: true } : {}),
    };
    await host.start(config, plan.dataFiles);
    return await session.exitStatus;
  } finally {
    removeInterruptHandler();
    await host.close();
  }
}

/** Runs the command; resolves with its exit status (it never throws). */
export async function runCommandLine(
  args: string[],
  env: CommandLineEnvironment,
  terminal: RunTerminal = createRunTerminal(),
): Promise<number> {
  try {
    const command = parseCommandLine(args, env.cwd);
    if (command.kind === 'help') {
      terminal.print(helpText().trimEnd());
      return EXIT_OK;
    }
    if (command.exportFramework) {
      if (command.resumeDir) throw new UsageError('--export and --resume do not go together.');
      const { show } = pathStyle(env.cwd);
      const lines = writeTrainingProject(
        command.params,
        command.exportFramework,
        command.outDir,
        show,
        command.paths[0],
      );
      for (const line of lines) terminal.print(line);
      return EXIT_OK;
    }
    const plan = command.resumeDir
      ? planResumedRun(command, command.resumeDir)
      : planFreshRun(command, env.root);
    assertChromiumPresent();
    await ensureProductionBuild(env.root, terminal.note);
    return await train(plan, env, terminal);
  } catch (error) {
    if (error instanceof UsageError) {
      terminal.note(error.message);
      return EXIT_USAGE;
    }
    terminal.note(`Error: ${errorMessage(error)}`);
    return EXIT_FAILED;
  }
}
