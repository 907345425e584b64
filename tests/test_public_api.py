"""The public names SPEC.md lists are a contract: they must stay importable exactly so."""
import importlib

import pytest

CONTRACT = {
    "autograd": "Tensor no_grad enable_grad grad gradcheck gradgradcheck numerical_grad Function detect_anomaly "
    "draw_graph backprop_steps",
    "nn": "Module Parameter Sequential ModuleList Linear Conv2d MaxPool2d AvgPool2d Flatten Dropout BatchNorm1d "
    "BatchNorm2d Sigmoid Tanh ReLU LeakyReLU PReLU ELU Softplus Maxout Softmax LogSoftmax MSELoss L1Loss BCELoss "
    "BCEWithLogitsLoss CrossEntropyLoss NLLLoss MultiMarginLoss save load init functional",
    "optim": "SGD Adagrad RMSprop Adam AdamW LBFGS lr_scheduler clip_grad_norm_ clip_grad_value_",
    "optim.lr_scheduler": "StepLR MultiStepLR ExponentialLR InverseTimeLR CosineAnnealingLR LinearDecayLR "
    "InverseSqrtLR LinearWarmup ReduceLROnPlateau",
}


@pytest.mark.parametrize("module", sorted(CONTRACT))
def test_public_names_are_importable(module):
    imported = importlib.import_module(module)
    missing = [name for name in CONTRACT[module].split() if not hasattr(imported, name)]
    assert not missing, f"{module} lost public names: {missing}"


def test_tensor_has_the_documented_attributes():
    from autograd import Tensor

    t = Tensor([1.0, 2.0], requires_grad=True, name="t")
    for attribute in ("data", "grad", "shape", "dtype", "ndim", "item", "numpy", "backward", "detach",
                      "requires_grad_", "zero_grad", "register_hook", "retain_grad", "name", "grad_fn"):
        assert hasattr(t, attribute), attribute
