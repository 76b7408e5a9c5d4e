"""Training entry point: python -m miro_jax.main --config configs/<file>.py[:arg] --workdir DIR."""

import sys

from absl import app, flags, logging
from ml_collections import config_flags

from miro_jax import train

FLAGS = flags.FLAGS
flags.DEFINE_string("workdir", None, "Directory for checkpoints, metrics and the final model.")
config_flags.DEFINE_config_file("config", None, "Training config file.", lock_config=True)
flags.mark_flags_as_required(["config", "workdir"])


def main(argv):
    del argv
    logging.set_verbosity(logging.WARNING)  # orbax logs every file it writes at INFO
    try:
        train.train_and_evaluate(FLAGS.config, FLAGS.workdir)
    except (train.TrainingSetupError, FileNotFoundError) as err:
        print(f"miro: error: {err}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    app.run(main)
