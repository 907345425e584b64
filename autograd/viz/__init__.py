"""Drawing the recorded graph: trace, Graphviz rendering, step-by-step backprop."""
