"""Pure Python/numpy progress evaluation (no Django): trajectories, forecasts, status, project roll-ups."""
