"""Training helpers: the fit loop, history, early stopping and ensembles and hyperparameter search.

    model = nn.Sequential(nn.Linear(2, 16), nn.ReLU(), nn.Linear(16, 2))
    optimizer = optim.Adam(model.parameters(), lr=0.01)
    history = fit(model, nn.CrossEntropyLoss(), optimizer, (X_train, y_train), epochs=50,
                  val_data=(X_val, y_val), callbacks=[EarlyStopping(patience=5)])
    history.plot()

Data are numpy arrays (or anything yielding (xb, yb) batches, such as `nn.data.DataLoader`);
each batch becomes a Tensor only when it is passed to the model and the loss.
"""
from nn.training.callbacks import Callback, EarlyStopping, Snapshots
from nn.training.ensemble import Ensemble, predict, predict_proba
from nn.training.history import History, accuracy, binary_accuracy
from nn.training.loop import evaluate, fit
from nn.training.search import Choice, IntUniform, LogUniform, SearchResult, Uniform, grid_search, random_search

__all__ = [
    "fit", "evaluate", "predict_proba", "predict", "accuracy", "binary_accuracy", "History",
    "Callback", "EarlyStopping", "Snapshots", "Ensemble",
    "LogUniform", "Uniform", "IntUniform", "Choice", "random_search", "grid_search", "SearchResult",
]
