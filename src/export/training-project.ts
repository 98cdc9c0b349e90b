/**
 * A training run exported as a self-contained Python project (PyTorch or Keras): the files as
 * text and bytes, ready to be zipped (project-zip.ts) or written to a folder (the command
 * line). Pure TypeScript without TensorFlow.js: the code comes from templates/ and the
 * architecture's layer table, the model files' topology from tfjs-topology.ts.
 */
import type { ArchitectureId } from '../model/architecture-catalog';
import { modelNameOf, type LayerSpec } from '../model/architecture-layers';
import {
  createLayersModelJson,
  METADATA_FILE_SUFFIX,
  MODEL_JSON_SUFFIX,
  sanitizeFileBaseName,
  WEIGHTS_FILE_SUFFIX,
} from '../storage/model-download-files';
import type { ModelMetadata } from '../storage/model-metadata';
import type { SerializedModel } from '../training/run-types';
import { assertTrainingParams, type TrainingParams } from '../training/training-params';
import { describeArchitectureLayers, tabWeightSpecs } from './layer-table';
import {
  appConstantsSource,
  flagsSection,
  initialModelNote,
  readmeTitle,
  runSettingsSource,
  settingsTable,
} from './project-text';
import { fillTemplate, pythonConstants, toPythonLiteral } from './python-source';
import { createPytorchModelSource } from './pytorch-model';
import { APP_TFJS_VERSION, createLayersTopology } from './tfjs-topology';
import kerasReadme from './templates/README-keras.md?raw';
import pytorchReadme from './templates/README-pytorch.md?raw';
import tabCompatTemplate from './templates/tab_compat.py?raw';
import kerasTemplate from './templates/train_keras.py?raw';
import pytorchTemplate from './templates/train_pytorch.py?raw';

export type ExportFramework = 'pytorch' | 'keras';

export const EXPORT_FRAMEWORKS: readonly { id: ExportFramework; label: string }[] = [
  { id: 'pytorch', label: 'PyTorch' },
  { id: 'keras', label: 'Keras' },
];

/** One file of the project; `path` is relative to the project's folder, `/`-separated. */
export interface ProjectFile {
  path: string;
  content: string | Uint8Array;
}

/** A model of the tab to start from: its files go into the project, and the run loads them. */
export interface InitialModel {
  model: SerializedModel;
  metadata: ModelMetadata;
  /** File name stem for the model's files (sanitized like a download's). */
  baseName: string;
}

export interface TrainingProjectRequest {
  params: TrainingParams;
  framework: ExportFramework;
  initialModel?: InitialModel;
}

/** Folder of the project that holds the initial model's files. */
export const INITIAL_MODEL_FOLDER = 'tab-model';

/** The tab's files of the initial model (what `Download` writes), under INITIAL_MODEL_FOLDER. */
function initialModelFiles(initial: InitialModel): { files: ProjectFile[]; jsonPath: string } {
  const base = sanitizeFileBaseName(initial.baseName);
  const weightsName = `${base}${WEIGHTS_FILE_SUFFIX}`;
  const modelJson = createLayersModelJson(initial.model, initial.metadata.tfjsVersion, weightsName);
  const jsonPath = `${INITIAL_MODEL_FOLDER}/${base}${MODEL_JSON_SUFFIX}`;
  return {
    jsonPath,
    files: [
      { path: jsonPath, content: JSON.stringify(modelJson) },
      {
        path: `${INITIAL_MODEL_FOLDER}/${weightsName}`,
        content: new Uint8Array(initial.model.weightData.slice(0)),
      },
      {
        path: `${INITIAL_MODEL_FOLDER}/${base}${METADATA_FILE_SUFFIX}`,
        content: JSON.stringify(initial.metadata, null, 2),
      },
    ],
  };
}

/** A layer of the Keras script's plain table: its settings, output shape and parameters. */
function kerasLayerEntry(
  spec: LayerSpec,
  outputShape: number[],
  params: number,
): Record<string, unknown> {
  const { kind, name, ...settings } = spec;
  return { name, kind, ...settings, output_shape: outputShape, params };
}

/** The `# <<layers>>` block of the Keras script. */
function kerasLayersSource(id: ArchitectureId): string {
  const entries = describeArchitectureLayers(id).map((layer) => {
    const entry = kerasLayerEntry(layer.spec, layer.outputShape, layer.paramCount);
    const pairs = Object.entries(entry).map(
      ([k, v]) => `${JSON.stringify(k)}: ${toPythonLiteral(v)}`,
    );
    return `{${pairs.join(', ')}}`;
  });
  return `# The tab's layers of ${id}, input first: what build_model builds, with each layer's output
# shape (one example) and parameter count as the tab's catalog counts them.
${pythonConstants({ MODEL_NAME: modelNameOf(id) })}
LAYERS = [
${entries.map((entry) => `    ${entry},`).join('\n')}
]`;
}

/** The README of the project, from its framework's template. */
function readme(request: TrainingProjectRequest, initFromPath: string | null): string {
  const { params, framework } = request;
  const template = framework === 'pytorch' ? pytorchReadme : kerasReadme;
  const label = framework === 'pytorch' ? 'PyTorch' : 'Keras';
  return fillTemplate(template, {
    title: readmeTitle(params.architectureId, label),
    settings: settingsTable(params),
    flags: flagsSection(),
    'initial-model-files': initialModelNote(initFromPath),
  }).replace(/ARCHITECTURE\./g, `${params.architectureId}.`);
}

/**
 * The files of the exported project: `train.py`, `tab_compat.py`, `tab-model-format.json`,
 * `README.md` and, with an initial model, its files under `tab-model/`. Throws when the
 * settings are not valid or the initial model is of another architecture.
 */
export function createTrainingProject(request: TrainingProjectRequest): ProjectFile[] {
  const { params, framework, initialModel } = request;
  assertTrainingParams(params);
  const id = params.architectureId;
  if (initialModel && initialModel.metadata.architectureId !== id) {
    throw new Error(
      `The model to start from is a ${initialModel.metadata.architectureId} model; the run trains ${id}.`,
    );
  }
  const initial = initialModel ? initialModelFiles(initialModel) : null;
  const initFromPath = initial?.jsonPath ?? null;
  const settings = runSettingsSource(params, initFromPath);
  const train =
    framework === 'pytorch'
      ? fillTemplate(pytorchTemplate, {
          'run-settings': settings,
          model: createPytorchModelSource(id),
        })
      : fillTemplate(kerasTemplate, { 'run-settings': settings, layers: kerasLayersSource(id) });
  const tabFormat = {
    modelTopology: createLayersTopology(id, params.seed),
    weightSpecs: tabWeightSpecs(id),
    tfjsVersion: APP_TFJS_VERSION,
  };
  return [
    { path: 'train.py', content: train },
    {
      path: 'tab_compat.py',
      content: fillTemplate(tabCompatTemplate, { 'app-constants': appConstantsSource() }),
    },
    { path: 'tab-model-format.json', content: `${JSON.stringify(tabFormat, null, 1)}\n` },
    { path: 'README.md', content: readme(request, initFromPath) },
    ...(initial?.files ?? []),
  ];
}

/**
 * Both projects of a run, `pytorch/` and `keras/`, each self-contained, with a README at the
 * top saying which is which: what the tab's `Export as a training project` downloads.
 */
export function createTrainingProjectBundle(
  request: Omit<TrainingProjectRequest, 'framework'>,
): ProjectFile[] {
  const top: ProjectFile = {
    path: 'README.md',
    content: `${readmeTitle(request.params.architectureId, 'PyTorch and Keras')}

Two self-contained projects of the same run; each folder's README has the commands.

- \`pytorch/\`: PyTorch, DistributedDataParallel on one or several processes, GPUs or machines
  (\`torchrun --nproc_per_node N train.py --path DATA_DIR\`). Tested where it was made.
- \`keras/\`: Keras (TensorFlow 2), MirroredStrategy or MultiWorkerMirroredStrategy
  (\`python3 train.py --path DATA_DIR\`). Generated and checked, but not run where it was made.

Both end by writing the model in the tab's format: open the three files in the tab with
\`Model files\`.
`,
  };
  return [
    top,
    ...EXPORT_FRAMEWORKS.flatMap(({ id }) =>
      createTrainingProject({ ...request, framework: id }).map((file) => ({
        ...file,
        path: `${id}/${file.path}`,
      })),
    ),
  ];
}
