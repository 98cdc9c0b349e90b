"""Fashion-MNIST Studio's training run in plain Python and numpy: what makes train.py train
the run the tab would train. No PyTorch or TensorFlow here; train.py brings the framework.

- the dataset files the tab reads: the Kaggle CSVs or the four IDX files (gzipped or not);
- Keras' validation split: the last share of the training file, taken before any shuffling;
- the row order of every epoch and the flip and shift of every row, drawn exactly as the tab
  draws them (ports of its mulberry32 generator and its 32-bit hash), so a run sees the tab's
  batches in the tab's order;
- the initial weights of a seeded run (a port of tfjs's seeded Glorot-uniform initialiser), so
  a run starts from the tab's weights;
- the learning-rate schedules, as closed forms of the training step;
- label smoothing;
- the tab's model files: reading a model downloaded from the tab, and writing a model in the
  same format (model JSON, .weights.bin, .metadata.json), which the tab opens with
  `Model files`.
"""
import argparse
import csv
import datetime
import gzip
import json
import math
import os
import struct
import warnings

import numpy as np

# <<app-constants>>

PIXELS_PER_IMAGE = IMAGE_SIZE_PX * IMAGE_SIZE_PX
UINT32_MASK = 0xFFFFFFFF
CSV_COLUMNS = ["label"] + [f"pixel{i}" for i in range(1, PIXELS_PER_IMAGE + 1)]
CSV_HEADER = ",".join(CSV_COLUMNS)
IDX_IMAGES_MAGIC = 0x00000803
IDX_LABELS_MAGIC = 0x00000801
GZIP_MAGIC = b"\x1f\x8b"


class DatasetError(Exception):
    """A dataset file that cannot be used; the message names the file (and line, column)."""


class SettingsError(Exception):
    """Training settings the tab would refuse; the message lists every problem."""


# --- Reading the dataset --------------------------------------------------------------------


def classify_file(name):
    """(kind, split) of a file name as the tab judges a dropped file, or None.

    kind: "csv", "idx-images" or "idx-labels"; split: "train", "test" or None when the name
    says neither (or both). A gzipped CSV is not read, as in the tab.
    """
    lower = name.lower()
    is_gzip = lower.endswith(".gz")
    base = lower[: -len(".gz")] if is_gzip else lower
    if base.endswith(".csv") and not is_gzip:
        kind = "csv"
    elif base.endswith("idx3-ubyte"):
        kind = "idx-images"
    elif base.endswith("idx1-ubyte"):
        kind = "idx-labels"
    else:
        return None
    has_train = "train" in base
    has_test = "test" in base or "t10k" in base
    split = None if has_train == has_test else ("train" if has_train else "test")
    return kind, split


def find_dataset_files(folder):
    """{split: {kind: path}} of the dataset files in `folder` (not its subfolders)."""
    if not os.path.isdir(folder):
        raise DatasetError(f"--path {folder}: no such folder.")
    found = {"train": {}, "test": {}}
    for name in sorted(os.listdir(folder)):
        path = os.path.join(folder, name)
        classified = classify_file(name)
        if classified is None or not os.path.isfile(path):
            continue
        kind, split = classified
        if split is None:
            raise DatasetError(f'{path}: the name says neither train nor test; it must contain '
                               f'"train", or "test" or "t10k".')
        found[split][kind] = path
    return found


def _csv_problem(name, line_number, column, expected, found):
    return DatasetError(f"{name}, line {line_number}, column {column}: expected {expected}, "
                        f"found {json.dumps(found[:24])}.")


def _locate_csv_problem(name, lines, first_line_number):
    """The first bad field of a CSV body, as a DatasetError (the slow path, for messages)."""
    for offset, line in enumerate(lines):
        line_number = first_line_number + offset
        fields = line.split(",")
        if len(fields) != len(CSV_COLUMNS):
            return DatasetError(f"{name}, line {line_number}: expected {len(CSV_COLUMNS)} fields "
                                f"(label, pixel1 … pixel{PIXELS_PER_IMAGE}), found {len(fields)}.")
        for index, field in enumerate(fields):
            largest = NUM_CLASSES - 1 if index == 0 else MAX_PIXEL_VALUE
            if not (field.isdigit() and field.isascii() and int(field) <= largest):
                what = "a label" if index == 0 else "a pixel value"
                return _csv_problem(name, line_number, CSV_COLUMNS[index],
                                    f"{what} from 0 to {largest}", field)
    return DatasetError(f"{name}: could not be read as a CSV of whole numbers.")


def read_csv_split(path):
    """Images uint8 [n, 28, 28] and labels uint8 [n] of a Kaggle-layout CSV.

    Header `label,pixel1,…,pixel784`, then one image a line: the label 0–9 and 784 pixel
    values 0–255. Bad input raises DatasetError naming the file, line and column.
    """
    name = os.path.basename(path)
    with open(path, "rb") as file:
        raw = file.read()
    if raw[:2] == GZIP_MAGIC:
        raise DatasetError(f"{name}: expected a text CSV file, found gzip data.")
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    lines = text.split("\n")
    while lines and lines[-1] == "":
        lines.pop()
    if not lines or lines[0] != CSV_HEADER:
        found = lines[0] if lines else ""
        raise DatasetError(f"{name}, line 1: expected the header label,pixel1,…,"
                           f"pixel{PIXELS_PER_IMAGE}, found {json.dumps(found[:24])}.")
    body = lines[1:]
    if not body:
        raise DatasetError(f"{name}: expected data rows after the header, found none.")
    # The fast path parses every number at once; any doubt sends the file to the slow path,
    # which finds the first bad field for the message.
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            values = np.fromstring(",".join(body), dtype=np.int64, sep=",")
        except (ValueError, DeprecationWarning):
            values = None
    fields = len(CSV_COLUMNS)
    if values is None or values.size != len(body) * fields:
        raise _locate_csv_problem(name, body, 2)
    table = values.reshape(len(body), fields)
    if table.min() < 0 or table[:, 0].max() > NUM_CLASSES - 1 or table[:, 1:].max() > 255:
        raise _locate_csv_problem(name, body, 2)
    images = table[:, 1:].astype(np.uint8).reshape(-1, IMAGE_SIZE_PX, IMAGE_SIZE_PX)
    return images, table[:, 0].astype(np.uint8)


def _read_idx(path, magic, item_shape):
    """The items of an IDX file (gunzipped when its content is gzip), checked."""
    name = os.path.basename(path)
    with open(path, "rb") as file:
        raw = file.read()
    if raw[:2] == GZIP_MAGIC:
        raw = gzip.decompress(raw)
    header_bytes = 4 + 4 * (1 + len(item_shape))
    if len(raw) < header_bytes:
        raise DatasetError(f"{name}: expected an IDX file, found {len(raw)} bytes.")
    found_magic, count, *dims = struct.unpack(">" + "I" * (2 + len(item_shape)), raw[:header_bytes])
    if found_magic != magic:
        raise DatasetError(f"{name}: expected IDX magic 0x{magic:08x}, found 0x{found_magic:08x}.")
    if tuple(dims) != tuple(item_shape):
        raise DatasetError(f"{name}: expected items of {item_shape}, found {tuple(dims)}.")
    expected_bytes = header_bytes + count * int(np.prod(item_shape, dtype=np.int64))
    if len(raw) != expected_bytes:
        raise DatasetError(f"{name}: expected {expected_bytes} bytes for {count} items, "
                           f"found {len(raw)}.")
    return np.frombuffer(raw, dtype=np.uint8, offset=header_bytes).reshape((count, *item_shape))


def read_idx_split(images_path, labels_path):
    """Images uint8 [n, 28, 28] and labels uint8 [n] of a pair of IDX files."""
    images = _read_idx(images_path, IDX_IMAGES_MAGIC, (IMAGE_SIZE_PX, IMAGE_SIZE_PX))
    labels = _read_idx(labels_path, IDX_LABELS_MAGIC, ())
    if len(images) != len(labels):
        raise DatasetError(f"{os.path.basename(images_path)} holds {len(images)} images but "
                           f"{os.path.basename(labels_path)} {len(labels)} labels.")
    if labels.size and labels.max() > NUM_CLASSES - 1:
        row = int(np.argmax(labels > NUM_CLASSES - 1))
        raise DatasetError(f"{os.path.basename(labels_path)}, item {row + 1}: expected a label "
                           f"from 0 to {NUM_CLASSES - 1}, found {labels[row]}.")
    return images, labels


def read_split(files, split):
    """(images, labels) of one split from find_dataset_files' entry, or None when absent."""
    if "idx-images" in files or "idx-labels" in files:
        if "idx-images" not in files or "idx-labels" not in files:
            have, need = (("images", "labels") if "idx-images" in files else ("labels", "images"))
            raise DatasetError(f"The {split} {have} IDX file has no {need} file beside it.")
        return read_idx_split(files["idx-images"], files["idx-labels"])
    if "csv" in files:
        return read_csv_split(files["csv"])
    return None


def split_for_validation(images, labels, validation_fraction):
    """Keras' validation_split: the last share of the rows, before any shuffling.

    The split point is int(n · (1 − share)): 60,000 × 0.2 → 48,000 / 12,000.
    """
    train_count = int(len(labels) * (1 - validation_fraction))
    return (images[:train_count], labels[:train_count]), (images[train_count:], labels[train_count:])


# --- The tab's randomness -------------------------------------------------------------------


def _imul(a, b):
    """JavaScript's Math.imul on uint32 values (numpy uint64 arrays, or Python ints), as
    uint32 (the same bits as JavaScript's int32 result)."""
    return (a * b) & UINT32_MASK


def mulberry32_uint32(seed, count):
    """The first `count` outputs of the tab's mulberry32 generator seeded with `seed`, as uint32.

    The generator's state after k draws is seed + k · 0x6D2B79F5, so all draws are computed at
    once; the tab divides each by 2^32 to get a float in [0, 1).
    """
    state = (np.uint64(seed & UINT32_MASK)
             + np.arange(1, count + 1, dtype=np.uint64) * np.uint64(0x6D2B79F5)) & UINT32_MASK
    t = state
    t = _imul(t ^ (t >> np.uint64(15)), t | np.uint64(1))
    t = t ^ ((t + _imul(t ^ (t >> np.uint64(7)), t | np.uint64(61))) & UINT32_MASK)
    return (t ^ (t >> np.uint64(14))) & UINT32_MASK


def epoch_order(count, seed, epoch):
    """The tab's row order of 0-based `epoch`: a Fisher–Yates shuffle of 0 … count − 1.

    Seeded with seed ^ imul(epoch + 1, 0x9E3779B1), so any epoch's order is known without the
    ones before it (as the tab's resumed runs need). int64 [count].
    """
    epoch_seed = (seed ^ _imul(epoch + 1, 0x9E3779B1)) & UINT32_MASK
    draws = mulberry32_uint32(epoch_seed, max(0, count - 1))
    # floor(draw / 2^32 · (i + 1)) for i = count − 1 … 1, exact in integers.
    sizes = np.arange(count, 1, -1, dtype=np.uint64)
    swaps = ((draws * sizes) >> np.uint64(32)).astype(np.int64).tolist()
    order = list(range(count))
    for i, j in zip(range(count - 1, 0, -1), swaps):
        order[i], order[j] = order[j], order[i]
    return np.array(order, dtype=np.int64)


def _hash3(a, b, rows):
    """The tab's 32-bit hash of (a, b, row) for an array of rows (murmur3's finaliser)."""
    rows = np.asarray(rows, dtype=np.uint64)
    first = np.full(len(rows), (a ^ 0x9E3779B9) & UINT32_MASK, dtype=np.uint64)
    second = np.full(len(rows), (b + 0x7F4A7C15) & UINT32_MASK, dtype=np.uint64)
    h = _imul(first, np.uint64(0x85EBCA6B)) ^ _imul(second, np.uint64(0xC2B2AE35)) ^ rows
    h ^= h >> np.uint64(16)
    h = _imul(h, np.uint64(0x85EBCA6B))
    h ^= h >> np.uint64(13)
    h = _imul(h, np.uint64(0xC2B2AE35))
    h ^= h >> np.uint64(16)
    return h


def augmentation_of(flip, shift_px, seed, epoch, rows):
    """What each of `rows` gets in `epoch`: (is_flipped bool [n], dx int [n], dy int [n]).

    dx moves the image right, dy down, by −shift_px … shift_px pixels; all from the hash of
    (seed, epoch, row), so the draws are the tab's.
    """
    h = _hash3(seed & UINT32_MASK, epoch & UINT32_MASK, rows)
    is_flipped = (h & np.uint64(1)) == 1 if flip else np.zeros(len(h), dtype=bool)
    if shift_px == 0:
        zeros = np.zeros(len(h), dtype=np.int64)
        return is_flipped, zeros, zeros
    span = np.uint64(2 * shift_px + 1)
    dx = ((h >> np.uint64(8)) % span).astype(np.int64) - shift_px
    dy = ((h >> np.uint64(20)) % span).astype(np.int64) - shift_px
    return is_flipped, dx, dy


def augment_images(images, is_flipped, dx, dy):
    """Copies of uint8 [n, 28, 28] `images`, each mirrored left–right when asked and then
    shifted by (dx, dy) pixels, filling with 0: output (y, x) is input (y − dy, x − dx) of the
    (mirrored) image, as the tab's augmentImage."""
    out = np.zeros_like(images)
    size = IMAGE_SIZE_PX
    for i in range(len(images)):
        image = images[i, :, ::-1] if is_flipped[i] else images[i]
        x, y = int(dx[i]), int(dy[i])
        if abs(x) >= size or abs(y) >= size:
            continue
        out[i, max(0, y):size + min(0, y), max(0, x):size + min(0, x)] = \
            image[max(0, -y):size - max(0, y), max(0, -x):size - max(0, x)]
    return out


# --- The tab's initial weights ---------------------------------------------------------------


def _js_uint32(value):
    """JavaScript's `value >>> 0` for a non-negative finite number."""
    return int(value) & UINT32_MASK


def _alea(seed_text):
    """seedrandom's alea generator seeded with the string `seed_text`, as tf.randomUniform
    seeds it: a function returning the next float in [0, 1). Plain floats throughout, so every
    draw is the JavaScript double, bit for bit."""
    n = 0xEFC8249D

    def mash(data):
        nonlocal n
        for char in data:
            n += ord(char)
            h = 0.02519603282416938 * n
            n = _js_uint32(h)
            h -= n
            h *= n
            n = _js_uint32(h)
            h -= n
            n += h * 0x100000000
        return _js_uint32(n) * 2.3283064365386963e-10

    state = [mash(" "), mash(" "), mash(" ")]
    for i in range(3):
        state[i] -= mash(seed_text)
        if state[i] < 0:
            state[i] += 1
    carry = 1

    def next_value():
        nonlocal carry
        t = 2091639 * state[0] + carry * 2.3283064365386963e-10
        carry = int(t)  # JavaScript's t | 0; t is below 2^31
        state[0], state[1], state[2] = state[1], state[2], t - carry
        return state[2]

    return next_value


def glorot_uniform(shape, seed):
    """tfjs's seeded Glorot-uniform initialiser: float32 `shape` drawn as tf.randomUniform
    draws with seed `seed`. Fans as tfjs computes them for channels-last kernels: Dense
    [in, out], Conv [kh, kw, in, out] with the receptive field folded into both."""
    receptive_field = int(np.prod(shape[:-2])) if len(shape) > 2 else 1
    fan_in, fan_out = shape[-2] * receptive_field, shape[-1] * receptive_field
    limit = math.sqrt(3 * (1.0 / max(1, (fan_in + fan_out) / 2)))
    low, span = -limit, limit - -limit
    random = _alea(str(seed))
    count = int(np.prod(shape))
    values = np.fromiter((low + span * random() for _ in range(count)), dtype=np.float64, count=count)
    return values.astype(np.float32).reshape(shape)


def read_tab_format(path):
    """The project's tab-model-format.json: the tab's model topology and weight specs."""
    with open(path, encoding="utf-8") as file:
        return json.load(file)


def initial_weights(weight_specs, seed):
    """The weights the tab starts a run with seed `seed` from: {tab weight name: float32 array}.

    The tab seeds the kernels' Glorot-uniform initialisers with seed, seed + 1, … in layer order
    (the order of `weight_specs`); biases and BatchNorm's beta and moving mean start at 0,
    gamma and the moving variance at 1."""
    ones = ("gamma", "moving_variance")
    weights = {}
    kernels = 0
    for spec in weight_specs:
        shape = tuple(spec["shape"])
        attribute = spec["name"].rsplit("/", 1)[-1]
        if attribute == "kernel":
            weights[spec["name"]] = glorot_uniform(shape, seed + kernels)
            kernels += 1
        else:
            weights[spec["name"]] = np.full(shape, 1 if attribute in ones else 0, dtype=np.float32)
    return weights


# --- Learning rate and targets --------------------------------------------------------------


def _round_half_up(value):
    """JavaScript's Math.round (Python's round() rounds halves to even)."""
    return math.floor(value + 0.5)


def _cosine_between(start, end, t):
    return end + (start - end) * (1 + math.cos(math.pi * t)) / 2


def learning_rate_at(schedule, peak, epochs, steps_per_epoch, step):
    """The learning rate of 0-based training `step` (counted over the whole run).

    constant: the peak; step: ×0.1 at 50 % and 75 % of the epochs; cosine: half a cosine from
    the peak to 0; one-cycle: a cosine warm-up from peak / 25 over the first 30 % of the steps,
    then a cosine anneal to peak / 10,000.
    """
    total_steps = max(1, epochs * steps_per_epoch)
    if schedule == "constant":
        return peak
    if schedule == "step":
        epoch = step // steps_per_epoch
        passed = sum(1 for m in STEP_DECAY_MILESTONES if epoch >= _round_half_up(m * epochs))
        return peak * STEP_DECAY_FACTOR ** passed
    if schedule == "cosine":
        return _cosine_between(peak, 0, step / total_steps)
    if schedule == "one-cycle":
        warmup_steps = _round_half_up(ONE_CYCLE_WARMUP_FRACTION * total_steps)
        if step < warmup_steps:
            return _cosine_between(peak / ONE_CYCLE_START_DIVISOR, peak, step / warmup_steps)
        t = (step - warmup_steps) / max(1, total_steps - warmup_steps)
        return _cosine_between(peak, peak / ONE_CYCLE_END_DIVISOR, t)
    raise ValueError(f"Unknown learning-rate schedule {schedule!r}")


def smoothed_targets(labels, label_smoothing):
    """float32 [n, 10] targets: (1 − ε) · one-hot + ε / 10."""
    one_hot = np.eye(NUM_CLASSES, dtype=np.float32)[np.asarray(labels, dtype=np.int64)]
    if label_smoothing == 0:
        return one_hot
    return one_hot * np.float32(1 - label_smoothing) + np.float32(label_smoothing / NUM_CLASSES)


# --- Settings, flags and the log -------------------------------------------------------------


def find_training_params_problems(params):
    """Every reason the tab would refuse `params` (its TrainingParams), as sentences."""
    b = PARAM_BOUNDS
    problems = []

    def whole(value, low, high):
        return isinstance(value, int) and not isinstance(value, bool) and low <= value <= high

    if not whole(params["epochs"], b["epochs"]["min"], b["epochs"]["max"]):
        problems.append(f"The number of epochs must be a whole number from {b['epochs']['min']} "
                        f"to {b['epochs']['max']}.")
    if not whole(params["batchSize"], b["batchSize"]["min"], b["batchSize"]["max"]):
        problems.append(f"Batch size must be a whole number from {b['batchSize']['min']} to "
                        f"{b['batchSize']['max']}.")
    if not 0 < params["learningRate"] <= b["learningRate"]["max"]:
        problems.append(f"Learning rate must be a number above 0 and at most "
                        f"{b['learningRate']['max']}.")
    if params["optimizer"] not in OPTIMIZERS:
        problems.append(f"Unknown optimizer {params['optimizer']!r} (one of {', '.join(OPTIMIZERS)}).")
    if not 0 <= params["validationFraction"] < b["validationFraction"]["below"]:
        problems.append(f"Validation must be a share from 0 to under "
                        f"{b['validationFraction']['below']} of the training file.")
    if params.get("seed") is not None and not whole(params["seed"], b["seed"]["min"], b["seed"]["max"]):
        problems.append(f"Seed must be a whole number from {b['seed']['min']} to {b['seed']['max']}.")
    recipe = params["recipe"]
    if recipe["lrSchedule"] not in LR_SCHEDULES:
        problems.append(f"Unknown learning-rate schedule {recipe['lrSchedule']!r} "
                        f"(one of {', '.join(LR_SCHEDULES)}).")
    if not 0 <= recipe["labelSmoothing"] <= b["labelSmoothing"]["max"]:
        problems.append(f"Label smoothing must be a number from 0 to {b['labelSmoothing']['max']}.")
    if not whole(recipe["augmentShiftPx"], 0, b["augmentShiftPx"]["max"]):
        problems.append(f"Random shift must be a whole number of pixels from 0 to "
                        f"{b['augmentShiftPx']['max']}.")
    if not whole(recipe["earlyStoppingPatience"], 0, b["earlyStoppingPatience"]["max"]):
        problems.append(f"Early-stopping patience must be a whole number of epochs from 0 (off) "
                        f"to {b['earlyStoppingPatience']['max']}.")
    if not 0 <= recipe["weightDecay"] <= b["weightDecay"]["max"]:
        problems.append(f"Weight decay must be a number from 0 to {b['weightDecay']['max']}.")
    return problems


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """argparse's "(default: …)" after a flag's help, but only where there is a default to
    show: not after a required flag, nor after one whose default is None (its help says what
    happens without it)."""

    def _get_help_string(self, action):
        if action.required or action.default is None:
            return action.help
        return super()._get_help_string(action)


def parse_flags(argv, defaults, init_from, description, add_framework_flags=None):
    """The run's flags, with the tab's settings of this run (`defaults`, the tab's
    TrainingParams) as defaults: every flag overrides one setting. The names are those of
    `npm run train`."""
    recipe = defaults["recipe"]
    p = argparse.ArgumentParser(description=description, formatter_class=_HelpFormatter)
    p.add_argument("--path", required=True, metavar="DIR",
                   help="folder with the dataset files (required)")
    p.add_argument("--epochs", type=int, default=defaults["epochs"], metavar="N",
                   help="epochs to train")
    p.add_argument("--batch-size", "--batch_size", type=int, default=defaults["batchSize"],
                   metavar="N", help="global batch size, split between the processes")
    p.add_argument("--lr", type=float, default=defaults["learningRate"],
                   help="learning rate (the schedule's peak)")
    p.add_argument("--optimizer", choices=OPTIMIZERS, default=defaults["optimizer"],
                   help="optimizer, with TensorFlow.js's constants")
    p.add_argument("--validation", type=float, default=defaults["validationFraction"],
                   metavar="SHARE",
                   help="share of the training file held out for validation, from its end")
    seed_help = "seed of initialisation, row order and augmentation"
    p.add_argument("--seed", type=int, default=defaults.get("seed"),
                   help=seed_help if defaults.get("seed") is not None
                   else f"{seed_help} (default: a random one)")
    p.add_argument("--lr-schedule", choices=LR_SCHEDULES, default=recipe["lrSchedule"],
                   help="learning rate over the run")
    p.add_argument("--label-smoothing", type=float, default=recipe["labelSmoothing"],
                   metavar="EPSILON", help="share of each target spread over all classes")
    p.add_argument("--augment-flip", action=argparse.BooleanOptionalAction,
                   default=recipe["augmentFlip"], help="mirror training images at random")
    p.add_argument("--augment-shift", type=int, default=recipe["augmentShiftPx"], metavar="PX",
                   help="shift training images by up to this many pixels")
    p.add_argument("--tta", action=argparse.BooleanOptionalAction, default=recipe["testTimeFlip"],
                   help="also report the test accuracy of flip-averaged predictions")
    p.add_argument("--keep-best", action=argparse.BooleanOptionalAction,
                   default=recipe["keepBestWeights"],
                   help="end with the weights of the epoch with the best validation accuracy")
    p.add_argument("--early-stopping-patience", type=int, metavar="EPOCHS",
                   default=recipe["earlyStoppingPatience"],
                   help="stop after this many epochs without a better validation accuracy")
    p.add_argument("--weight-decay", type=float, default=recipe["weightDecay"],
                   help="decoupled weight decay of conv and dense kernels")
    p.add_argument("--monitor-test", action="store_true",
                   help="also evaluate the test set after every epoch")
    p.add_argument("--init-from", default=init_from, metavar="MODEL_JSON",
                   help="model JSON downloaded from the tab to start from (continue training)")
    p.add_argument("--fresh", action="store_true",
                   help="start from the tab's initial weights for the seed, not --init-from")
    p.add_argument("--out", default="output", metavar="DIR",
                   help="folder for the model files and history.csv")
    p.add_argument("--initial-predictions-csv", metavar="FILE",
                   help="also write the starting weights' test predictions, before the first step")
    p.add_argument("--predictions-csv", metavar="FILE",
                   help="also write the final model's test predictions")
    if add_framework_flags:
        add_framework_flags(p)
    return p.parse_args(argv)


def training_params_of(flags, architecture_id):
    """The tab's TrainingParams for these flags (what the model's metadata records), checked
    as the tab checks them."""
    params = {
        "architectureId": architecture_id, "epochs": flags.epochs,
        "batchSize": flags.batch_size, "learningRate": flags.lr, "optimizer": flags.optimizer,
        "validationFraction": flags.validation, "seed": flags.seed,
        "recipe": {
            "lrSchedule": flags.lr_schedule, "labelSmoothing": flags.label_smoothing,
            "augmentFlip": flags.augment_flip, "augmentShiftPx": flags.augment_shift,
            "testTimeFlip": flags.tta, "keepBestWeights": flags.keep_best,
            "earlyStoppingPatience": flags.early_stopping_patience,
            "weightDecay": flags.weight_decay,
        },
    }
    problems = find_training_params_problems(params)
    if problems:
        raise SettingsError("\n".join(problems))
    return params


def is_better_epoch(metrics, best):
    """Whether an epoch beats the best so far by validation accuracy, as the tab decides: the
    first epoch counts unless its accuracy is NaN (no validation rows)."""
    if best is None:
        return not math.isnan(metrics["valAccuracy"])
    return metrics["valAccuracy"] > best["valAccuracy"]


def is_patience_over(epoch, epochs, best, patience):
    """Early stopping after 0-based `epoch`: `patience` epochs since the best (never after the
    last epoch, never with patience 0)."""
    return patience > 0 and epoch < epochs - 1 and best is not None and epoch - best["epoch"] >= patience


def format_epoch(m, epochs):
    """One line of the log for an epoch's metrics (the tab's EpochMetrics)."""
    parts = [f"epoch {m['epoch'] + 1}/{epochs}", f"loss {m['loss']:.4f}",
             f"accuracy {100 * m['accuracy']:.2f} %", f"val_loss {m['valLoss']:.4f}",
             f"val_accuracy {100 * m['valAccuracy']:.2f} %"]
    if "testAccuracy" in m:
        parts.append(f"test_accuracy {100 * m['testAccuracy']:.2f} %")
    parts += [f"lr {m['learningRate']:.6g}", f"{m['elapsedMs'] / 1000:.1f} s"]
    return "  ".join(parts)


def model_metadata(architecture_id, params, history, test_accuracy, name, trained_with,
                   kept_epoch=None):
    """The run's part of the tab's model metadata (write_tab_model adds the fixed fields).

    kept_epoch: the 0-based index in `history` of the epoch whose weights the model holds
    (best weights), or None when it holds the last epoch's. As in the tab, the training and
    validation accuracies are that epoch's, and `keptEpoch` records it as the tab's run result
    does; `epochsCompleted` still counts every epoch trained.
    """
    held = history[kept_epoch] if kept_epoch is not None else (history[-1] if history else {})
    return {
        "id": f"{architecture_id}-{datetime.datetime.now(datetime.timezone.utc):%Y%m%dT%H%M%S%f}",
        "name": name,
        "trainingParams": {key: value for key, value in params.items() if value is not None},
        "epochsCompleted": len(history),
        "trainingAccuracy": held.get("accuracy"),
        "validationAccuracy": held.get("valAccuracy"),
        "testAccuracy": test_accuracy,
        "history": history,
        **({"keptEpoch": kept_epoch} if kept_epoch is not None else {}),
        "trainedWith": trained_with,
    }


def write_history_csv(path, history):
    """history.csv: one line per epoch (1-based), the tab's metric names as columns."""
    columns = ["epoch", "loss", "accuracy", "valLoss", "valAccuracy", "testLoss", "testAccuracy",
               "learningRate", "elapsedMs"]
    with open(path, "w", newline="", encoding="utf-8") as file:
        writer = csv.DictWriter(file, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for metrics in history:
            writer.writerow({**metrics, "epoch": metrics["epoch"] + 1})


# --- The tab's model files ------------------------------------------------------------------


def read_tab_model(json_path):
    """The weights of model files downloaded from the tab: {name: float32 array}, in the tab's
    layout (conv kernels [kh, kw, in, out], dense kernels [in, out]), and the metadata beside
    them (`<name>.metadata.json`), or None."""
    with open(json_path, encoding="utf-8") as file:
        model_json = json.load(file)
    if "weightsManifest" not in model_json:
        raise DatasetError(f"{json_path}: not a TensorFlow.js model JSON (no weightsManifest).")
    folder = os.path.dirname(json_path)
    weights = {}
    for group in model_json["weightsManifest"]:
        data = b"".join(_read_bytes(os.path.join(folder, os.path.basename(p))) for p in group["paths"])
        offset = 0
        for spec in group["weights"]:
            if spec.get("dtype", "float32") != "float32" or "quantization" in spec:
                raise DatasetError(f"{json_path}: weight {spec['name']} is not plain float32.")
            size = int(np.prod(spec["shape"], dtype=np.int64))
            weights[spec["name"]] = np.frombuffer(data, dtype="<f4", count=size,
                                                  offset=offset).reshape(spec["shape"])
            offset += 4 * size
        if offset != len(data):
            raise DatasetError(f"{json_path}: the weight files hold {len(data)} bytes, the "
                               f"manifest describes {offset}.")
    metadata_path = json_path[: -len(".json")] + ".metadata.json"
    metadata = None
    if os.path.exists(metadata_path):
        with open(metadata_path, encoding="utf-8") as file:
            metadata = json.load(file)
    return weights, metadata


def _read_bytes(path):
    with open(path, "rb") as file:
        return file.read()


def _json_value(value):
    """`value` with NaN and infinities as null, which JSON (and the tab) can read."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _json_value(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_value(item) for item in value]
    return value


def _compact_json(value):
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False, allow_nan=False)


def write_tab_model(folder, base_name, weights, topology, weight_specs, metadata):
    """Writes `<base>.json`, `<base>.weights.bin` and `<base>.metadata.json` into `folder`, the
    files of the tab's Download, and returns their paths.

    weights: {name: float32 array in the tab's layout}, written in `weight_specs` order;
    metadata: the run's facts (name, trainingParams, accuracies, history …), completed here with
    the fields every model of the tab has.
    """
    os.makedirs(folder, exist_ok=True)
    blobs = []
    for spec in weight_specs:
        array = np.ascontiguousarray(weights[spec["name"]], dtype="<f4")
        if list(array.shape) != list(spec["shape"]):
            raise ValueError(f"weight {spec['name']} has shape {list(array.shape)}, "
                             f"expected {spec['shape']}")
        blobs.append(array.tobytes())
    weight_bytes = b"".join(blobs)
    weights_name = f"{base_name}.weights.bin"
    model_json = {
        "modelTopology": topology,
        "format": "layers-model",
        "generatedBy": f"TensorFlow.js tfjs-layers v{TFJS_VERSION}",
        "convertedBy": None,
        "weightsManifest": [{"paths": [f"./{weights_name}"], "weights": weight_specs}],
    }
    size_bytes = (len(_compact_json(topology).encode("utf-8"))
                  + len(_compact_json(weight_specs).encode("utf-8")) + len(weight_bytes))
    full_metadata = _json_value({
        "schemaVersion": MODEL_METADATA_SCHEMA_VERSION,
        "id": metadata["id"],
        "name": metadata["name"],
        "architectureId": metadata["trainingParams"]["architectureId"],
        "classNames": CLASS_NAMES,
        "inputShape": [IMAGE_SIZE_PX, IMAGE_SIZE_PX, 1],
        "normalization": "divide-by-255",
        "tfjsVersion": TFJS_VERSION,
        "createdAt": datetime.datetime.now(datetime.timezone.utc)
        .isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "sizeBytes": size_bytes,
        **{key: value for key, value in metadata.items() if key not in ("id", "name")},
    })
    paths = [os.path.join(folder, f"{base_name}.json"), os.path.join(folder, weights_name),
             os.path.join(folder, f"{base_name}.metadata.json")]
    with open(paths[0], "w", encoding="utf-8") as file:
        file.write(_compact_json(model_json))
    with open(paths[1], "wb") as file:
        file.write(weight_bytes)
    with open(paths[2], "w", encoding="utf-8") as file:
        json.dump(full_metadata, file, indent=2, ensure_ascii=False, allow_nan=False)
    return paths


def write_predictions_csv(path, labels, probabilities):
    """The tab's `Download test predictions` file: index, label, predicted and the ten class
    probabilities (float32 values written exactly)."""
    header = ["index", "label", "predicted"] + [f"p_{name}" for name in CLASS_NAMES]
    with open(path, "w", encoding="utf-8") as file:
        file.write(",".join(header) + "\n")
        for index, (label, row) in enumerate(zip(labels, probabilities)):
            values = ",".join(repr(float(np.float32(p))) for p in row)
            file.write(f"{index},{int(label)},{int(np.argmax(row))},{values}\n")
