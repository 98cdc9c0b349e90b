#!/usr/bin/env python3
"""A Fashion-MNIST Studio run, exported to PyTorch: the tab's architecture, settings and recipe,
trained with DistributedDataParallel on as many processes, GPUs or machines as you give it.

    python3 train.py --path DATA_DIR                                  # one process
    torchrun --nproc_per_node 2 train.py --path DATA_DIR              # two processes
    python3 train.py --help                                           # every flag

DATA_DIR holds fashion-mnist_train.csv and fashion-mnist_test.csv (Kaggle), or the four IDX
files (gzipped or not). At the end the model is written in the tab's own format into --out;
open the three files in the tab with `Model files`. README.md has the details.
"""
import os
import sys
import time
from dataclasses import dataclass

import numpy as np
import torch
import torch.distributed as dist
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.parallel import DistributedDataParallel
from torch.utils.data import Sampler

import tab_compat as tab

# <<run-settings>>


# --- The model ------------------------------------------------------------------------------


class KerasBatchNorm(nn.Module):
    """Batch normalisation as the tab (TensorFlow.js, Keras) computes it: momentum 0.99 and
    epsilon 1e-3, and moving variance averaged from the biased batch variance (PyTorch's own
    BatchNorm averages the unbiased one). Normalises over every axis but the channels (dim 1).
    """

    def __init__(self, channels):
        super().__init__()
        self.gamma = nn.Parameter(torch.ones(channels))
        self.beta = nn.Parameter(torch.zeros(channels))
        self.register_buffer("moving_mean", torch.zeros(channels))
        self.register_buffer("moving_variance", torch.ones(channels))

    def forward(self, x):
        shape = [1, -1] + [1] * (x.dim() - 2)
        if self.training:
            axes = [0] + list(range(2, x.dim()))
            mean = x.mean(dim=axes)
            variance = x.var(dim=axes, unbiased=False)
            with torch.no_grad():
                keep = tab.BATCH_NORM_MOMENTUM
                self.moving_mean.mul_(keep).add_(mean.detach(), alpha=1 - keep)
                self.moving_variance.mul_(keep).add_(variance.detach(), alpha=1 - keep)
        else:
            mean, variance = self.moving_mean, self.moving_variance
        scale = self.gamma / torch.sqrt(variance + tab.BATCH_NORM_EPSILON)
        return (x - mean.view(shape)) * scale.view(shape) + self.beta.view(shape)


def flatten_nhwc(x):
    """[n, channels, height, width] → [n, height · width · channels], in Keras' order, so the
    first Dense layer's weights are the tab's row for row."""
    return x.permute(0, 2, 3, 1).flatten(1)


def init_like_keras(model):
    """Keras' initialisation: Glorot-uniform kernels, zero biases."""
    for module in model.modules():
        if isinstance(module, (nn.Conv2d, nn.Linear)):
            nn.init.xavier_uniform_(module.weight)
            nn.init.zeros_(module.bias)


# <<model>>


# --- Weights in the tab's layout ------------------------------------------------------------


def tab_weights_of(model):
    """{tab weight name: float32 array in the tab's layout} of `model`.

    Conv kernels go from PyTorch's [out, in, kh, kw] to [kh, kw, in, out], Dense kernels from
    [out, in] to [in, out]; BatchNorm's gamma, beta and moving statistics keep their names.
    """
    weights = {}
    for key, tensor in list(model.state_dict().items()):
        layer, attribute = key.split(".")
        array = tensor.detach().cpu().numpy()
        if attribute == "weight":
            attribute = "kernel"
            array = array.transpose(2, 3, 1, 0) if array.ndim == 4 else array.T
        weights[f"{layer}/{attribute}"] = np.ascontiguousarray(array, dtype=np.float32)
    return weights


def load_tab_weights(model, weights):
    """Puts weights read from the tab's files (tab_compat.read_tab_model) into `model`."""
    state = {}
    expected = tab_weights_of(model)
    for name, reference in expected.items():
        if name not in weights:
            raise tab.DatasetError(f"The tab's model files have no weight {name}; they are not "
                                   f"a {ARCHITECTURE_ID} model.")
        array = np.asarray(weights[name], dtype=np.float32)
        if array.shape != reference.shape:
            raise tab.DatasetError(f"Weight {name} has shape {list(array.shape)} in the tab's "
                                   f"files; {ARCHITECTURE_ID} needs {list(reference.shape)}.")
        layer, attribute = name.split("/")
        if attribute == "kernel":
            attribute = "weight"
            array = array.transpose(3, 2, 0, 1) if array.ndim == 4 else array.T
        state[f"{layer}.{attribute}"] = torch.from_numpy(np.array(array, dtype=np.float32))
    model.load_state_dict(state)


# --- Processes ------------------------------------------------------------------------------


@dataclass
class Processes:
    """This process's place in the run: torchrun's (or your launcher's) env:// variables."""

    rank: int
    size: int
    device: torch.device

    @property
    def is_main(self):
        return self.rank == 0


def start_processes(device_choice):
    """Joins the process group when started by torchrun (or with RANK and WORLD_SIZE set):
    NCCL between GPUs, gloo on CPUs. A plain `python3 train.py` is a group of one."""
    size = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", "0"))
    use_cuda = torch.cuda.is_available() if device_choice == "auto" else device_choice == "cuda"
    if use_cuda:
        torch.cuda.set_device(local_rank)
        device = torch.device("cuda", local_rank)
    else:
        device = torch.device("cpu")
        if "OMP_NUM_THREADS" not in os.environ:
            # The processes of one machine share its cores.
            cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
            local_size = int(os.environ.get("LOCAL_WORLD_SIZE", str(size)))
            torch.set_num_threads(max(1, (cores or 1) // local_size))
    if size > 1:
        dist.init_process_group("nccl" if use_cuda else "gloo", init_method="env://")
    return Processes(rank, size, device)


def sum_over_processes(values, processes):
    """Element-wise sum of a float64 tensor over every process (itself when alone)."""
    if processes.size > 1:
        dist.all_reduce(values, op=dist.ReduceOp.SUM)
    return values


def agree_on_seed(seed, processes):
    """The run's seed: the one given, else one drawn by process 0 and shared with the others."""
    if seed is None:
        seed = int(np.random.default_rng().integers(0, 2**32))
    value = torch.tensor([seed], dtype=torch.int64, device=processes.device)  # NCCL: on the GPU
    if processes.size > 1:
        dist.broadcast(value, 0)
    return int(value.item())


def log(processes, *parts):
    if processes.is_main:
        print(*parts, flush=True)


# --- Data -----------------------------------------------------------------------------------


@dataclass
class Data:
    """The splits as uint8 images [n, 28, 28] and labels [n]; test is None without test files."""

    train: tuple
    validation: tuple
    test: tuple


def load_data(path, validation_fraction):
    """Reads the dataset in `path` and holds out the last share of the training file."""
    files = tab.find_dataset_files(path)
    train = tab.read_split(files["train"], "train")
    if train is None:
        raise tab.DatasetError(f"{path} holds no training data: expected fashion-mnist_train.csv, "
                               f"or train-images-idx3-ubyte and train-labels-idx1-ubyte.")
    train, validation = tab.split_for_validation(*train, validation_fraction)
    return Data(train, validation, tab.read_split(files["test"], "test"))


def to_input(images, device):
    """uint8 [n, 28, 28] → float32 [n, 1, 28, 28] in [0, 1], the model's input."""
    return torch.from_numpy(np.array(images, dtype=np.uint8)).to(device).unsqueeze(1).float() / 255


class TabBatchSampler(Sampler):
    """This process's share of the tab's batches, one epoch at a time.

    It plays DistributedSampler's part, but splits each step's batch instead of the whole
    epoch, so that the global batch of every step is the tab's: step s of epoch e is the tab's
    batch, rows s·B … (s + 1)·B − 1 of tab_compat.epoch_order(n, seed, e), and process r of N
    takes that batch's rows r, r + N, r + 2N … (DistributedSampler's split, within the batch).
    Call set_epoch(e) before each epoch, as with DistributedSampler. Yields int64 arrays of
    row indices into the training split; len() is the number of steps in an epoch.
    """

    def __init__(self, row_count, batch_size, seed, rank, size):
        super().__init__(None)
        self.row_count, self.batch_size, self.seed = row_count, batch_size, seed
        self.rank, self.size = rank, size
        self.epoch = 0

    def set_epoch(self, epoch):
        self.epoch = epoch

    def __len__(self):
        return -(-self.row_count // self.batch_size)

    def global_batch_rows(self, step):
        """Rows in step `step`'s whole batch, over every process (the last may be short)."""
        return min(self.batch_size, self.row_count - step * self.batch_size)

    def __iter__(self):
        order = tab.epoch_order(self.row_count, self.seed, self.epoch)
        for start in range(0, self.row_count, self.batch_size):
            yield order[start:start + self.batch_size][self.rank::self.size]


def training_batch(split, rows, seed, epoch, recipe, device):
    """Inputs and (smoothed) targets of training `rows`, each image flipped and shifted as the
    tab would flip and shift that row in that epoch."""
    images, labels = split[0][rows], split[1][rows]
    if recipe["augmentFlip"] or recipe["augmentShiftPx"] > 0:
        draws = tab.augmentation_of(recipe["augmentFlip"], recipe["augmentShiftPx"], seed, epoch, rows)
        images = tab.augment_images(images, *draws)
    targets = tab.smoothed_targets(labels, recipe["labelSmoothing"])
    return to_input(images, device), torch.from_numpy(targets).to(device)


# --- Evaluation -----------------------------------------------------------------------------


@torch.no_grad()
def predict_probabilities(model, images, device, mirrored=False):
    """Class probabilities float32 [n, 10] of uint8 [n, 28, 28] images (or of their mirrors)."""
    model.eval()
    chunks = []
    for start in range(0, len(images), tab.EVALUATION_BATCH_SIZE):
        xs = to_input(images[start:start + tab.EVALUATION_BATCH_SIZE], device)
        chunks.append(F.softmax(model(xs.flip(3) if mirrored else xs), dim=1).cpu())
    return torch.cat(chunks) if chunks else torch.zeros(0, tab.NUM_CLASSES)


def evaluate(model, split, processes, flip_average=False):
    """Loss (Keras' clipped cross-entropy) and accuracy on `split`, each process scoring its
    own block of rows; with `flip_average`, also of the mean of each image's and its mirror's
    probabilities. NaN for an empty split."""
    images, labels = split
    start = processes.rank * len(labels) // processes.size
    end = (processes.rank + 1) * len(labels) // processes.size
    truth = torch.from_numpy(labels[start:end].astype(np.int64))
    plain = predict_probabilities(model, images[start:end], processes.device)
    candidates = [plain]
    if flip_average:
        candidates.append((plain + predict_probabilities(model, images[start:end], processes.device,
                                                         mirrored=True)) / 2)
    sums = []
    for probabilities in candidates:
        p_true = probabilities[torch.arange(len(truth)), truth].double()
        clipped = p_true.clamp(tab.CROSS_ENTROPY_EPSILON, 1 - tab.CROSS_ENTROPY_EPSILON)
        sums += [-torch.log(clipped).sum(), (probabilities.argmax(1) == truth).sum().double()]
    totals = sum_over_processes(torch.stack(sums).to(processes.device), processes).cpu()
    count = len(labels)
    mean = [float(v) / count if count else float("nan") for v in totals.tolist()]
    result = {"loss": mean[0], "accuracy": mean[1]}
    if flip_average:
        result["flipAveraged"] = {"loss": mean[2], "accuracy": mean[3]}
    return result


def share_buffers(model, processes):
    """Gives every process process 0's BatchNorm statistics (each process updates its own
    copy from its part of a batch; DDP copies process 0's at the start of every step)."""
    if processes.size > 1:
        for buffer in model.buffers():
            dist.broadcast(buffer, 0)


# --- Training -------------------------------------------------------------------------------


class TfjsRMSprop(torch.optim.Optimizer):
    """RMSprop as TensorFlow.js computes it (decay 0.9, epsilon 1e-7 inside the square root):
    w ← w − lr · g / √(ms + ε). PyTorch's own adds ε outside the root."""

    def __init__(self, params, lr):
        super().__init__(params, {"lr": lr})

    @torch.no_grad()
    def step(self):
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is None:
                    continue
                mean_square = self.state[p].setdefault("mean_square", torch.zeros_like(p))
                mean_square.mul_(tab.RMSPROP_DECAY).addcmul_(p.grad, p.grad, value=1 - tab.RMSPROP_DECAY)
                p.addcdiv_(p.grad, (mean_square + tab.TFJS_EPSILON).sqrt(), value=-group["lr"])


def create_optimizer(model, params):
    """The optimizer of the tab's settings, with TensorFlow.js's constants."""
    name, lr = params["optimizer"], params["learningRate"]
    if name == "adam":
        return torch.optim.Adam(model.parameters(), lr=lr, eps=tab.TFJS_EPSILON)
    if name == "sgd-momentum":
        return torch.optim.SGD(model.parameters(), lr=lr, momentum=tab.SGD_MOMENTUM)
    return TfjsRMSprop(model.parameters(), lr)


def check_batches_fit(train_count, batch_size, processes):
    """Every step must give each process at least one row (BatchNorm needs it)."""
    if train_count == 0:
        raise tab.SettingsError("No training rows are left after the validation split.")
    last = train_count % batch_size or batch_size
    if min(batch_size, last) < processes.size:
        raise tab.SettingsError(
            f"With {processes.size} processes each batch needs at least {processes.size} rows, "
            f"but the last batch of every epoch has {last} ({train_count} training rows, batch "
            f"size {batch_size}). Use fewer processes or another batch size.")


def train(model, data, params, seed, processes, monitor_test):
    """The tab's training loop, in data parallel.

    Every step takes this process's share of the tab's batch (TabBatchSampler: its rows of
    this epoch's order, flipped and shifted as the tab would). Each process's loss is scaled
    so that DDP's mean of the gradients is the gradient of the whole batch's mean loss: the
    global batch is the tab's.
    After each step: the schedule's learning rate for the next one, and decoupled weight decay
    on conv and dense kernels. After each epoch: validation, the best epoch (by validation
    accuracy) and early stopping, as in the tab. Returns (history, kept epoch or None).
    """
    recipe = params["recipe"]
    batch_size, epochs = params["batchSize"], params["epochs"]
    train_count = len(data.train[1])
    sampler = TabBatchSampler(train_count, batch_size, seed, processes.rank, processes.size)
    steps_per_epoch = len(sampler)
    on_gpu = processes.device.type == "cuda"
    network = (DistributedDataParallel(model, device_ids=[processes.device.index] if on_gpu else None)
               if processes.size > 1 else model)
    optimizer = create_optimizer(model, params)
    kernels = [m.weight for m in model.modules() if isinstance(m, (nn.Conv2d, nn.Linear))]
    tracks_best = recipe["keepBestWeights"] or recipe["earlyStoppingPatience"] > 0
    best, history, started = None, [], time.perf_counter()
    if epochs > 0:
        check_batches_fit(train_count, batch_size, processes)

    def rate_of(step):
        return tab.learning_rate_at(recipe["lrSchedule"], params["learningRate"], epochs,
                                    steps_per_epoch, step)

    for epoch in range(epochs):
        network.train()
        sampler.set_epoch(epoch)
        sums = torch.zeros(2, dtype=torch.float64, device=processes.device)
        for step, rows in enumerate(sampler):
            xs, targets = training_batch(data.train, rows, seed, epoch, recipe, processes.device)
            learning_rate = rate_of(epoch * steps_per_epoch + step)
            for group in optimizer.param_groups:
                group["lr"] = learning_rate
            logits = network(xs)
            row_losses = -(targets * F.log_softmax(logits, dim=1)).sum(dim=1)
            loss = row_losses.sum() * processes.size / sampler.global_batch_rows(step)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            if recipe["weightDecay"] > 0:
                with torch.no_grad():
                    for kernel in kernels:
                        kernel.mul_(1 - learning_rate * recipe["weightDecay"])
            correct = (logits.argmax(1) == targets.argmax(1)).sum()
            sums += torch.stack([row_losses.detach().sum().double(), correct.double()])
        loss_sum, correct_sum = sum_over_processes(sums, processes).tolist()
        share_buffers(model, processes)
        metrics = {"epoch": epoch, "loss": loss_sum / train_count,
                   "accuracy": correct_sum / train_count}
        validation = evaluate(model, data.validation, processes)
        metrics.update(valLoss=validation["loss"], valAccuracy=validation["accuracy"])
        if monitor_test and data.test is not None:
            test = evaluate(model, data.test, processes)
            metrics.update(testLoss=test["loss"], testAccuracy=test["accuracy"])
        metrics.update(elapsedMs=(time.perf_counter() - started) * 1000,
                       learningRate=rate_of(epoch * steps_per_epoch))
        history.append(metrics)
        log(processes, tab.format_epoch(metrics, epochs))
        if tracks_best and tab.is_better_epoch(metrics, best):
            weights = {k: v.detach().clone() for k, v in model.state_dict().items()}
            best = {"epoch": epoch, "valAccuracy": metrics["valAccuracy"], "weights": weights}
        if tab.is_patience_over(epoch, epochs, best, recipe["earlyStoppingPatience"]):
            log(processes, f"stopping early: no better validation accuracy since epoch "
                           f"{best['epoch'] + 1}")
            break
    if recipe["keepBestWeights"] and best:
        model.load_state_dict(best["weights"])
        log(processes, f"kept the weights of epoch {best['epoch'] + 1} (best validation accuracy)")
        return history, best["epoch"]
    return history, None


# --- The run --------------------------------------------------------------------------------


def finish(model, data, params, history, kept_epoch, processes, flags, started):
    """Test accuracy, then (process 0) the model files, history.csv and the predictions.
    kept_epoch: train()'s, the epoch whose weights the model holds (None: the last)."""
    recipe = params["recipe"]
    test = evaluate(model, data.test, processes, recipe["testTimeFlip"]) if data.test else None
    if test:
        correct = round(test["accuracy"] * len(data.test[1]))
        log(processes, f"test accuracy {100 * test['accuracy']:.2f} % "
                       f"({correct} of {len(data.test[1])})")
        if "flipAveraged" in test:
            log(processes, f"test accuracy with flip averaging "
                           f"{100 * test['flipAveraged']['accuracy']:.2f} %")
    log(processes, f"wall time {time.perf_counter() - started:.1f} s")
    if not processes.is_main:
        return
    plural = "" if processes.size == 1 else "es"
    metadata = tab.model_metadata(
        ARCHITECTURE_ID, params, history, test["accuracy"] if test else None,
        name=f"{ARCHITECTURE_ID} (PyTorch, {processes.size} process{plural})",
        trained_with=f"PyTorch {torch.__version__}, {processes.size} process{plural} on "
                     f"{processes.device.type}",
        kept_epoch=kept_epoch)
    tab_format = tab.read_tab_format(TAB_FORMAT_FILE)
    paths = tab.write_tab_model(flags.out, ARCHITECTURE_ID, tab_weights_of(model),
                                tab_format["modelTopology"], tab_format["weightSpecs"], metadata)
    tab.write_history_csv(os.path.join(flags.out, "history.csv"), history)
    log(processes, "model files (open them in the tab with `Model files`):", *paths)
    if flags.predictions_csv and data.test:
        probabilities = predict_probabilities(model, data.test[0], processes.device)
        tab.write_predictions_csv(flags.predictions_csv, data.test[1], probabilities.numpy())


def add_device_flag(parser):
    parser.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                        help="auto: a GPU per process when there are GPUs, else the CPU")


def main(argv):
    flags = tab.parse_flags(argv, TRAINING_PARAMS, INIT_FROM, __doc__.split("\n\n")[0],
                            add_device_flag)
    processes = start_processes(flags.device)
    started = time.perf_counter()
    params = tab.training_params_of(flags, ARCHITECTURE_ID)
    data = load_data(flags.path, params["validationFraction"])
    seed = agree_on_seed(params["seed"], processes)
    params["seed"] = seed
    torch.manual_seed(seed)
    model = MODEL_CLASS().to(processes.device)
    if flags.init_from and not flags.fresh:
        weights, _ = tab.read_tab_model(flags.init_from)
        load_tab_weights(model, weights)
        log(processes, f"starting from the weights in {flags.init_from}")
    else:
        # The weights the tab starts this seed's run from, so the run is the tab's from step 1.
        load_tab_weights(model, tab.initial_weights(
            tab.read_tab_format(TAB_FORMAT_FILE)["weightSpecs"], seed))
    # Every process starts from the same weights; each then draws its own dropout masks.
    torch.manual_seed(seed + 1 + processes.rank)
    log(processes, f"{ARCHITECTURE_ID}: {sum(p.numel() for p in model.parameters()):,} trainable "
                   f"parameters; {len(data.train[1]):,} training rows, "
                   f"{len(data.validation[1]):,} validation, "
                   f"{len(data.test[1]) if data.test else 0:,} test; {processes.size} process(es) "
                   f"on {processes.device.type}; seed {seed}")
    if flags.initial_predictions_csv and data.test and processes.is_main:
        # The starting weights' answers, before the first step changes them: what the tab
        # predicted with the model it exported.
        probabilities = predict_probabilities(model, data.test[0], processes.device)
        tab.write_predictions_csv(flags.initial_predictions_csv, data.test[1],
                                  probabilities.numpy())
    history, kept_epoch = train(model, data, params, seed, processes, flags.monitor_test)
    finish(model, data, params, history, kept_epoch, processes, flags, started)
    if processes.size > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (tab.DatasetError, tab.SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
