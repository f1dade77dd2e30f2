"""ConvLens engine: a convolutional neural network in NumPy alone."""
