#!/usr/bin/env python3
"""A Fashion-MNIST Studio run, exported to Keras (TensorFlow 2): the tab's architecture,
settings and recipe, trained under tf.distribute on every GPU of a machine
(MirroredStrategy) or on several machines (MultiWorkerMirroredStrategy, from TF_CONFIG).

    python3 train.py --path DATA_DIR                 # one machine, all its GPUs (or the CPU)
    TF_CONFIG='{"cluster": …, "task": …}' python3 train.py --path DATA_DIR   # one worker of several
    python3 train.py --help                          # every flag

This script was generated and checked (it compiles; its layers, shapes and parameter counts
are the tab's) but not run where it was made, which had no TensorFlow. At the end the model
is written as <architecture>.keras, as <architecture>.h5 for the tensorflowjs converter, and
in the tab's own format (open the three files in the tab with `Model files`).
"""
import json
import os
import shutil
import sys
import tempfile
import time

import numpy as np

import tab_compat as tab

# <<run-settings>>

# <<layers>>


# --- The model ------------------------------------------------------------------------------


def build_model(keras):
    """The Keras model of LAYERS: the tab's layers with its names and Keras' defaults
    (Glorot-uniform kernels, zero biases, BatchNorm momentum 0.99 and epsilon 1e-3)."""
    layers = [keras.Input(shape=(tab.IMAGE_SIZE_PX, tab.IMAGE_SIZE_PX, 1))]
    for spec in LAYERS:
        kind, name = spec["kind"], spec["name"]
        if kind == "batchnorm":
            layers.append(keras.layers.BatchNormalization(
                momentum=tab.BATCH_NORM_MOMENTUM, epsilon=tab.BATCH_NORM_EPSILON, name=name))
        elif kind == "conv":
            layers.append(keras.layers.Conv2D(
                spec["filters"], 3, padding=spec["padding"], activation="relu",
                kernel_initializer="glorot_uniform", bias_initializer="zeros", name=name))
        elif kind == "maxpool":
            layers.append(keras.layers.MaxPooling2D(spec["sizePx"], name=name))
        elif kind == "dropout":
            layers.append(keras.layers.Dropout(spec["rate"], name=name))
        elif kind == "flatten":
            layers.append(keras.layers.Flatten(name=name))
        elif kind == "dense":
            layers.append(keras.layers.Dense(
                spec["units"], activation=spec["activation"],
                kernel_initializer="glorot_uniform", bias_initializer="zeros", name=name))
        else:
            raise ValueError(f"Unknown layer kind {kind!r} in LAYERS")
    return keras.Sequential(layers, name=MODEL_NAME)


def tab_weight_name(layer, weight):
    """`conv1/kernel`: the tab's name of a Keras weight (Keras 2 names it `conv1/kernel:0`,
    Keras 3 `kernel`)."""
    return f"{layer.name}/{weight.name.split('/')[-1].split(':')[0]}"


def tab_weights_of(model):
    """{tab weight name: float32 array}; Keras' layouts are the tab's, so nothing moves."""
    return {tab_weight_name(layer, weight): np.asarray(weight.numpy(), dtype=np.float32)
            for layer in model.layers for weight in layer.weights}


def load_tab_weights(model, weights):
    """Puts weights read from the tab's files (tab_compat.read_tab_model) into `model`."""
    for layer in model.layers:
        values = []
        for weight in layer.weights:
            name = tab_weight_name(layer, weight)
            if name not in weights or tuple(weights[name].shape) != tuple(weight.shape):
                raise tab.DatasetError(f"The tab's model files have no weight {name} of shape "
                                       f"{list(weight.shape)}; they are not a {ARCHITECTURE_ID} model.")
            values.append(weights[name])
        if values:
            layer.set_weights(values)


# --- Data -----------------------------------------------------------------------------------


def load_data(path, validation_fraction):
    """(train, validation, test): uint8 images [n, 28, 28] and labels [n]; test is None
    without test files. Validation is the last share of the training file."""
    files = tab.find_dataset_files(path)
    train = tab.read_split(files["train"], "train")
    if train is None:
        raise tab.DatasetError(f"{path} holds no training data: expected fashion-mnist_train.csv, "
                               f"or train-images-idx3-ubyte and train-labels-idx1-ubyte.")
    train, validation = tab.split_for_validation(*train, validation_fraction)
    return train, validation, tab.read_split(files["test"], "test")


def to_input(images):
    """uint8 [n, 28, 28] → float32 [n, 28, 28, 1] in [0, 1], the model's input."""
    return (np.asarray(images, dtype=np.float32) / 255)[..., np.newaxis]


def training_batch(split, rows, seed, epoch, recipe):
    """Inputs and (smoothed) targets of training `rows`, each image flipped and shifted as the
    tab would flip and shift that row in that epoch."""
    images, labels = split[0][rows], split[1][rows]
    if recipe["augmentFlip"] or recipe["augmentShiftPx"] > 0:
        draws = tab.augmentation_of(recipe["augmentFlip"], recipe["augmentShiftPx"], seed, epoch, rows)
        images = tab.augment_images(images, *draws)
    return to_input(images), tab.smoothed_targets(labels, recipe["labelSmoothing"])


# --- Evaluation -----------------------------------------------------------------------------


def predict_probabilities(model, images, mirrored=False):
    """Class probabilities float32 [n, 10] of uint8 [n, 28, 28] images (or of their mirrors)."""
    chunks = []
    for start in range(0, len(images), tab.EVALUATION_BATCH_SIZE):
        xs = to_input(images[start:start + tab.EVALUATION_BATCH_SIZE])
        if mirrored:
            xs = np.ascontiguousarray(xs[:, :, ::-1])  # axis 2 is the width: left–right
        chunks.append(np.asarray(model(xs, training=False)))
    return np.concatenate(chunks) if chunks else np.zeros((0, tab.NUM_CLASSES), np.float32)


def evaluate(model, split, flip_average=False):
    """Loss (Keras' clipped cross-entropy, as the tab's) and accuracy on `split`; with
    `flip_average`, also of the mean of each image's and its mirror's probabilities."""
    images, labels = split
    plain = predict_probabilities(model, images)
    candidates = {"plain": plain}
    if flip_average:
        candidates["flipAveraged"] = (plain + predict_probabilities(model, images, True)) / 2
    scores = {}
    for key, probabilities in candidates.items():
        p_true = probabilities[np.arange(len(labels)), labels.astype(np.int64)].astype(np.float64)
        clipped = np.clip(p_true, tab.CROSS_ENTROPY_EPSILON, 1 - tab.CROSS_ENTROPY_EPSILON)
        count = len(labels)
        scores[key] = {"loss": float(-np.log(clipped).sum() / count) if count else float("nan"),
                       "accuracy": float((probabilities.argmax(1) == labels).mean())
                       if count else float("nan")}
    result = scores["plain"]
    if flip_average:
        result["flipAveraged"] = scores["flipAveraged"]
    return result


# --- Training -------------------------------------------------------------------------------


def create_strategy(tf):
    """MultiWorkerMirroredStrategy when TF_CONFIG names several workers, else
    MirroredStrategy over this machine's GPUs (or its CPU)."""
    cluster = json.loads(os.environ.get("TF_CONFIG", "{}")).get("cluster", {})
    if len(cluster.get("worker", [])) > 1:
        return tf.distribute.MultiWorkerMirroredStrategy()
    return tf.distribute.MirroredStrategy()


def create_optimizer(keras, params):
    """The optimizer of the tab's settings with TensorFlow.js's constants (epsilon 1e-7;
    RMSprop decay 0.9; SGD momentum 0.9)."""
    name, lr = params["optimizer"], params["learningRate"]
    if name == "adam":
        return keras.optimizers.Adam(learning_rate=lr, epsilon=tab.TFJS_EPSILON)
    if name == "sgd-momentum":
        return keras.optimizers.SGD(learning_rate=lr, momentum=tab.SGD_MOMENTUM)
    return keras.optimizers.RMSprop(learning_rate=lr, rho=tab.RMSPROP_DECAY, epsilon=tab.TFJS_EPSILON)


def make_train_step(tf, keras, model, optimizer, strategy, weight_decay):
    """One distributed step: each replica's loss is its rows' summed cross-entropy over the
    global batch's row count, so the replicas' summed gradients are the whole batch's; then
    decoupled weight decay on the conv and dense kernels (in cross-replica context)."""
    kernels = [w for layer in model.layers for w in layer.weights
               if tab_weight_name(layer, w).endswith("/kernel")]

    def replica_step(xs, targets, global_rows):
        with tf.GradientTape() as tape:
            probabilities = model(xs, training=True)
            row_losses = keras.losses.categorical_crossentropy(targets, probabilities)
            loss = tf.reduce_sum(row_losses) / global_rows
        gradients = tape.gradient(loss, model.trainable_variables)
        optimizer.apply_gradients(zip(gradients, model.trainable_variables))
        correct = tf.reduce_sum(tf.cast(
            tf.argmax(probabilities, 1) == tf.argmax(targets, 1), tf.float32))
        return tf.reduce_sum(row_losses), correct

    @tf.function
    def train_step(batch, global_rows, learning_rate):
        losses, corrects = strategy.run(replica_step, args=(*batch, global_rows))
        if weight_decay > 0:
            for kernel in kernels:
                kernel.assign(kernel * (1 - learning_rate * weight_decay))
        sum_ = tf.distribute.ReduceOp.SUM
        return strategy.reduce(sum_, losses, axis=None), strategy.reduce(sum_, corrects, axis=None)

    return train_step


def train(tf, keras, model, optimizer, strategy, data, params, seed, monitor_test):
    """The tab's training loop under `strategy`: every step takes the tab's batch (its rows
    of this epoch's order, flipped and shifted as the tab would) and gives replica r of N the
    rows r, r + N, r + 2N …; the learning rate of each step from the schedule; after each
    epoch validation, the best epoch and early stopping, as in the tab. Returns (history, kept
    epoch or None): the 0-based epoch whose weights the model ends with when it keeps the best.
    """
    recipe = params["recipe"]
    (train_images, train_labels), validation, test = data
    batch_size, epochs = params["batchSize"], params["epochs"]
    train_count = len(train_labels)
    steps_per_epoch = -(-train_count // batch_size)
    replicas = strategy.num_replicas_in_sync
    if epochs > 0 and min(batch_size, train_count % batch_size or batch_size) < replicas:
        raise tab.SettingsError(f"Every batch needs at least {replicas} rows (one per replica); "
                                f"use another batch size.")
    train_step = make_train_step(tf, keras, model, optimizer, strategy, recipe["weightDecay"])
    tracks_best = recipe["keepBestWeights"] or recipe["earlyStoppingPatience"] > 0
    best, history, started = None, [], time.perf_counter()

    def rate_of(step):
        return tab.learning_rate_at(recipe["lrSchedule"], params["learningRate"], epochs,
                                    steps_per_epoch, step)

    for epoch in range(epochs):
        order = tab.epoch_order(train_count, seed, epoch)
        loss_sum, correct_sum = 0.0, 0.0
        for step in range(steps_per_epoch):
            rows = order[step * batch_size:(step + 1) * batch_size]

            def replica_batch(context, rows=rows, epoch=epoch):
                mine = rows[context.replica_id_in_sync_group::context.num_replicas_in_sync]
                xs, targets = training_batch((train_images, train_labels), mine, seed, epoch, recipe)
                return tf.constant(xs), tf.constant(targets)

            batch = strategy.experimental_distribute_values_from_function(replica_batch)
            learning_rate = rate_of(epoch * steps_per_epoch + step)
            optimizer.learning_rate.assign(learning_rate)
            losses, corrects = train_step(batch, tf.constant(len(rows), tf.float32),
                                          tf.constant(learning_rate, tf.float32))
            loss_sum += float(losses)
            correct_sum += float(corrects)
        metrics = {"epoch": epoch, "loss": loss_sum / train_count,
                   "accuracy": correct_sum / train_count}
        scores = evaluate(model, validation)
        metrics.update(valLoss=scores["loss"], valAccuracy=scores["accuracy"])
        if monitor_test and test is not None:
            scores = evaluate(model, test)
            metrics.update(testLoss=scores["loss"], testAccuracy=scores["accuracy"])
        metrics.update(elapsedMs=(time.perf_counter() - started) * 1000,
                       learningRate=rate_of(epoch * steps_per_epoch))
        history.append(metrics)
        print(tab.format_epoch(metrics, epochs), flush=True)
        if tracks_best and tab.is_better_epoch(metrics, best):
            best = {"epoch": epoch, "valAccuracy": metrics["valAccuracy"],
                    "weights": model.get_weights()}
        if tab.is_patience_over(epoch, epochs, best, recipe["earlyStoppingPatience"]):
            print(f"stopping early: no better validation accuracy since epoch {best['epoch'] + 1}")
            break
    if recipe["keepBestWeights"] and best:
        model.set_weights(best["weights"])
        print(f"kept the weights of epoch {best['epoch'] + 1} (best validation accuracy)")
        return history, best["epoch"]
    return history, None


# --- The run --------------------------------------------------------------------------------


def finish(tf, model, data, params, history, kept_epoch, flags, is_chief):
    """Test accuracy, then the .keras and .h5 files, the tab's model files, history.csv and
    the predictions (kept_epoch: train()'s, the epoch whose weights the model holds). Every
    worker reads the weights and saves (reading BatchNorm's statistics is a collective
    operation under MultiWorkerMirroredStrategy); only the chief keeps what it wrote, the
    others write into a temporary folder."""
    test_split = data[2]
    test = evaluate(model, test_split, params["recipe"]["testTimeFlip"]) if test_split else None
    if test:
        print(f"test accuracy {100 * test['accuracy']:.2f} % "
              f"({round(test['accuracy'] * len(test_split[1]))} of {len(test_split[1])})")
        if "flipAveraged" in test:
            print(f"test accuracy with flip averaging {100 * test['flipAveraged']['accuracy']:.2f} %")
    out = flags.out if is_chief else tempfile.mkdtemp()
    os.makedirs(out, exist_ok=True)
    weights = tab_weights_of(model)
    predictions = (predict_probabilities(model, test_split[0])
                   if flags.predictions_csv and test_split else None)
    model.save(os.path.join(out, f"{ARCHITECTURE_ID}.keras"))
    model.save(os.path.join(out, f"{ARCHITECTURE_ID}.h5"))
    if not is_chief:
        shutil.rmtree(out, ignore_errors=True)
        return
    metadata = tab.model_metadata(
        ARCHITECTURE_ID, params, history, test["accuracy"] if test else None,
        name=f"{ARCHITECTURE_ID} (Keras)", trained_with=f"TensorFlow {tf.__version__}",
        kept_epoch=kept_epoch)
    tab_format = tab.read_tab_format(TAB_FORMAT_FILE)
    paths = tab.write_tab_model(out, ARCHITECTURE_ID, weights, tab_format["modelTopology"],
                                tab_format["weightSpecs"], metadata)
    tab.write_history_csv(os.path.join(out, "history.csv"), history)
    print("model files (open them in the tab with `Model files`):", *paths)
    if predictions is not None:
        tab.write_predictions_csv(flags.predictions_csv, test_split[1], predictions)


def main(argv):
    flags = tab.parse_flags(argv, TRAINING_PARAMS, INIT_FROM, __doc__.split("\n\n")[0])
    params = tab.training_params_of(flags, ARCHITECTURE_ID)
    data = load_data(flags.path, params["validationFraction"])
    import tensorflow as tf  # after the flags and data are checked: TensorFlow starts slowly
    keras = tf.keras
    strategy = create_strategy(tf)
    # Every worker must draw the same rows: a run without a seed takes one from the time,
    # which workers started together share only by chance, so several workers need --seed.
    seed = params["seed"] if params["seed"] is not None else int(time.time()) & tab.UINT32_MASK
    params["seed"] = seed
    keras.utils.set_random_seed(seed)
    with strategy.scope():
        model = build_model(keras)
        optimizer = create_optimizer(keras, params)
    if flags.init_from and not flags.fresh:
        load_tab_weights(model, tab.read_tab_model(flags.init_from)[0])
        print(f"starting from the weights in {flags.init_from}")
    else:
        # The weights the tab starts this seed's run from, so the run is the tab's from step 1.
        load_tab_weights(model, tab.initial_weights(
            tab.read_tab_format(TAB_FORMAT_FILE)["weightSpecs"], seed))
    print(f"{ARCHITECTURE_ID}: {model.count_params():,} parameters; "
          f"{strategy.num_replicas_in_sync} replica(s); seed {seed}")
    resolver = getattr(strategy, "cluster_resolver", None)
    is_chief = resolver is None or resolver.task_type in (None, "chief") or (
        resolver.task_type == "worker" and resolver.task_id == 0)
    test_split = data[2]
    if flags.initial_predictions_csv and test_split and is_chief:
        # The starting weights' answers, before the first step changes them.
        tab.write_predictions_csv(flags.initial_predictions_csv, test_split[1],
                                  predict_probabilities(model, test_split[0]))
    history, kept_epoch = train(tf, keras, model, optimizer, strategy, data, params, seed,
                                flags.monitor_test)
    finish(tf, model, data, params, history, kept_epoch, flags, is_chief)


if __name__ == "__main__":
    try:
        main(sys.argv[1:])
    except (tab.DatasetError, tab.SettingsError) as error:
        print(f"error: {error}", file=sys.stderr)
        sys.exit(2)
