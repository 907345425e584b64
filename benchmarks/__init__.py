"""chalkgrad benchmarks (SPEC section 8): speed and memory against a hand-written numpy
reference and PyTorch, measured in the same run, each case in a fresh process.

    python -m benchmarks [--quick] [--only W2,W4] [--json PATH] [--no-torch]

Workloads: W1 scalar graph (micrograd's demo), W2 MLP training step, W3 deep chain,
W4 small CNN training step, W5 per-operation overhead, W6 convolution operations (conv1d,
conv_transpose2d), memory of W2/W4, drawing.
See benchmarks/README.md for what each measures and how to read the ratios.
"""
