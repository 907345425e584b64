"""Every nn layer and activation against PyTorch (float64): outputs, input gradients and
parameter gradients with the same weights; plus batch norm, dropout and dtype behaviour."""
import numpy as np
import pytest
import torch

import nn
from autograd import Tensor, no_grad
from nn import functional as F

rng = np.random.default_rng(1234)


def copy_params(ours: nn.Module, theirs: torch.nn.Module) -> None:
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        with torch.no_grad():
            their_params[name].copy_(torch.from_numpy(p.data.copy()))


def compare(ours, theirs, x, atol=1e-10, rtol=1e-7):
    """Run both on x, backpropagate the same random upstream gradient, compare everything."""
    theirs = theirs.double()
    copy_params(ours, theirs)
    ours.zero_grad()
    theirs.zero_grad()
    xt = Tensor(x, requires_grad=True)
    out = ours(xt)
    upstream = rng.standard_normal(out.shape)
    (out * upstream).sum().backward()
    tx = torch.tensor(x, requires_grad=True)
    tout = theirs(tx)
    tout.backward(torch.tensor(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), atol=atol, rtol=rtol)
    np.testing.assert_allclose(xt.grad.data, tx.grad.numpy(), atol=atol, rtol=rtol)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, their_params[name].grad.numpy(), atol=atol, rtol=rtol, err_msg=name)
    return out


def assert_same_loss_and_gradients(ours, loss, theirs, their_loss):
    """Backpropagate both losses: the losses and every parameter's gradient agree."""
    loss.backward()
    their_loss.backward()
    assert loss.item() == pytest.approx(their_loss.item(), rel=1e-12)
    their_params = dict(theirs.named_parameters())
    for name, p in ours.named_parameters():
        np.testing.assert_allclose(p.grad.data, their_params[name].grad.numpy(), rtol=1e-8, atol=1e-12, err_msg=name)


# ----- linear and convolution -------------------------------------------------------------
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(shape, bias):
    compare(nn.Linear(5, 3, bias=bias), torch.nn.Linear(5, 3, bias=bias), rng.standard_normal(shape))


@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 5)])
def test_linear_weight_gradient_is_laid_out_like_the_weight(shape):
    # x @ W.T: the weight's gradient comes out C-ordered like W, so an optimiser's update runs
    # over contiguous memory (a transposed gradient made W2's SGD step 3 ms slower)
    layer = nn.Linear(5, 3)
    layer(Tensor(rng.standard_normal(shape))).sum().backward()
    assert layer.weight.grad.data.flags.c_contiguous
    plain = Tensor(rng.standard_normal((5, 3)), requires_grad=True)  # x @ W: C-ordered as well
    (Tensor(rng.standard_normal(shape)) @ plain).sum().backward()
    assert plain.grad.data.flags.c_contiguous


CONV_CASES = [  # in, out, kernel, stride, padding, input H, W
    (3, 4, 3, 1, 0, 7, 8),
    (3, 4, 3, 2, 1, 7, 8),
    (2, 5, (2, 3), (1, 2), (1, 0), 6, 9),
    (1, 2, 1, 1, 0, 4, 4),
    (2, 3, 5, 1, 2, 5, 6),
    (4, 2, 3, 3, 1, 10, 10),
]


@pytest.mark.parametrize("c_in, c_out, k, s, p, h, w", CONV_CASES)
def test_conv2d_matches_torch(c_in, c_out, k, s, p, h, w):
    ours = nn.Conv2d(c_in, c_out, k, stride=s, padding=p)
    theirs = torch.nn.Conv2d(c_in, c_out, k, stride=s, padding=p)
    compare(ours, theirs, rng.standard_normal((2, c_in, h, w)))


def test_conv2d_without_bias_and_functional_form():
    ours = nn.Conv2d(2, 3, 3, bias=False)
    compare(ours, torch.nn.Conv2d(2, 3, 3, bias=False), rng.standard_normal((2, 2, 5, 5)))
    x, w = rng.standard_normal((1, 1, 3, 3)), np.arange(4.0).reshape(1, 1, 2, 2)
    out = F.conv2d(Tensor(x), Tensor(w)).data
    by_hand = [[(x[0, 0, i:i + 2, j:j + 2] * w[0, 0]).sum() for j in range(2)] for i in range(2)]
    np.testing.assert_allclose(out[0, 0], by_hand)


def test_conv2d_checks_its_sizes_when_built():
    with pytest.raises(ValueError, match="Conv2d kernel_size must be an int >= 1"):
        nn.Conv2d(1, 2, 0)
    with pytest.raises(ValueError, match="Conv2d stride"):
        nn.Conv2d(1, 2, 3, stride=(1, 0))
    with pytest.raises(ValueError, match="Conv2d padding"):
        nn.Conv2d(1, 2, 3, padding=-1)
    assert nn.Conv2d(1, 2, (3, 2), stride=2).kernel_size == (3, 2)


POOL_CASES = [(2, None, 0), (3, 2, 1), (2, 1, 0), ((2, 3), (1, 2), 0), (3, None, 1)]


@pytest.mark.parametrize("kernel, stride, padding", POOL_CASES)
def test_max_pool2d_matches_torch(kernel, stride, padding):
    ours = nn.MaxPool2d(kernel, stride, padding)
    compare(ours, torch.nn.MaxPool2d(kernel, stride, padding), rng.standard_normal((2, 3, 7, 8)))


@pytest.mark.parametrize("kernel, stride, padding", POOL_CASES)
def test_avg_pool2d_matches_torch(kernel, stride, padding):
    ours = nn.AvgPool2d(kernel, stride, padding)
    compare(ours, torch.nn.AvgPool2d(kernel, stride, padding), rng.standard_normal((2, 3, 7, 8)))


LAYER_CASES = [  # our layer, PyTorch's, input shape: every new option once, through the Modules
    (nn.Conv1d(4, 6, 3, stride=2, padding=1, dilation=2, groups=2), torch.nn.Conv1d(4, 6, 3, 2, 1, 2, 2), (2, 4, 11)),
    (nn.Conv1d(3, 2, 3, padding="same", dilation=2, bias=False),
     torch.nn.Conv1d(3, 2, 3, padding="same", dilation=2, bias=False), (2, 3, 7)),
    (nn.Conv2d(4, 4, 3, padding="valid", groups=4), torch.nn.Conv2d(4, 4, 3, padding="valid", groups=4), (2, 4, 5, 6)),
    (nn.Conv2d(2, 3, (3, 2), dilation=(1, 2), padding=(1, 2)), torch.nn.Conv2d(2, 3, (3, 2), dilation=(1, 2), padding=(1, 2)),
     (2, 2, 6, 7)),
    (nn.Conv3d(2, 4, 2, stride=(1, 2, 1), padding=1, groups=2), torch.nn.Conv3d(2, 4, 2, stride=(1, 2, 1), padding=1, groups=2),
     (2, 2, 3, 4, 3)),
    (nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2),
     torch.nn.ConvTranspose1d(4, 6, 3, stride=2, padding=1, output_padding=1, groups=2), (2, 4, 5)),
    (nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), torch.nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1), (2, 3, 4, 5)),
    (nn.ConvTranspose2d(2, 2, 3, dilation=2, output_padding=1, bias=False),
     torch.nn.ConvTranspose2d(2, 2, 3, dilation=2, output_padding=1, bias=False), (1, 2, 3, 3)),
    (nn.ConvTranspose3d(2, 3, 2, stride=(2, 1, 2)), torch.nn.ConvTranspose3d(2, 3, 2, stride=(2, 1, 2)), (1, 2, 2, 3, 2)),
    (nn.MaxPool1d(3, 2, 1, ceil_mode=True), torch.nn.MaxPool1d(3, 2, 1, ceil_mode=True), (2, 3, 10)),
    (nn.MaxPool2d(2, 1, 1, dilation=2), torch.nn.MaxPool2d(2, 1, 1, dilation=2), (2, 3, 6, 7)),
    (nn.MaxPool3d((2, 1, 2), ceil_mode=True), torch.nn.MaxPool3d((2, 1, 2), ceil_mode=True), (2, 2, 3, 4, 5)),
    (nn.AvgPool1d(3, 2, 1, count_include_pad=False), torch.nn.AvgPool1d(3, 2, 1, count_include_pad=False), (2, 3, 10)),
    (nn.AvgPool2d(3, 2, 1, ceil_mode=True, divisor_override=4), torch.nn.AvgPool2d(3, 2, 1, ceil_mode=True, divisor_override=4),
     (2, 3, 6, 7)),
    (nn.AvgPool3d(2, 1, (1, 0, 1), ceil_mode=True, count_include_pad=False),
     torch.nn.AvgPool3d(2, 1, (1, 0, 1), ceil_mode=True, count_include_pad=False), (2, 2, 3, 4, 5)),
    (nn.AdaptiveAvgPool1d(4), torch.nn.AdaptiveAvgPool1d(4), (2, 3, 9)),
    (nn.AdaptiveAvgPool2d(1), torch.nn.AdaptiveAvgPool2d(1), (2, 3, 5, 4)),
    (nn.AdaptiveAvgPool3d((2, None, 3)), torch.nn.AdaptiveAvgPool3d((2, None, 3)), (2, 2, 3, 4, 7)),
    (nn.Upsample(scale_factor=2), torch.nn.Upsample(scale_factor=2), (2, 3, 3, 4)),
    (nn.Upsample(size=(5, 3), mode="bilinear", align_corners=True),
     torch.nn.Upsample(size=(5, 3), mode="bilinear", align_corners=True), (2, 3, 3, 4)),
    (nn.Upsample(scale_factor=1.5, mode="linear"), torch.nn.Upsample(scale_factor=1.5, mode="linear"), (2, 3, 5)),
]


@pytest.mark.parametrize("ours, theirs, shape", LAYER_CASES, ids=lambda v: repr(v) if isinstance(v, nn.Module) else "")
def test_convolution_pooling_and_upsampling_layers_match_torch(ours, theirs, shape):
    compare(ours, theirs, rng.standard_normal(shape))


def test_transposed_convolution_is_the_adjoint_of_convolution():
    """<conv(x, w), y> = <x, conv_transpose(y, w)>: the transposed convolution is the gradient the
    convolution sends to its input, for any stride, padding, dilation and groups."""
    x, w = rng.standard_normal((2, 4, 9, 9)), rng.standard_normal((6, 2, 3, 2))
    options = {"stride": (2, 3), "padding": (1, 0), "dilation": (2, 1), "groups": 2}
    out = F.conv2d(Tensor(x), Tensor(w), **options)
    y = rng.standard_normal(out.shape)
    back = F.conv_transpose2d(Tensor(y), Tensor(w), output_padding=(0, 1), **options)  # (9, 9) again
    assert back.shape == x.shape
    np.testing.assert_allclose((out.data * y).sum(), (x * back.data).sum(), rtol=1e-12)


def test_pooling_layers_share_a_base_class_and_read_like_pytorch():
    from nn.pooling import _PoolNd

    layers = [nn.MaxPool1d(2), nn.MaxPool2d(2), nn.MaxPool3d(2), nn.AvgPool1d(2), nn.AvgPool2d(2), nn.AvgPool3d(2)]
    assert all(isinstance(layer, _PoolNd) for layer in layers)
    assert repr(nn.MaxPool2d(2)) == "MaxPool2d(kernel_size=2, stride=2, padding=0)"
    assert repr(nn.MaxPool2d(3, 1, 1, dilation=2, ceil_mode=True)) == \
        "MaxPool2d(kernel_size=3, stride=1, padding=1, dilation=2, ceil_mode=True)"
    assert repr(nn.AvgPool1d(3, count_include_pad=False)) == \
        "AvgPool1d(kernel_size=3, stride=3, padding=0, count_include_pad=False)"
    assert repr(nn.Conv2d(1, 4, 3, padding=1)) == "Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1), bias=True)"
    assert repr(nn.ConvTranspose1d(4, 2, 3, stride=2, output_padding=1, groups=2)) == (
        "ConvTranspose1d(4, 2, kernel_size=(3,), stride=(2,), padding=(0,), output_padding=(1,), groups=2, bias=True)")
    assert repr(nn.Conv1d(2, 2, 3, padding="same")) == "Conv1d(2, 2, kernel_size=(3,), stride=(1,), padding='same', bias=True)"
    assert repr(nn.Upsample(scale_factor=2, mode="bilinear")) == "Upsample(scale_factor=2, mode='bilinear')"


def test_layer_weights_have_pytorchs_shapes_and_initial_range():
    assert nn.Conv1d(4, 6, 3, groups=2).weight.shape == (6, 2, 3)
    assert nn.Conv3d(2, 4, (1, 2, 3)).weight.shape == (4, 2, 1, 2, 3)
    transposed = nn.ConvTranspose2d(4, 6, 3, groups=2, generator=0)
    assert transposed.weight.shape == (4, 3, 3, 3) and transposed.bias.shape == (6,)
    bound = 1 / np.sqrt(3 * 9)  # PyTorch: fan_in = weight.shape[1] * kernel = out_channels // groups * 9
    assert bound * 0.9 < np.abs(transposed.weight.data).max() <= bound


def test_max_pool_with_padding_works_on_integers():
    x = np.arange(20).reshape(1, 1, 4, 5)
    out = F.max_pool2d(Tensor(x), 2, padding=1)
    expected = torch.nn.functional.max_pool2d(torch.tensor(x), 2, padding=1).numpy()
    assert out.dtype == np.int64
    np.testing.assert_array_equal(out.data, expected)
    # padded [pad, 3, -1, 4, -1, -5, 9, -2, pad]: windows at 0, 2, 4 and (ceil_mode) 6
    signal = Tensor(np.array([[[3, -1, 4, -1, -5, 9, -2]]], dtype=np.int32))
    np.testing.assert_array_equal(F.max_pool1d(signal, 3, 2, 1, ceil_mode=True).data, [[[3, 4, 9, 9]]])


@pytest.mark.parametrize("name, shape, kernel, options", [
    ("max_pool1d", (2, 3, 9), 3, {"stride": 2, "padding": 1, "ceil_mode": True}),
    ("max_pool2d", (2, 3, 7, 8), (2, 3), {"stride": (1, 2), "padding": (1, 1), "dilation": (2, 1)}),
    ("max_pool3d", (1, 2, 4, 5, 3), 2, {"ceil_mode": True}),
    ("max_pool2d", (3, 6, 5), 2, {"padding": 1}),  # unbatched (C, H, W)
])
def test_max_pool_return_indices_match_torch(name, shape, kernel, options):
    x = rng.standard_normal(shape)
    function, theirs = getattr(F, name), getattr(torch.nn.functional, name)
    out, indices = function(Tensor(x), kernel, return_indices=True, **options)
    their_out, their_indices = theirs(torch.tensor(x), kernel, return_indices=True, **options)
    np.testing.assert_array_equal(out.data, their_out.numpy())
    np.testing.assert_array_equal(indices.data, their_indices.numpy())
    assert indices.dtype == np.int64 and not indices.requires_grad


def test_interpolate_by_hand():
    x = Tensor(np.array([[[0.0, 10.0, 20.0]]]))
    np.testing.assert_array_equal(F.interpolate(x, scale_factor=2).data, [[[0, 0, 10, 10, 20, 20]]])
    np.testing.assert_allclose(F.interpolate(x, size=5, mode="linear", align_corners=True).data, [[[0, 5, 10, 15, 20]]])
    # align_corners=False: output pixel i sits at (i + 0.5) * 3/6 - 0.5 in the input
    np.testing.assert_allclose(F.interpolate(x, size=6, mode="linear").data, [[[0, 2.5, 7.5, 12.5, 17.5, 20]]])
    np.testing.assert_allclose(F.interpolate(x, size=2, mode="area").data, [[[5, 15]]])
    np.testing.assert_allclose(F.adaptive_avg_pool1d(x, 1).data, [[[10]]])


def test_convolution_and_pooling_refuse_bad_arguments_clearly():
    x = Tensor(np.ones((1, 4, 6, 6)))
    with pytest.raises(ValueError, match=r"groups=3.*divisible by 3"):
        F.conv2d(x, Tensor(np.ones((3, 1, 3, 3))), groups=3)
    with pytest.raises(ValueError, match="groups must be an int >= 1"):
        F.conv2d(x, Tensor(np.ones((4, 4, 3, 3))), groups=0)
    with pytest.raises(ValueError, match=r"'same' needs stride 1"):
        F.conv2d(x, Tensor(np.ones((2, 4, 3, 3))), stride=2, padding="same")
    with pytest.raises(ValueError, match=r"'same' or 'valid', got 'full'"):
        F.conv1d(Tensor(np.ones((1, 4, 6))), Tensor(np.ones((2, 4, 3))), padding="full")
    with pytest.raises(ValueError, match=r"bias must have shape \(2,\)"):
        F.conv1d(Tensor(np.ones((1, 4, 6))), Tensor(np.ones((2, 4, 3))), Tensor(np.ones(3)))
    with pytest.raises(ValueError, match=r"\(N, C, D, H, W\)"):
        F.conv3d(Tensor(np.ones((4, 6, 6))), Tensor(np.ones((2, 4, 3, 3, 3))))
    with pytest.raises(ValueError, match=r"dilation \(2, 2\): it spans 5x5"):
        F.conv2d(Tensor(np.ones((1, 4, 4, 4))), Tensor(np.ones((2, 4, 3, 3))), dilation=2)
    with pytest.raises(ValueError, match="output_padding .* must be smaller than the stride"):
        F.conv_transpose2d(x, Tensor(np.ones((4, 2, 3, 3))), stride=2, output_padding=2)
    with pytest.raises(ValueError, match=r"input has 4 channels.*expects 3"):
        F.conv_transpose2d(x, Tensor(np.ones((3, 2, 3, 3))))
    with pytest.raises(ValueError, match="ConvTranspose2d: padding must be a number or pairs of numbers, got .same."):
        nn.ConvTranspose2d(4, 2, 3, padding="same")
    with pytest.raises(ValueError, match=r"MaxPool1d: padding 2 must be at most half"):
        nn.MaxPool1d(3, padding=2)
    with pytest.raises(ValueError, match="divisor_override must be a positive int"):
        F.avg_pool2d(x, 2, divisor_override=0)
    with pytest.raises(ValueError, match="give exactly one of size and scale_factor"):
        F.interpolate(x, size=3, scale_factor=2)
    with pytest.raises(ValueError, match=r"mode 'bilinear' is for 2-d data.*use 'linear'"):
        F.interpolate(Tensor(np.ones((1, 2, 5))), size=3, mode="bilinear")
    with pytest.raises(ValueError, match="align_corners is only for the linear modes"):
        F.interpolate(x, size=3, align_corners=True)
    with pytest.raises(ValueError, match="mode must be"):
        F.interpolate(x, size=3, mode="bicubic")


def test_an_encoder_decoder_trains_and_matches_torch():
    """Conv1d down, ConvTranspose1d up, MaxPool1d and Upsample in one network: loss and every
    parameter gradient as PyTorch computes them."""
    ours = nn.Sequential(nn.Conv1d(2, 4, 3, padding=1), nn.ReLU(), nn.MaxPool1d(2), nn.Upsample(scale_factor=2),
                         nn.ConvTranspose1d(4, 2, 4, stride=2, padding=1), nn.AdaptiveAvgPool1d(8))
    theirs = torch.nn.Sequential(torch.nn.Conv1d(2, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool1d(2),
                                 torch.nn.Upsample(scale_factor=2), torch.nn.ConvTranspose1d(4, 2, 4, stride=2, padding=1),
                                 torch.nn.AdaptiveAvgPool1d(8)).double()
    copy_params(ours, theirs)
    x = rng.standard_normal((3, 2, 8))
    loss = ((ours(Tensor(x)) - Tensor(x)) ** 2).mean()
    their_loss = ((theirs(torch.tensor(x)) - torch.tensor(x)) ** 2).mean()
    assert_same_loss_and_gradients(ours, loss, theirs, their_loss)


def test_float32_layers_stay_float32():
    x = Tensor(rng.standard_normal((2, 2, 6, 6)).astype(np.float32), requires_grad=True)
    model = nn.Sequential(
        nn.Conv2d(2, 4, 3, groups=2, dtype=np.float32), nn.AvgPool2d(2, padding=1, ceil_mode=True, count_include_pad=False),
        nn.ConvTranspose2d(4, 2, 2, stride=2, dtype=np.float32), nn.Upsample(size=(5, 5), mode="bilinear"),
        nn.AdaptiveAvgPool2d(2),
    )
    out = model(x)
    out.sum().backward()
    assert out.dtype == np.float32 and x.grad.dtype == np.float32
    assert all(p.grad.dtype == np.float32 for p in model.parameters())


def test_flatten_and_identity():
    x = rng.standard_normal((2, 3, 4, 5))
    compare(nn.Flatten(), torch.nn.Flatten(), x)
    compare(nn.Flatten(0, 1), torch.nn.Flatten(0, 1), x)
    compare(nn.Identity(), torch.nn.Identity(), x)


def test_maxout_is_the_max_of_linear_pieces():
    ours = nn.Maxout(4, 3, num_pieces=2)
    x = rng.standard_normal((5, 4))
    out = ours(Tensor(x)).data
    pieces = x @ ours.linear.weight.data.T + ours.linear.bias.data  # (5, 6): pieces 2j and 2j+1 form unit j
    np.testing.assert_allclose(out, np.maximum(pieces[:, 0::2], pieces[:, 1::2]))

    class TorchMaxout(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.linear = torch.nn.Linear(4, 6)

        def forward(self, x):
            return self.linear(x).view(x.shape[0], 3, 2).amax(-1)

    compare(nn.Maxout(4, 3, num_pieces=2), TorchMaxout(), x)
    with pytest.raises(ValueError, match="num_pieces=4"):
        F.maxout(Tensor(np.ones((2, 6))), 4)


# ----- activations ---------------------------------------------------------------------------
ACTIVATIONS = [
    (nn.ReLU(), torch.nn.ReLU()),
    (nn.Sigmoid(), torch.nn.Sigmoid()),
    (nn.Tanh(), torch.nn.Tanh()),
    (nn.LeakyReLU(), torch.nn.LeakyReLU()),
    (nn.LeakyReLU(0.2), torch.nn.LeakyReLU(0.2)),
    (nn.ELU(), torch.nn.ELU()),
    (nn.ELU(0.7), torch.nn.ELU(0.7)),
    (nn.Softplus(), torch.nn.Softplus()),
    (nn.Softplus(beta=2.0, threshold=5.0), torch.nn.Softplus(beta=2.0, threshold=5.0)),
    (nn.Softmax(dim=1), torch.nn.Softmax(dim=1)),
    (nn.Softmax(), torch.nn.Softmax(dim=-1)),
    (nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(dim=1)),
    (nn.PReLU(), torch.nn.PReLU()),
    (nn.PReLU(3, init=0.1), torch.nn.PReLU(3, init=0.1)),
    (nn.GELU(), torch.nn.GELU()),
    (nn.GELU("tanh"), torch.nn.GELU(approximate="tanh")),
    (nn.SiLU(), torch.nn.SiLU()),
    (nn.Mish(), torch.nn.Mish()),
    (nn.SELU(), torch.nn.SELU()),
    (nn.Hardtanh(), torch.nn.Hardtanh()),
    (nn.Hardtanh(-2.5, 0.0), torch.nn.Hardtanh(-2.5, 0.0)),
    (nn.LogSigmoid(), torch.nn.LogSigmoid()),
]


@pytest.mark.parametrize("ours, theirs", ACTIVATIONS, ids=lambda m: type(m).__name__)
def test_activation_matches_torch(ours, theirs):
    x = rng.standard_normal((4, 3, 5)) * 3
    x[0, 0, :3] = 0.0  # the kink, where the choice of derivative matters
    x[1, 1, :2] = [2.5, -2.5]  # beta * x == threshold for the Softplus case
    ours.zero_grad()
    compare(ours, theirs, x)


@pytest.mark.parametrize("ours, theirs", ACTIVATIONS, ids=lambda m: type(m).__name__)
def test_activation_extreme_inputs(ours, theirs):
    x = np.array([[-1000.0, -50.0, 0.0], [50.0, 1000.0, 1e4]])
    ours.zero_grad()
    out = compare(ours, theirs, x, atol=1e-12)
    assert np.all(np.isfinite(out.data))


def test_named_extreme_values():
    assert F.sigmoid(Tensor(1000.0)).item() == 1.0 and F.sigmoid(Tensor(-1000.0)).item() == 0.0
    assert F.softplus(Tensor(1000.0)).item() == 1000.0
    assert F.softplus(Tensor(-1000.0)).item() == 0.0
    x = Tensor([1000.0, -1000.0], requires_grad=True)
    F.softplus(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, [1.0, 0.0])


def test_prelu_slope_is_learned_and_checked():
    layer = nn.PReLU()
    assert [n for n, _ in layer.named_parameters()] == ["weight"]
    with pytest.raises(ValueError, match="3 channels"):
        F.prelu(Tensor(np.ones((2, 4))), Tensor(np.ones(3)))


# ----- batch normalisation ---------------------------------------------------------------------
@pytest.mark.parametrize("ours, theirs, shape", [
    (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), (6, 3)),
    (nn.BatchNorm1d(3), torch.nn.BatchNorm1d(3), (4, 3, 5)),
    (nn.BatchNorm2d(3), torch.nn.BatchNorm2d(3), (4, 3, 5, 2)),
    (nn.BatchNorm1d(3, momentum=None), torch.nn.BatchNorm1d(3, momentum=None), (6, 3)),
])
def test_batch_norm_training_eval_and_running_stats_match_torch(ours, theirs, shape):
    with no_grad():  # non-trivial gamma and beta
        ours.weight[...] = rng.uniform(0.5, 2, 3)
        ours.bias[...] = rng.standard_normal(3)
    theirs = theirs.double()
    for _ in range(3):
        ours.zero_grad()
        theirs.zero_grad()
        compare(ours, theirs, rng.standard_normal(shape) * 2 + 1)
    np.testing.assert_allclose(ours.running_mean.data, theirs.running_mean.numpy(), rtol=1e-12)
    np.testing.assert_allclose(ours.running_var.data, theirs.running_var.numpy(), rtol=1e-12)
    ours.eval()
    theirs.eval()
    ours.zero_grad()
    theirs.zero_grad()
    compare(ours, theirs, rng.standard_normal(shape))


def test_batch_norm_momentum_none_is_the_mean_of_all_batch_statistics():
    layer = nn.BatchNorm1d(2, momentum=None)
    batches = [rng.standard_normal((5, 2)) * (i + 1) + i for i in range(3)]
    for x in batches:
        layer(Tensor(x))
    np.testing.assert_allclose(layer.running_mean.data, np.mean([x.mean(axis=0) for x in batches], axis=0), rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, np.mean([x.var(axis=0, ddof=1) for x in batches], axis=0), rtol=1e-12)
    assert layer.num_batches_tracked.item() == 3
    assert "num_batches_tracked" in layer.state_dict()
    layer.eval()
    layer(Tensor(batches[0]))
    assert layer.num_batches_tracked.item() == 3  # eval does not count
    with pytest.raises(ValueError, match="momentum must be a number in \\[0, 1\\], or None"):
        nn.BatchNorm1d(2, momentum=1.5)
    with pytest.raises(ValueError, match="batch_norm: momentum.*momentum=None"):
        F.batch_norm(Tensor(batches[0]), Tensor(np.zeros(2)), Tensor(np.ones(2)), training=True, momentum=None)


def test_batch_norm_training_is_the_lecture_formula_with_biased_variance():
    layer = nn.BatchNorm1d(4, eps=1e-5)
    x = rng.standard_normal((8, 4)) * 3 + 2
    out = layer(Tensor(x)).data
    expected = (x - x.mean(axis=0)) / np.sqrt(x.var(axis=0) + 1e-5)  # np.var is the biased variance
    np.testing.assert_allclose(out, expected, rtol=1e-12)
    np.testing.assert_allclose(layer.running_var.data, 0.9 + 0.1 * x.var(axis=0, ddof=1))


def test_batch_norm_gradient_flows_through_batch_statistics():
    # sum over the batch of a normalised feature is always 0 (times gamma, plus N*beta), so its
    # gradient w.r.t. the input is 0 -- but only if the gradient goes through mean and variance.
    layer = nn.BatchNorm1d(3)
    x = Tensor(rng.standard_normal((5, 3)), requires_grad=True)
    layer(x).sum().backward()
    np.testing.assert_allclose(x.grad.data, 0.0, atol=1e-12)
    # (whereas treating mean/var as constants would give 1/sqrt(var + eps) per element)
    layer.eval()
    x.grad = None
    layer(x).sum().backward()
    assert np.all(np.abs(x.grad.data) > 0.5)


def test_batch_norm_eval_uses_running_statistics_and_checks_shapes():
    layer = nn.BatchNorm2d(2)
    with no_grad():
        layer.running_mean[...] = [1.0, -1.0]
        layer.running_var[...] = [4.0, 0.25]
    layer.eval()
    x = rng.standard_normal((3, 2, 2, 2))
    expected = (x - np.array([1.0, -1.0]).reshape(1, 2, 1, 1)) / np.sqrt(np.array([4.0, 0.25]).reshape(1, 2, 1, 1) + 1e-5)
    np.testing.assert_allclose(layer(Tensor(x)).data, expected)
    np.testing.assert_allclose(layer.running_mean.data, [1.0, -1.0])  # eval does not update
    with pytest.raises(ValueError, match=r"\(N, C, H, W\)"):
        layer(Tensor(np.ones((3, 2))))
    with pytest.raises(ValueError, match="more than one value per channel"):
        nn.BatchNorm1d(2)(Tensor(np.ones((1, 2))))


# ----- dropout and dropconnect ----------------------------------------------------------------
def test_dropout_training_zeroes_about_p_and_scales_survivors():
    nn.manual_seed(0)
    layer = nn.Dropout(0.3)
    x = np.ones((200, 500))
    out = layer(Tensor(x)).data
    zero_fraction = np.mean(out == 0)
    assert abs(zero_fraction - 0.3) < 0.01
    np.testing.assert_allclose(out[out != 0], 1 / 0.7)
    xt = Tensor(x, requires_grad=True)
    out = layer(xt)
    out.sum().backward()
    np.testing.assert_array_equal(xt.grad.data, out.data)  # gradient = mask / (1 - p)
    layer.eval()
    assert layer(xt) is xt or np.array_equal(layer(xt).data, x)


def test_vanilla_dropout_scales_at_test_time():
    layer = nn.Dropout(0.25, vanilla=True, generator=3)
    x = np.full((100, 100), 2.0)
    out = layer(Tensor(x)).data
    assert set(np.unique(out)) == {0.0, 2.0}
    assert abs(out.mean() - 1.5) < 0.05  # expected training output = (1 - p) x
    layer.eval()
    np.testing.assert_allclose(layer(Tensor(x)).data, 1.5)


def test_dropout_edge_cases_and_reproducibility():
    x = Tensor(np.ones((3, 4)))
    np.testing.assert_array_equal(F.dropout(x, 1.0).data, 0.0)
    np.testing.assert_array_equal(F.dropout(x, 0.0).data, 1.0)
    a = F.dropout(Tensor(np.ones(50)), 0.5, generator=7).data
    b = F.dropout(Tensor(np.ones(50)), 0.5, generator=7).data
    np.testing.assert_array_equal(a, b)
    layer = nn.Dropout(0.5, generator=7)
    assert not np.array_equal(layer(Tensor(np.ones(50))).data, layer(Tensor(np.ones(50))).data)
    with pytest.raises(ValueError, match="probability"):
        nn.Dropout(1.5)


def test_dropout_refuses_integer_inputs_and_boolean_p():
    with pytest.raises(TypeError, match=r"dropout: the input must be floating point.*int64"):
        F.dropout(Tensor(np.arange(3)), 0.5)
    with pytest.raises(TypeError, match="drop probability.*training=False"):
        F.dropout(Tensor(np.ones(3)), True)
    with pytest.raises(TypeError, match="drop probability"):
        F.dropout(Tensor(np.ones(3)), "0.5")
    with pytest.raises(TypeError, match="Dropout: p is the drop probability"):
        nn.Dropout(True)
    assert F.dropout(Tensor(np.ones(3)), np.float32(0.0)).data.tolist() == [1.0, 1.0, 1.0]


def test_dropconnect_masks_weights_in_training_only():
    layer = nn.DropConnect(20, 30, p=0.4, generator=0)
    x = Tensor(rng.standard_normal((1, 20)))
    dense = F.linear(x, layer.weight, layer.bias).data
    layer.eval()
    np.testing.assert_allclose(layer(x).data, dense)
    layer.train()
    # with a one-hot input, output j is bias_j + W[j, i] * mask[j, i] / (1 - p): each weight kept or dropped
    one_hot = np.zeros((1, 20))
    one_hot[0, 5] = 1.0
    outs = np.stack([layer(Tensor(one_hot)).data[0] for _ in range(200)])
    kept = np.isclose(outs, layer.bias.data + layer.weight.data[:, 5] / 0.6)
    dropped = np.isclose(outs, layer.bias.data)
    assert np.all(kept | dropped)
    assert abs(dropped.mean() - 0.4) < 0.05
    assert [n for n, _ in layer.named_parameters()] == ["weight", "bias"]


# ----- dtype -----------------------------------------------------------------------------------
def test_float32_model_stays_float32_through_forward_loss_and_backward():
    model = nn.Sequential(
        nn.Conv2d(1, 2, 3, padding=1, dtype=np.float32), nn.BatchNorm2d(2, dtype=np.float32), nn.ReLU(),
        nn.MaxPool2d(2), nn.AvgPool2d(1), nn.Flatten(), nn.Dropout(0.2), nn.Linear(8, 6, dtype=np.float32),
        nn.LeakyReLU(), nn.PReLU(dtype=np.float32), nn.ELU(), nn.Softplus(), nn.Tanh(),
        nn.Maxout(6, 3, dtype=np.float32), nn.DropConnect(3, 3, dtype=np.float32), nn.Sigmoid(),
    )
    x = Tensor(rng.standard_normal((4, 1, 4, 4)).astype(np.float32))
    out = model(x)
    assert out.dtype == np.float32
    target = np.array([0, 2, 1, 1])
    losses = [
        F.cross_entropy(out, target), F.cross_entropy(out, target, label_smoothing=0.1), F.nll_loss(out.log_softmax(), target),
        F.multi_margin_loss(out, target), F.mse_loss(out, np.ones((4, 3))), F.l1_loss(out, np.ones((4, 3))),
        F.binary_cross_entropy(out, np.ones((4, 3))), F.binary_cross_entropy_with_logits(out, np.ones((4, 3))),
        nn.l2_penalty(model.parameters()), nn.elastic_net_penalty(model.parameters(), 0.5),
    ]
    for loss in losses:
        assert loss.dtype == np.float32, loss
    sum(losses).backward()
    for name, p in model.named_parameters():
        assert p.grad.dtype == np.float32, name
    for name, b in model.named_buffers():
        assert b.dtype == np.float32, name


def test_module_to_converts_dtype():
    model = nn.Sequential(nn.Linear(2, 3), nn.BatchNorm1d(3)).to(np.float32)
    assert {t.dtype for t in list(model.parameters()) + list(model.buffers())} == {np.dtype(np.float32)}
    assert model(Tensor(np.ones((2, 2), dtype=np.float32))).dtype == np.float32


# ----- errors ----------------------------------------------------------------------------------
def test_shape_errors_name_the_shapes():
    with pytest.raises(ValueError, match=r"3 channels.*\(4, 2, 3, 3\)"):
        nn.Conv2d(2, 4, 3)(Tensor(np.ones((1, 3, 5, 5))))
    with pytest.raises(ValueError, match=r"\(N, C, H, W\).*\(C, H, W\).*x.reshape"):
        F.conv2d(Tensor(np.ones((5, 5))), Tensor(np.ones((1, 3, 2, 2))))
    with pytest.raises(ValueError, match="does not fit"):
        F.conv2d(Tensor(np.ones((1, 1, 2, 2))), Tensor(np.ones((1, 1, 3, 3))))
    with pytest.raises(ValueError, match=r"in_features=4.*\(2, 5\).*expected 4"):
        nn.Linear(4, 3)(Tensor(np.ones((2, 5))))
    with pytest.raises(ValueError, match=r"^DropConnect\(in_features=4, out_features=3.*\(2, 5\).*expected 4"):
        nn.DropConnect(4, 3)(Tensor(np.ones((2, 5))))
    with pytest.raises(ValueError, match=r"^linear: .*\(5,\).*expected 4 \(the weight has shape \(3, 4\)"):
        F.linear(Tensor(np.ones(5)), Tensor(np.ones((3, 4))))
    with pytest.raises(ValueError, match="at most half"):
        F.max_pool2d(Tensor(np.ones((1, 1, 4, 4))), 2, padding=2)


# ----- numerical gradients (first and second order) -----------------------------------------------
def small(*shape):
    return Tensor(rng.standard_normal(shape), requires_grad=True)


GRADCHECK_CASES = {
    "conv2d": (lambda x, w, b: F.conv2d(x, w, b, stride=2, padding=1), (small(2, 2, 5, 4), small(3, 2, 3, 2), small(3))),
    "max_pool2d": (lambda x: F.max_pool2d(x, 2, 1, 1), (small(1, 2, 4, 5),)),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1), (small(1, 2, 5, 5),)),
    "batch_norm": (lambda x, g, b: F.batch_norm(x, None, None, g, b, training=True), (small(4, 3, 2), small(3), small(3))),
    "softplus": (lambda x: F.softplus(x, beta=1.5), (small(3, 4),)),
    "elu": (lambda x: F.elu(x, 0.5), (small(3, 4),)),
    "prelu": (lambda x, a: F.prelu(x, a), (small(3, 2, 2), small(2))),
    "maxout": (lambda x: F.maxout(x, 3, dim=1), (small(2, 6, 2),)),
    "cross_entropy": (lambda x: F.cross_entropy(x, np.array([0, 2, 1]), label_smoothing=0.1), (small(3, 4),)),
    "bce_with_logits": (lambda x: F.binary_cross_entropy_with_logits(x, np.array([0.0, 1.0, 0.3])), (small(3),)),
    "multi_margin": (lambda x: F.multi_margin_loss(x, np.array([0, 2]), p=2), (small(2, 3),)),
}


@pytest.mark.parametrize("name", GRADCHECK_CASES)
def test_gradients_match_central_differences(name):
    from autograd import gradcheck

    fn, inputs = GRADCHECK_CASES[name]
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name", ["conv2d", "batch_norm", "softplus", "cross_entropy", "bce_with_logits"])
def test_second_derivatives_match_central_differences(name):
    from autograd import gradgradcheck

    fn, inputs = GRADCHECK_CASES[name]
    assert gradgradcheck(fn, inputs)


def test_bad_geometry_arguments_are_refused():
    x, w = Tensor(np.ones((1, 1, 4, 4))), Tensor(np.ones((1, 1, 2, 2)))
    with pytest.raises(ValueError, match="stride must be an int >= 1"):
        F.conv2d(x, w, stride=0)
    with pytest.raises(ValueError, match="padding must be an int >= 0"):
        F.conv2d(x, w, padding=-1)
    with pytest.raises(ValueError, match="kernel_size must be an int >= 1"):
        F.max_pool2d(x, 0)
    with pytest.raises(ValueError, match="stride"):
        F.avg_pool2d(x, 2, stride=1.5)


def test_small_cnn_matches_torch_end_to_end():
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, stride=2, padding=1), nn.ELU(), nn.AvgPool2d(2), nn.Flatten(), nn.Linear(6, 3),
    )
    theirs = torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Conv2d(4, 6, 3, stride=2, padding=1), torch.nn.ELU(), torch.nn.AvgPool2d(2), torch.nn.Flatten(),
        torch.nn.Linear(6, 3),
    ).double()
    copy_params(ours, theirs)
    x, y = rng.standard_normal((5, 1, 8, 8)), rng.integers(0, 3, 5)
    loss = F.cross_entropy(ours(Tensor(x)), y)
    their_loss = torch.nn.functional.cross_entropy(theirs(torch.tensor(x)), torch.tensor(y))
    assert_same_loss_and_gradients(ours, loss, theirs, their_loss)


def test_a_two_layer_network_learns_xor():
    nn.manual_seed(0)
    model = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 1))
    x = np.array([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = np.array([[0.0], [1.0], [1.0], [0.0]])
    for _ in range(500):
        model.zero_grad()
        loss = F.binary_cross_entropy_with_logits(model(Tensor(x)), y)
        loss.backward()
        with no_grad():
            for p in model.parameters():
                p -= 0.5 * p.grad
    assert loss.item() < 0.05
    np.testing.assert_array_equal(model(Tensor(x)).data > 0, y > 0.5)


# ----- embeddings, layer and group normalisation (issue #17) ------------------------------------
@pytest.mark.parametrize("padding_idx", [None, 2, -1])
def test_embedding_matches_torch_and_padding_gets_no_gradient(padding_idx):
    ours, theirs = nn.Embedding(6, 4, padding_idx=padding_idx, generator=0), torch.nn.Embedding(6, 4, padding_idx=padding_idx).double()
    copy_params(ours, theirs)
    tokens = np.array([[1, 2, 5], [2, 2, 0]])
    out = ours(tokens)
    upstream = rng.standard_normal(out.shape)
    (out * upstream).sum().backward()
    tout = theirs(torch.from_numpy(tokens))
    tout.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy())
    np.testing.assert_allclose(ours.weight.grad.data, theirs.weight.grad.numpy())
    if padding_idx is not None:
        assert not ours.weight.data[padding_idx].any() and not ours.weight.grad.data[padding_idx].any()
    assert out.shape == (2, 3, 4)


def test_embedding_is_reproducible_float32_and_checks_indices():
    a, b = nn.Embedding(5, 3, generator=7), nn.Embedding(5, 3, generator=7)
    np.testing.assert_array_equal(a.weight.data, b.weight.data)
    assert abs(nn.Embedding(1000, 10, generator=1).weight.data.std() - 1) < 0.05  # N(0, 1), as PyTorch
    small = nn.Embedding(5, 3, dtype=np.float32)
    out = small(np.array([0, 4]))
    out.sum().backward()
    assert out.dtype == small.weight.grad.dtype == np.float32
    with pytest.raises(IndexError, match="index 5 is out of range for 5 embeddings"):
        small(np.array([1, 5]))
    with pytest.raises(TypeError, match="integer indices"):
        small(np.array([1.0]))
    with pytest.raises(ValueError, match="padding_idx 5"):
        nn.Embedding(5, 3, padding_idx=5)


@pytest.mark.parametrize("ours, theirs, shape", [
    (nn.LayerNorm(5), torch.nn.LayerNorm(5), (4, 5)),
    (nn.LayerNorm((3, 5)), torch.nn.LayerNorm((3, 5)), (2, 3, 5)),
    (nn.LayerNorm(5, bias=False), torch.nn.LayerNorm(5, bias=False), (2, 3, 5)),
    (nn.LayerNorm(5, elementwise_affine=False), torch.nn.LayerNorm(5, elementwise_affine=False), (2, 5)),
    (nn.GroupNorm(2, 4), torch.nn.GroupNorm(2, 4), (3, 4, 5)),
    (nn.GroupNorm(1, 4), torch.nn.GroupNorm(1, 4), (2, 4, 3, 3)),
    (nn.GroupNorm(4, 4, affine=False), torch.nn.GroupNorm(4, 4, affine=False), (2, 4, 3)),
])
def test_layer_and_group_norm_match_torch(ours, theirs, shape):
    with no_grad():  # non-trivial scale and shift
        for p in ours.parameters():
            p[...] = rng.uniform(0.5, 2, p.shape)
    compare(ours, theirs, rng.standard_normal(shape) * 3 + 1)
    ours.eval(), theirs.eval()  # no running statistics: the same in eval
    compare(ours, theirs, rng.standard_normal(shape))


def test_layer_and_group_norm_keep_float32_and_check_shapes():
    x = Tensor(rng.standard_normal((2, 4, 3)).astype(np.float32), requires_grad=True)
    for layer in (nn.LayerNorm(3, dtype=np.float32), nn.GroupNorm(2, 4, dtype=np.float32)):
        out = layer(x)
        out.sum().backward()
        assert out.dtype == x.grad.dtype == np.float32
    with pytest.raises(ValueError, match="normalized_shape"):
        nn.LayerNorm(4)(x)
    with pytest.raises(ValueError, match=r"GroupNorm\(2, 6\).*\(N, 6, \.\.\.\)"):
        nn.GroupNorm(2, 6)(x)
    with pytest.raises(ValueError, match="divisible"):
        nn.GroupNorm(3, 4)


# ----- attention (issue #17) ----------------------------------------------------------------------
def test_attention_matches_torch_with_a_broadcast_mask_and_keeps_float32():
    q, k, v = rng.standard_normal((2, 3, 4, 8)), rng.standard_normal((2, 3, 6, 8)), rng.standard_normal((2, 3, 6, 5))
    mask = rng.random((1, 3, 4, 6)) > 0.3
    mask[0, 1, 2] = False  # a query that may attend to nothing: zeros, as PyTorch
    ours = [Tensor(a, requires_grad=True) for a in (q, k, v)]
    out = F.scaled_dot_product_attention(*ours, attn_mask=mask)
    theirs = [torch.tensor(a, requires_grad=True) for a in (q, k, v)]
    tout = torch.nn.functional.scaled_dot_product_attention(*theirs, attn_mask=torch.from_numpy(mask))
    upstream = rng.standard_normal(out.shape)
    (out * upstream).sum().backward()
    tout.backward(torch.from_numpy(upstream))
    np.testing.assert_allclose(out.data, tout.detach().numpy(), atol=1e-12)
    assert not out.data[:, 1, 2].any()
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a.grad.data, b.grad.numpy(), atol=1e-12)
    small = [Tensor(a.astype(np.float32)) for a in (q, k, v)]
    assert F.scaled_dot_product_attention(*small, is_causal=True).dtype == np.float32


def test_attention_dropout_is_seeded_and_inverted():
    q = Tensor(rng.standard_normal((1, 4, 8)))
    first = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, generator=3)
    again = F.scaled_dot_product_attention(q, q, q, dropout_p=0.5, generator=3)
    np.testing.assert_array_equal(first.data, again.data)
    plain = F.scaled_dot_product_attention(q, q, q)
    assert not np.allclose(first.data, plain.data)
    # inverted dropout of the attention weights: kept weights doubled, the draws of the seeded generator
    weights = torch.softmax(torch.from_numpy(q.data @ q.data.transpose(0, 2, 1) / np.sqrt(8)), -1).numpy()
    keep = np.random.default_rng(4).random(weights.shape) >= 0.5
    dropped = F.scaled_dot_product_attention(q, q, Tensor(np.eye(4)[None]), dropout_p=0.5, generator=4)
    np.testing.assert_allclose(dropped.data, weights * keep * 2)
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((4, 4), bool), is_causal=True)
    with pytest.raises(ValueError, match=r"query \(\.\.\., L, d\)"):
        F.scaled_dot_product_attention(q, Tensor(np.ones((1, 4, 3))), q)
