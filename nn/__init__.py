"""nn: layers, losses and initialisers built only from autograd Tensor operations."""
