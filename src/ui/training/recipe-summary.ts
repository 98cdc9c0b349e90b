/** A recipe in a few words, for tables: the preset's name, or what differs from the seed's. */
import { LR_SCHEDULES } from '../../training/lr-schedule';
import {
  RECIPE_PRESETS,
  recipeOf,
  SEED_RECIPE,
  type TrainingParams,
} from '../../training/training-params';

/** "Best", or e.g. "one-cycle · smoothing 0.1 · flip · shift 2 px · flip averaging". */
export function summarizeRecipe(params: TrainingParams): string {
  const recipe = recipeOf(params);
  const preset = RECIPE_PRESETS.find(
    ({ params: preset }) =>
      preset.epochs === params.epochs &&
      preset.batchSize === params.batchSize &&
      preset.learningRate === params.learningRate &&
      preset.optimizer === params.optimizer &&
      JSON.stringify(preset.recipe) === JSON.stringify(recipe),
  );
  if (preset) return preset.label.replace(/ \(.*\)$/, '');
  const parts: string[] = [];
  if (recipe.lrSchedule !== SEED_RECIPE.lrSchedule) {
    const label = LR_SCHEDULES.find((schedule) => schedule.id === recipe.lrSchedule)?.label;
    parts.push((label ?? recipe.lrSchedule).replace(/ \(.*\)$/, '').toLowerCase());
  }
  if (recipe.labelSmoothing > 0) parts.push(`smoothing ${recipe.labelSmoothing}`);
  if (recipe.augmentFlip) parts.push('flip');
  if (recipe.augmentShiftPx > 0) parts.push(`shift ${recipe.augmentShiftPx} px`);
  if (recipe.weightDecay > 0) parts.push(`weight decay ${recipe.weightDecay}`);
  if (recipe.keepBestWeights) parts.push('best weights');
  if (recipe.earlyStoppingPatience > 0) parts.push(`patience ${recipe.earlyStoppingPatience}`);
  if (recipe.testTimeFlip) parts.push('flip averaging');
  return parts.length > 0 ? parts.join(' · ') : 'Keras defaults';
}
