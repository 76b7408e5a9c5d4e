"""miro_jax: MIRO (recurrent graph neural network for SMLM cluster analysis) in JAX/Flax."""

__version__ = "0.1.0"
