"""nn.Module: registration from attributes (also lists and dicts), traversal, modes,
state_dict round trips and their errors, repr, names and graph scopes."""
import numpy as np
import pytest

import nn
from autograd import Tensor


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(2, 4)
        self.bn = nn.BatchNorm1d(4)
        self.hidden = [nn.Linear(4, 4), nn.Tanh()]
        self.heads = {"a": nn.Linear(4, 1), "b": nn.Linear(4, 2, bias=False)}
        self.scale = nn.Parameter(np.ones(1))
        self.not_a_parameter = Tensor(np.ones(3))  # plain tensors are not registered
        self.drop = nn.Dropout(0.5)

    def forward(self, x):
        h = self.drop(self.hidden[1](self.hidden[0](self.bn(self.fc1(x)).relu())))
        return self.heads["a"](h) * self.scale


EXPECTED_PARAMETERS = [
    "scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "hidden.0.weight", "hidden.0.bias",
    "heads.a.weight", "heads.a.bias", "heads.b.weight",
]


def test_parameters_are_found_in_attributes_lists_and_dicts():
    net = Net()
    assert [name for name, _ in net.named_parameters()] == EXPECTED_PARAMETERS
    assert len(list(net.parameters())) == len(EXPECTED_PARAMETERS)
    assert all(p.requires_grad for p in net.parameters())
    assert [name for name, _ in net.named_buffers()] == ["bn.running_mean", "bn.running_var"]
    assert list(net.state_dict()) == EXPECTED_PARAMETERS + ["bn.running_mean", "bn.running_var"]
    assert [name for name, _ in net.named_children()] == ["fc1", "bn", "hidden.0", "hidden.1", "heads.a", "heads.b", "drop"]
    assert [name for name, _ in net.named_modules()] == ["", "fc1", "bn", "hidden.0", "hidden.1", "heads.a", "heads.b", "drop"]
    assert list(net.children())[0] is net.fc1
    assert len(list(net.modules())) == 8
    assert [n for n, _ in net.named_parameters(recurse=False)] == ["scale"]


def test_nested_lists_and_dicts_are_looked_into():
    holder = nn.Module()
    holder.nested = [[nn.Linear(1, 1)], {"drop": nn.Dropout(0.5)}]
    assert [name for name, _ in holder.named_parameters()] == ["nested.0.0.weight", "nested.0.0.bias"]
    assert holder.nested[0][0].weight.name == "nested.0.0.weight"
    assert [name for name, _ in holder.named_children()] == ["nested.0.0", "nested.1.drop"]
    holder.eval()
    assert not holder.nested[1]["drop"].training
    state = holder.state_dict()
    holder.nested[0][0].weight.data[...] = 5.0
    holder.load_state_dict(state)
    assert holder.nested[0][0].weight.data.item() == state["nested.0.0.weight"].item() != 5.0


def test_shared_parameters_and_modules_appear_once():
    layer = nn.Linear(3, 3)
    seq = nn.Sequential(layer, nn.ReLU(), layer)
    assert len(list(seq.parameters())) == 2
    assert len(list(seq.modules())) == 3


def test_parameters_get_path_names_for_drawings_unless_named_by_the_user():
    net = Net()
    assert net.fc1.weight.name == "fc1.weight"
    assert net.heads["a"].bias.name == "heads.a.bias"
    assert net.bn.running_mean.name == "bn.running_mean"
    mine = nn.Parameter(np.zeros(2), name="my weight")
    holder = nn.Module()
    holder.w = mine
    assert mine.name == "my weight"
    outer = nn.Sequential(Net())
    assert outer[0].fc1.weight.name == "0.fc1.weight"


def test_call_runs_forward_inside_graph_scopes():
    net = Net()
    out = net(Tensor(np.ones((3, 2))))
    assert out.grad_fn.scope == ("Net",)  # the final multiply happens in Net itself
    heads_out = out.grad_fn.parents[0]
    assert heads_out.grad_fn.scope == ("Net", "heads.a")  # the path named_modules() gives
    assert heads_out.grad_fn.scope[1].label == "heads.a (Linear)" and heads_out.name == "heads.a out"
    seq = nn.Sequential(nn.Linear(2, 2))
    assert seq(Tensor(np.ones((1, 2)))).grad_fn.scope == ("Sequential", "0")
    outer = nn.Sequential(nn.Sequential(nn.Linear(2, 2)))
    assert outer(Tensor(np.ones((1, 2)))).grad_fn.scope == ("Sequential", "0", "0.0")
    assert {name for name, _ in outer.named_modules()} == {"", "0", "0.0"}


def test_train_eval_and_zero_grad():
    net = Net()
    assert net.training and net.bn.training
    assert net.eval() is net
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net(Tensor(np.ones((3, 2)))).sum().backward()
    assert net.fc1.weight.grad is not None
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_state_dict_round_trip_is_a_copy():
    a, b = Net(), Net()
    x = Tensor(np.random.default_rng(0).standard_normal((5, 2)))
    a(x)  # updates running statistics
    snapshot = a.state_dict()
    snapshot["fc1.weight"][...] = 0  # a copy: the model is unchanged
    assert not np.all(a.fc1.weight.data == 0)
    b.load_state_dict(a.state_dict())
    a.eval()
    b.eval()
    np.testing.assert_array_equal(a(x).data, b(x).data)
    for (name, p), q in zip(a.named_parameters(), b.parameters()):
        assert p is not q and np.array_equal(p.data, q.data), name


def test_load_state_dict_accepts_tensors_and_converts_dtype():
    layer = nn.Linear(2, 2, dtype=np.float32)
    weight = layer.weight
    layer.load_state_dict({"weight": Tensor(np.eye(2)), "bias": np.array([1, 2])})
    assert layer.weight is weight and layer.weight.dtype == np.float32
    np.testing.assert_array_equal(layer.bias.data, [1.0, 2.0])


def test_load_state_dict_errors_name_keys_and_shapes():
    layer = nn.Linear(3, 2)
    state = layer.state_dict()
    with pytest.raises(RuntimeError, match=r"missing keys.*'bias'"):
        layer.load_state_dict({"weight": state["weight"]})
    with pytest.raises(RuntimeError, match=r"unexpected keys.*'extra'"):
        layer.load_state_dict(dict(state, extra=np.zeros(1)))
    with pytest.raises(RuntimeError, match=r"size mismatch for 'weight': the model has shape \(2, 3\), the state_dict has shape \(3, 2\)"):
        layer.load_state_dict(dict(state, weight=np.zeros((3, 2))))
    before = layer.weight.data.copy()
    with pytest.raises(RuntimeError):  # nothing is loaded when anything is wrong
        layer.load_state_dict({"weight": np.zeros((2, 3)), "bias": np.zeros(5)})
    np.testing.assert_array_equal(layer.weight.data, before)
    result = layer.load_state_dict({"weight": np.zeros((2, 3)), "other": np.ones(1)}, strict=False)
    assert result.missing_keys == ["bias"] and result.unexpected_keys == ["other"]
    np.testing.assert_array_equal(layer.weight.data, 0.0)


def test_repr_is_nested_like_pytorch():
    model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(16, 10))
    assert repr(model) == (
        "Sequential(\n"
        "  (0): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=True)\n"
        "  (1): ReLU()\n"
        "  (2): MaxPool2d(kernel_size=2, stride=2, padding=0)\n"
        "  (3): Flatten(start_dim=1, end_dim=-1)\n"
        "  (4): Linear(in_features=16, out_features=10, bias=True)\n"
        ")"
    )
    nested = repr(nn.Sequential(nn.Sequential(nn.Tanh())))
    assert nested == "Sequential(\n  (0): Sequential(\n    (0): Tanh()\n  )\n)"
    assert repr(nn.Parameter(np.zeros(1))).startswith("Parameter containing:")


def test_unknown_attributes_raise_with_a_hint():
    layer = nn.Linear(2, 2)
    with pytest.raises(AttributeError, match="Linear has no attribute 'wieght'. Did you mean 'weight'"):
        layer.wieght

    class Forgot(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(1, 1)

    with pytest.raises(AttributeError, match=r"super\(\).__init__\(\)"):
        Forgot()


def test_assigning_a_plain_tensor_over_a_parameter_is_refused():
    layer = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="nn.Parameter"):
        layer.weight = Tensor(np.zeros((2, 2)))
    layer.weight = nn.Parameter(np.zeros((2, 2)))
    assert layer.weight.name == "weight"


def test_module_without_forward_and_containers():
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    layers.append(nn.ReLU())
    assert len(layers) == 4 and isinstance(layers[-1], nn.ReLU)
    assert [n for n, _ in layers.named_parameters()][:2] == ["0.weight", "0.bias"]
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[1], nn.ReLU)
    first_two = seq[:2]
    assert isinstance(first_two, nn.Sequential) and len(first_two) == 2
    assert seq[2].weight.name == "2.weight"  # slicing does not rename
    x = Tensor(np.ones((4, 2)))
    np.testing.assert_allclose(seq(x).data, seq[2](seq[1](seq[0](x))).data)
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.Linear(1, 1), lambda x: x)


def test_apply_and_requires_grad():
    model = nn.Sequential(nn.Linear(3, 3), nn.Linear(3, 3))
    model.apply(lambda m: nn.init.zeros_(m.weight) if isinstance(m, nn.Linear) else None)
    assert all(np.all(m.weight.data == 0) for m in model)
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_deepcopy_gives_an_independent_model():
    import copy

    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3))
    twin = copy.deepcopy(model)
    assert twin[0].weight is not model[0].weight and isinstance(twin[0].weight, nn.Parameter)
    with_grad = [p.requires_grad for p in twin.parameters()]
    assert all(with_grad) and len(with_grad) == 4
    nn.init.zeros_(twin[0].weight)
    assert not np.all(model[0].weight.data == 0)
