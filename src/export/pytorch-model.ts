/**
 * The PyTorch model class of an architecture, written layer by layer from the layer table:
 * one attribute per layer with weights, named as in the tab (so weights move between the two
 * by name), and a forward pass that reads like the tab's layer list.
 */
import { getArchitectureInfo, type ArchitectureId } from '../model/architecture-catalog';
import { describeArchitectureLayers, type TableLayer } from './layer-table';
import { pythonClassName, wrapText } from './python-source';

const formatCount = (count: number) => count.toLocaleString('en-US');
const formatShape = (shape: number[]) => shape.join('×');

/** The constructor line of a layer with weights, or null. */
function constructorLine(layer: TableLayer): string | null {
  const { spec, inputShape } = layer;
  const channelsIn = inputShape[inputShape.length - 1];
  switch (spec.kind) {
    case 'batchnorm':
      return `self.${spec.name} = KerasBatchNorm(${channelsIn})`;
    case 'conv': {
      const padding = spec.padding === 'same' ? 1 : 0;
      return `self.${spec.name} = nn.Conv2d(${channelsIn}, ${spec.filters}, kernel_size=3, padding=${padding})`;
    }
    case 'dense':
      return `self.${spec.name} = nn.Linear(${channelsIn}, ${spec.units})`;
    default:
      return null;
  }
}

/** The forward line of a layer (the last Dense returns logits). */
function forwardLine(layer: TableLayer, isLast: boolean): string {
  const { spec } = layer;
  switch (spec.kind) {
    case 'batchnorm':
      return `x = self.${spec.name}(x)`;
    case 'conv':
      return `x = F.relu(self.${spec.name}(x))`;
    case 'maxpool':
      return `x = F.max_pool2d(x, ${spec.sizePx})`;
    case 'dropout':
      return `x = F.dropout(x, ${spec.rate}, self.training)`;
    case 'flatten':
      return 'x = flatten_nhwc(x)';
    case 'dense':
      if (isLast) return `return self.${spec.name}(x)`;
      return spec.activation === 'relu'
        ? `x = F.relu(self.${spec.name}(x))`
        : `x = F.softmax(self.${spec.name}(x), dim=1)`;
  }
}

/** Pads `code` and appends `# comment`, so a block's comments line up. */
function withComments(lines: { code: string; comment: string }[], indent: string): string[] {
  const width = Math.max(...lines.map((line) => line.code.length));
  return lines.map(({ code, comment }) => `${indent}${code.padEnd(width)}  # ${comment}`);
}

/**
 * Python source of the model class of `id` and the `MODEL_CLASS` alias train.py uses. The last
 * layer (Dense 10 with softmax in the tab) returns logits: the loss applies log-softmax and
 * predictions apply softmax, which is the tab's function with a stabler gradient.
 */
export function createPytorchModelSource(id: ArchitectureId): string {
  const info = getArchitectureInfo(id);
  const layers = describeArchitectureLayers(id);
  const className = pythonClassName(id);
  const constructors = layers.flatMap((layer) => {
    const code = constructorLine(layer);
    return code ? [{ code, comment: `${formatCount(layer.paramCount)} parameters` }] : [];
  });
  const forward = layers.map((layer, index) => {
    const isLast = index === layers.length - 1;
    const shape = isLast ? 'logits' : formatShape(layer.outputShape);
    return { code: forwardLine(layer, isLast), comment: `${layer.spec.name} → ${shape}` };
  });
  const docstring = wrapText(
    `The tab's architecture "${info.label}": ${info.summary}; ` +
      `${formatCount(info.totalParams)} parameters (${formatCount(info.trainableParams)} ` +
      "trainable), as Keras counts them. The layers have the tab's names, so weights move " +
      'between the two by name (tab_weights_of).',
    88,
    '    ',
  );
  return `class ${className}(nn.Module):
    """${docstring}

    Input: float32 [n, 1, 28, 28] in [0, 1]. Output: logits [n, 10]; their softmax is the
    tab's output.
    """

    def __init__(self):
        super().__init__()
${withComments(constructors, '        ').join('\n')}
        init_like_keras(self)

    def forward(self, x):
${withComments(forward, '        ').join('\n')}


MODEL_CLASS = ${className}
`;
}
