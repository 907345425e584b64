"""optim: optimisers and learning-rate schedules that update parameters under no_grad."""
