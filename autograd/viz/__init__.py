"""Drawing the recorded graph: trace (graph.py), Graphviz rendering (dot.py), step-by-step backprop (steps.py)."""
from autograd.viz.dot import DotNotFoundError, GraphTooLargeError, GraphvizTimeoutError, draw_graph
from autograd.viz.graph import Graph, Node, trace
from autograd.viz.steps import BackpropSteps, Step, backprop_steps

__all__ = ["draw_graph", "backprop_steps", "trace", "Graph", "Node", "BackpropSteps", "Step",
           "GraphTooLargeError", "GraphvizTimeoutError", "DotNotFoundError"]
