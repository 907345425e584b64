"""Drawing the recorded graph: trace (graph.py), draw_graph (draw.py; Graphviz rendering in dot.py,
imported only when a drawing is made), step-by-step backprop (steps.py: recorded through the engine's
observer hook; rules.py puts names and shapes into the primitives' rules; layers.py the layer view;
page.py + page.js + page.css the step page; values.py small matrices), collapsed modules
(collapse.py), size limits (limits.py)."""
from autograd.viz.draw import draw_graph
from autograd.viz.graph import Graph, Node, trace
from autograd.viz.limits import (
           DotNotFoundError,
           GraphTooLargeError,
           GraphvizTimeoutError,
)
from autograd.viz.layers import LayerStep
from autograd.viz.steps import BackpropSteps, Step, backprop_steps

__all__ = ["draw_graph", "backprop_steps", "trace", "Graph", "Node", "BackpropSteps", "Step", "LayerStep",
           "GraphTooLargeError", "GraphvizTimeoutError", "DotNotFoundError"]
