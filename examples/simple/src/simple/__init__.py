"""simple: the sample project `perfanity bench` measures when given no matrix file."""
__version__ = "1.0"
