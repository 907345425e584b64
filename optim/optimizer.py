"""Optimizer: the base class every optimiser builds on.

An optimiser holds `param_groups` (lists of parameters, each group with its own
hyperparameters such as "lr") and a per-parameter `state` (momentum buffers, moment
estimates, ... as plain numpy arrays). `step()` reads each parameter's `.grad` and
changes the parameter in place under `no_grad`: `p -= update` on a Tensor under
`no_grad` writes into `p.data` and bumps `p`'s version, so a backward pass that saved
the old value refuses to run instead of giving a wrong gradient.
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Iterable

import numpy as np

from autograd import Tensor, enable_grad, no_grad


class Optimizer:
    """Base class: parameter groups, per-parameter state, step, zero_grad, state_dict.

    params: an iterable of Tensors, or of dicts (parameter groups) such as
        [{"params": encoder_params}, {"params": head_params, "lr": 1e-2}];
        a hyperparameter missing from a group takes the optimiser's default.
    Subclasses set the defaults, check hyperparameters in `_check_group` and write the
    update rule of one parameter in `_update(p, grad, state, group)`.
    """

    def __init__(self, params: Iterable[Tensor] | Iterable[dict], defaults: dict[str, Any]):
        self.defaults = dict(defaults)
        self.state: dict[Tensor, dict[str, Any]] = {}
        self.param_groups: list[dict[str, Any]] = []
        name = type(self).__name__
        if isinstance(params, (Tensor, dict, set, frozenset)):
            unordered = isinstance(params, (set, frozenset))
            kind = "a set (its order is not fixed)" if unordered else f"a single {type(params).__name__}"
            raise TypeError(
                f"{name}: params must be a list (or other ordered iterable) of Tensors or of dicts, "
                f"but got {kind}. Write {name}([p1, p2, ...], ...) or {name}(model.parameters(), ...)."
            )
        try:
            groups = list(params)  # a generator is consumed once, here
        except TypeError:
            raise TypeError(
                f"{name}: params must be an iterable of Tensors or of dicts, got {type(params).__name__}."
            ) from None
        if not groups:
            raise ValueError(f"{name}: got an empty parameter list; pass the parameters to optimise.")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ----- parameter groups -------------------------------------------------------------
    def add_param_group(self, param_group: dict[str, Any]) -> None:
        """Add a group of parameters with its own hyperparameters (defaults fill the rest)."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(
                f"{name}: a parameter group must be a dict such as {{'params': [...], 'lr': 0.1}}, "
                f"got {type(param_group).__name__}. Do not mix Tensors and dicts in one params list."
            )
        group = dict(param_group)
        if "params" not in group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry (got keys {sorted(group)}).")
        params = group["params"]
        if isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: a group's 'params' must be ordered (a list), not a set.")
        params = [params] if isinstance(params, Tensor) else list(params)
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"{name}: parameter {i} of a group is a {type(p).__name__}; only Tensors can be optimised.")
            if not p.requires_grad:
                raise ValueError(
                    f"{name}: parameter {i} (shape {p.shape}) does not require grad, so it would never "
                    "get a gradient. Create it with requires_grad=True (or call p.requires_grad_())."
                )
            if not p.is_leaf:
                raise ValueError(
                    f"{name}: parameter {i} (shape {p.shape}) was computed by an operation ({p.grad_fn}); "
                    "only leaf tensors can be optimised. Use a leaf such as x.detach().requires_grad_()."
                )
            if id(p) in seen:
                raise ValueError(f"{name}: parameter {i} (shape {p.shape}) appears twice; give each parameter once.")
            seen.add(id(p))
        group["params"] = params
        for key, value in self.defaults.items():
            group.setdefault(key, value)
        self._check_group(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict[str, Any]) -> None:
        """Raise a clear error for invalid hyperparameters (subclasses extend this)."""
        self._check_nonnegative(group, "lr")

    def _check_nonnegative(self, group: dict[str, Any], *keys: str) -> None:
        """Each of group[key] is a number >= 0 (learning rates, eps, weight decay, ...)."""
        for key in keys:
            value = group[key]
            if not isinstance(value, (int, float, np.floating, np.integer)) or isinstance(value, bool) or not value >= 0:
                raise ValueError(f"{type(self).__name__}: invalid {key}={value!r}; it must be a number >= 0.")

    def _check_fraction(self, group: dict[str, Any], key: str, value=None) -> None:
        """0 <= value < 1 (decay rates such as betas, alpha); value defaults to group[key]."""
        value = group[key] if value is None else value
        if not isinstance(value, (int, float, np.floating)) or isinstance(value, bool) or not 0.0 <= value < 1.0:
            raise ValueError(f"{type(self).__name__}: invalid {key}={value!r}; it must be in [0, 1).")

    # ----- the update -------------------------------------------------------------------
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: `.grad = None`, or a fresh zero Tensor with
        set_to_none=False (a new Tensor: a gradient array may be shared, so never zeroed in place)."""
        for group in self.param_groups:
            for p in group["params"]:
                p.grad = None if set_to_none else Tensor(np.zeros_like(p.data))

    def step(self, closure: Callable[[], Any] | None = None):
        """Update every parameter that has a gradient; returns closure() if one is given."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            for group in self.param_groups:
                for p in group["params"]:
                    if p.grad is not None:
                        self._update(p, self._grad_array(p), self.state.setdefault(p, {}), group)
        return loss

    def _grad_array(self, p: Tensor) -> np.ndarray:
        """p.grad's array, after checking that p.grad is a Tensor of p's shape."""
        grad = p.grad
        if not isinstance(grad, Tensor) or grad.shape != p.shape:
            found = f"a Tensor of shape {grad.shape}" if isinstance(grad, Tensor) else f"a {type(grad).__name__}"
            raise TypeError(
                f"{type(self).__name__}.step: the gradient of a parameter of shape {p.shape} is {found}; "
                "it must be a Tensor of the parameter's shape (as backward() leaves it). Assign p.grad = Tensor(...)."
            )
        return grad.data

    def _update(self, p: Tensor, grad: np.ndarray, state: dict, group: dict) -> None:
        raise NotImplementedError(f"{type(self).__name__} must define _update(p, grad, state, group).")

    # ----- saving and resuming -------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """{'state': {index: {...}}, 'param_groups': [{..., 'params': [indices]}]}, as PyTorch:
        parameters are numbered 0, 1, ... across groups in order; arrays are copied."""
        index = {}
        groups = []
        for group in self.param_groups:
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            saved = copy.deepcopy({k: v for k, v in group.items() if k != "params"})
            saved["params"] = [index[id(p)] for p in group["params"]]
            groups.append(saved)
        state = {index[id(p)]: copy.deepcopy(s) for p, s in self.state.items() if id(p) in index}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict[str, Any]) -> None:
        """Restore hyperparameters and state saved by `state_dict()` (for the same parameters, in order)."""
        name = type(self).__name__
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the saved state has {len(saved_groups)} parameter groups, "
                f"this optimiser has {len(self.param_groups)}."
            )
        params_by_index = {}
        for i, (saved, group) in enumerate(zip(saved_groups, self.param_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: group {i} was saved with {len(saved['params'])} parameters "
                    f"but has {len(group['params'])} here; load into an optimiser built on the same parameters."
                )
            params_by_index.update(zip(saved["params"], group["params"]))
        for index, p in params_by_index.items():
            self._check_loaded_state(p, index, state_dict["state"].get(index, {}))
        self.state = {}
        for index, p in params_by_index.items():
            if index in state_dict["state"]:
                self.state[p] = copy.deepcopy(state_dict["state"][index])
        new_groups = []
        for saved, group in zip(saved_groups, self.param_groups):
            restored = copy.deepcopy({k: v for k, v in saved.items() if k != "params"})
            restored["params"] = group["params"]
            new_groups.append(restored)
        self.param_groups = new_groups

    def _check_loaded_state(self, p: Tensor, index: int, state: dict) -> None:
        """Every saved array must have its parameter's shape (or be a 0-d counter)."""
        for key, value in state.items():
            if isinstance(value, np.ndarray) and value.shape not in ((), p.shape):
                raise ValueError(
                    f"{type(self).__name__}.load_state_dict: state '{key}' of parameter {index} has shape "
                    f"{value.shape}, but the parameter has shape {p.shape}; was it saved for another model?"
                )

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            for key in sorted(k for k in group if k != "params"):
                lines.append(f"    {key}: {group[key]}")
        return "\n".join(lines) + "\n)"


def with_weight_decay(grad: np.ndarray, p: Tensor, weight_decay: float) -> np.ndarray:
    """L2 regularisation coupled to the gradient: dx = grad + weight_decay * x."""
    return grad + weight_decay * p.data if weight_decay != 0 else grad
