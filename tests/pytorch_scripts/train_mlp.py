"""A short PyTorch training script, written as a PyTorch user writes it: an MLP with batch norm
on three Gaussian blobs, mini-batch SGD with momentum and a step schedule.

tests/test_pytorch_scripts.py runs it with PyTorch and with chalkgrad, changing only the import
lines (`import torch` -> `import autograd as torch`, `import torch.nn as nn` -> `import nn`, ...).
Run it with PyTorch directly: python tests/pytorch_scripts/train_mlp.py
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim

torch.manual_seed(0)

# three blobs on a circle of radius 3, labels 0, 1, 2
n, n_classes = 300, 3
angles = torch.arange(n_classes) * (2 * math.pi / n_classes)
centers = 3 * torch.stack([angles.cos(), angles.sin()], dim=1)
y = torch.randint(0, n_classes, (n,))
X = centers[y] + 0.7 * torch.randn(n, 2)

perm = torch.randperm(n)
X_train, y_train = X[perm[:240]], y[perm[:240]]
X_test, y_test = X[perm[240:]], y[perm[240:]]
X_train_mean, X_train_std = X_train.mean(dim=0, keepdim=True), X_train.std(dim=0, keepdim=True)
X_train = (X_train - X_train_mean) / X_train_std
X_test = (X_test - X_train_mean) / X_train_std


class MLP(nn.Module):
    def __init__(self, n_in, n_hidden, n_out):
        super().__init__()
        self.fc1 = nn.Linear(n_in, n_hidden)
        self.bn1 = nn.BatchNorm1d(n_hidden)
        self.fc2 = nn.Linear(n_hidden, n_out)

    def forward(self, x):
        x = F.relu(self.bn1(self.fc1(x)))
        return self.fc2(x)


model = MLP(2, 32, n_classes)
print(f"{sum(p.numel() for p in model.parameters())} parameters")
optimizer = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
scheduler = optim.lr_scheduler.StepLR(optimizer, step_size=10, gamma=0.5)
batch_size = 32

losses = []
for epoch in range(20):  # noqa: B007 - written as a PyTorch user writes it
    model.train()
    order = torch.randperm(X_train.shape[0])
    epoch_loss = 0.0
    for i in range(0, X_train.shape[0], batch_size):
        idx = order[i:i + batch_size]
        xb, yb = X_train[idx], y_train[idx]
        logits = model(xb)
        loss = F.cross_entropy(logits, yb)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        epoch_loss += loss.item() * len(xb)
    scheduler.step()
    losses.append(epoch_loss / len(X_train))

model.eval()
with torch.no_grad():
    probs = F.softmax(model(X_test), dim=1)
    confidence, pred = probs.max(dim=1)
    accuracy = (pred == y_test).float().mean().item()
print(f"loss {losses[0]:.4f} -> {losses[-1]:.4f}, test accuracy {accuracy:.3f}, "
      f"mean confidence {confidence.mean().item():.3f}")
