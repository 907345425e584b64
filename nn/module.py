"""Module, Parameter, Sequential, ModuleList: the containers every layer is built from.

A Module finds its parameters, buffers and submodules by looking at its own attributes
(also inside lists, tuples and dicts, nested too), so nothing has to be listed by hand:

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.fc1 = nn.Linear(2, 8)
            self.fc2 = nn.Linear(8, 1)
        def forward(self, x):
            return self.fc2(self.fc1(x).relu())

`Net()(x)` runs `forward` inside `graph_scope("Net")`, and each submodule inside its own
scope named by its path as `named_modules()` gives it ("fc1", "features.conv1"), so graph
drawings and step pages can group tensors by module; a module's output is named after it
("fc1 out") unless it has a name already.
"""
from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Iterator, NamedTuple

import numpy as np

from autograd import Tensor, graph_scope, no_grad

# Attributes every Module has for its own bookkeeping; never parameters or submodules.
_INTERNAL = ("training", "_buffer_names", "_scope_name")


class Parameter(Tensor):
    """A Tensor that is a learnable parameter of a Module (requires_grad=True by default).

    A Module registers every Parameter stored in its attributes; when registered it is
    named after its path ("fc1.weight") unless it was given a name already."""

    __slots__ = ("_auto_name",)

    def __init__(self, data, requires_grad: bool = True, dtype=None, name: str | None = None):
        super().__init__(data, requires_grad=requires_grad, dtype=dtype, name=name)
        self._auto_name = name is None  # may the owning Module (re)name it?

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()


class IncompatibleKeys(NamedTuple):
    """What `load_state_dict(strict=False)` could not match, as in PyTorch."""

    missing_keys: list
    unexpected_keys: list


class Module:
    """Base class of layers and models: subclasses set attributes in `__init__` (after
    calling `super().__init__()`) and define `forward`.

    `lecture_rule` (a class attribute) is the layer's fused backward rule as the lecture
    states it, shown by step pages: one text per gradient, with {input}, {output} and the
    parameters' names ({weight}, {bias}) as placeholders."""

    lecture_rule = None

    def __init__(self):
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_buffer_names", [])
        object.__setattr__(self, "_scope_name", None)

    # ----- running --------------------------------------------------------------------
    def forward(self, *args, **kwargs):
        """The module's computation; `module(x)` calls it (inside a graph scope named after the module)."""
        raise NotImplementedError(f"{type(self).__name__}: a Module subclass must define forward(self, ...)")

    def __call__(self, *args, **kwargs):
        """Run `forward` inside a graph scope named after this module's path (for drawings); name
        the result "<path> out" when it was computed here and has no name yet."""
        scope = graph_scope(self._scope_name or "", kind=type(self).__name__, rule=self.lecture_rule, module=True)
        with scope:
            out = self.forward(*args, **kwargs)
        if isinstance(out, Tensor) and out.name is None:
            node = out.grad_fn
            if node is not None and len(node.scope) > scope.depth and node.scope[scope.depth] is scope.name:
                out.name = "loss" if scope.depth == 0 and scope.kind.endswith("Loss") else f"{scope.name} out"
        return out

    # ----- attributes -----------------------------------------------------------------
    def __setattr__(self, name: str, value) -> None:
        if "_buffer_names" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__}: cannot set attribute {name!r} before Module.__init__ ran; "
                "call super().__init__() first in your __init__."
            )
        current = self.__dict__.get(name)
        if isinstance(current, Parameter) and isinstance(value, Tensor) and not isinstance(value, Parameter):
            raise TypeError(
                f"{type(self).__name__}.{name} is a Parameter; assigning a plain Tensor would silently "
                "stop training it. Wrap it: nn.Parameter(value), or change the values in place "
                "under no_grad (param[...] = value)."
            )
        if name in self._buffer_names and value is not None and not isinstance(value, Tensor):
            raise TypeError(f"{type(self).__name__}.{name} is a buffer and must be a Tensor (or None), got {type(value).__name__}")
        object.__setattr__(self, name, value)
        _adopt(name, value)

    def __getattr__(self, name: str):
        # Called only when normal lookup fails: give the student a hint instead of a bare error.
        if "_buffer_names" not in self.__dict__:
            raise AttributeError(
                f"{type(self).__name__} has no attribute {name!r}: Module.__init__ did not run. "
                "Call super().__init__() first in your __init__."
            )
        known = [n for n in dir(type(self)) if not n.startswith("_")] + [n for n in self.__dict__ if not n.startswith("_")]
        close = difflib.get_close_matches(name, known, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise AttributeError(f"{type(self).__name__} has no attribute {name!r}.{hint}")

    def register_buffer(self, name: str, tensor: Tensor | None) -> None:
        """Keep a Tensor that is state but not learned (e.g. BatchNorm's running mean):
        it goes into state_dict and moves with the module, but gets no gradient."""
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"register_buffer({name!r}): a buffer must be a Tensor (or None), got {type(tensor).__name__}")
        if isinstance(tensor, Parameter):
            raise TypeError(f"register_buffer({name!r}): that is a Parameter; assign it as an attribute instead")
        if name not in self._buffer_names:
            self._buffer_names.append(name)
        object.__setattr__(self, name, tensor)
        if tensor is not None and tensor.name is None:
            tensor.name = name

    # ----- discovery --------------------------------------------------------------------
    def _members(self) -> Iterator[tuple[str, object]]:
        """(name, value) for every attribute, looking inside lists, tuples and dicts (nested
        ones too: self.blocks = [[a, b], [c]] gives "blocks.0.0", "blocks.0.1", "blocks.1.0")."""
        for name, value in self.__dict__.items():
            if name not in _INTERNAL:
                yield from _flatten(name, value)

    def named_children(self) -> Iterator[tuple[str, "Module"]]:
        """(name, submodule) for the direct submodules."""
        seen = set()
        for name, value in self._members():
            if isinstance(value, Module) and id(value) not in seen:
                seen.add(id(value))
                yield name, value

    def children(self) -> Iterator["Module"]:
        """The direct submodules."""
        for _, module in self.named_children():
            yield module

    def named_modules(self, prefix: str = "") -> Iterator[tuple[str, "Module"]]:
        """(dotted path, module) for this module ("") and every module below it, each once."""
        seen = set()
        stack = [(prefix, self)]
        while stack:
            path, module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield path, module
            children = [(f"{path}.{name}" if path else name, child) for name, child in module.named_children()]
            stack.extend(reversed(children))

    def modules(self) -> Iterator["Module"]:
        """This module and every submodule below it, each once."""
        for _, module in self.named_modules():
            yield module

    def named_parameters(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, parameter), e.g. ("fc1.weight", ...); a shared parameter appears once."""
        return self._named_tensors(prefix, recurse, Module._own_parameters)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (of the submodules too unless recurse=False), each once: what an optimiser takes."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(name, tensor) for every buffer (state that is saved but not trained, e.g. batch norm's running mean)."""
        return self._named_tensors(prefix, recurse, Module._own_buffers)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer (see named_buffers)."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def _named_tensors(self, prefix: str, recurse: bool, own) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, tensor) for the tensors `own(module)` lists of this module and (unless
        recurse=False) of every submodule; a tensor shared by several modules appears once."""
        seen = set()
        modules = self.named_modules(prefix) if recurse else [(prefix, self)]
        for path, module in modules:
            for name, value in own(module):
                if isinstance(value, Tensor) and id(value) not in seen:
                    seen.add(id(value))
                    yield (f"{path}.{name}" if path else name), value

    def _own_parameters(self) -> Iterator[tuple[str, Parameter]]:
        return ((name, value) for name, value in self._members() if isinstance(value, Parameter))

    def _own_buffers(self) -> Iterator[tuple[str, Tensor]]:
        return ((name, self.__dict__.get(name)) for name in self._buffer_names)

    # ----- modes and gradients --------------------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Training mode (dropout drops, batch norm uses batch statistics); returns self."""
        for module in self.modules():
            object.__setattr__(module, "training", bool(mode))
        return self

    def eval(self) -> "Module":
        """Evaluation mode: dropout is the identity, batch norm uses its running statistics."""
        return self.train(False)

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (sets .grad to None)."""
        for parameter in self.parameters():
            parameter.grad = None

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Set requires_grad on every parameter (False freezes the module); returns the module."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def apply(self, fn) -> "Module":
        """Call fn(module) on every submodule and then on self (e.g. a custom initialiser)."""
        for module in reversed(list(self.modules())):
            fn(module)
        return self

    def to(self, dtype) -> "Module":
        """Convert every parameter and buffer to `dtype` (e.g. np.float32), in place; returns self."""
        dtype = np.dtype(dtype)
        if dtype.kind != "f":
            raise TypeError(f"Module.to: parameters must be floating point, got {dtype}")
        for tensor in list(self.parameters()) + list(self.buffers()):
            if tensor.dtype != dtype:
                tensor.data = tensor.data.astype(dtype)
                tensor.grad = None
        return self

    # ----- state ----------------------------------------------------------------------------
    def state_dict(self) -> dict[str, np.ndarray]:
        """Every parameter and buffer by dotted name, as numpy arrays. They are copies, so a
        state_dict is a snapshot (e.g. the best weights seen during training)."""
        state = {name: p.data.copy() for name, p in self.named_parameters()}
        state.update({name: b.data.copy() for name, b in self.named_buffers()})
        return state

    def load_state_dict(self, state_dict: dict, strict: bool = True) -> IncompatibleKeys:
        """Copy values into the parameters and buffers of the same names (values may be arrays
        or Tensors and are converted to each parameter's dtype). With strict=True, missing and
        unexpected keys are an error; a shape mismatch always is."""
        if not isinstance(state_dict, Mapping):
            hint = "nn.load(path) reads a file into one: model.load_state_dict(nn.load(path))"
            raise TypeError(f"load_state_dict: expected a dict of name -> array, got {type(state_dict).__name__}; {hint}")
        own = dict(self.named_parameters())
        own.update(self.named_buffers())
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors = []
        if strict and missing:
            errors.append(f"missing keys (in the model, not in the state_dict): {missing}")
        if strict and unexpected:
            errors.append(f"unexpected keys (in the state_dict, not in the model): {unexpected}")
        values = {}
        for key, target in own.items():
            if key not in state_dict:
                continue
            value = state_dict[key]
            value = value.data if isinstance(value, Tensor) else np.asarray(value)
            if value.dtype.kind not in "fiub":
                errors.append(f"{key!r}: values of dtype {value.dtype} are not numbers")
            elif value.shape != target.shape:
                errors.append(f"size mismatch for {key!r}: the model has shape {target.shape}, the state_dict has shape {value.shape}")
            else:
                values[key] = value
        if errors:
            raise RuntimeError(
                f"load_state_dict into {type(self).__name__} failed:\n  " + "\n  ".join(errors)
                + "\nCheck that the state_dict comes from the same architecture (compare model.state_dict().keys()); "
                "pass strict=False to load only the keys that match."
            )
        with no_grad():
            for key, value in values.items():
                own[key][...] = value.astype(own[key].dtype, copy=False)
        return IncompatibleKeys(missing, unexpected)

    # ----- printing ------------------------------------------------------------------------
    def extra_repr(self) -> str:
        """The text inside this module's parentheses, e.g. "in_features=2, out_features=3"."""
        return ""

    def __repr__(self):
        lines = []
        for name, child in self.named_children():
            child_text = repr(child).replace("\n", "\n  ")
            lines.append(f"  ({name}): {child_text}")
        extra = self.extra_repr()
        if not lines:
            return f"{type(self).__name__}({extra})"
        head = f"{type(self).__name__}({extra}" if extra else f"{type(self).__name__}("
        return head + "\n" + "\n".join(lines) + "\n)"



def _flatten(path: str, value) -> Iterator[tuple[str, object]]:
    """(path, item) for every item of a value that is not a list, tuple or dict, at any depth."""
    if isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            yield from _flatten(f"{path}.{i}", item)
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(f"{path}.{key}", item)
    else:
        yield path, value


def _adopt(name: str, value) -> None:
    """Name what was just assigned to attribute `name` of a module: a parameter becomes
    "name" (and a submodule's parameters "name.weight", ...), a submodule's graph scope
    becomes "name". Lists and dicts are looked into."""
    for path, item in _flatten(name, value):
        if isinstance(item, Parameter):
            if item._auto_name:
                item.name = path
        elif isinstance(item, Module):
            object.__setattr__(item, "_scope_name", path)
            for parameter_path, parameter in item.named_parameters(prefix=path):
                if parameter._auto_name:
                    parameter.name = parameter_path
            for buffer_path, buffer in item.named_buffers(prefix=path):
                if (buffer.name is None or buffer_path.endswith("." + buffer.name)
                        or buffer.name.endswith("." + buffer_path.rsplit(".", 1)[-1])):
                    buffer.name = buffer_path


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: submodules stored as attributes "0", "1", ...,
    read back in order, with len(), iteration and indexing as for a list (a slice is a new
    container of the same class holding the same modules)."""

    def _list(self) -> list:
        return [value for name, value in self.__dict__.items() if name not in _INTERNAL and isinstance(value, Module)]

    def __len__(self):
        return len(self._list())

    def __iter__(self):
        return iter(self._list())

    def __getitem__(self, index):
        items = self._list()[index]
        return _without_renaming(type(self), items) if isinstance(index, slice) else items


class Sequential(_ModuleSequence):
    """Modules applied one after another: Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 1)).
    Its submodules are named "0", "1", ...; indexing and slicing work as for a list."""

    def __init__(self, *modules: Module):
        super().__init__()
        for i, module in enumerate(modules):
            if not isinstance(module, Module):
                raise TypeError(f"Sequential: argument {i} is a {type(module).__name__}, not a Module")
            setattr(self, str(i), module)

    def forward(self, x):
        for module in self._list():
            x = module(x)
        return x

    def append(self, module: Module) -> "Sequential":
        """Add a module at the end; returns the Sequential."""
        setattr(self, str(len(self)), module)
        return self


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters are registered (named "0", "1", ...); it has no forward."""

    def __init__(self, modules=None):
        super().__init__()
        for module in modules or []:
            self.append(module)

    def append(self, module: Module) -> "ModuleList":
        """Add a module at the end; returns the list."""
        if not isinstance(module, Module):
            raise TypeError(f"ModuleList.append: expected a Module, got {type(module).__name__}")
        setattr(self, str(len(self)), module)
        return self

    def extend(self, modules) -> "ModuleList":
        """Add each module at the end, in order; returns the list."""
        for module in modules:
            self.append(module)
        return self

    def forward(self, *args, **kwargs):
        raise NotImplementedError("ModuleList has no forward: iterate over it and call each module")


def _without_renaming(cls, modules):
    """A container of `modules` (a slice of another) that leaves their names and scopes alone."""
    container = cls()
    for i, module in enumerate(modules):
        object.__setattr__(container, str(i), module)
    return container
