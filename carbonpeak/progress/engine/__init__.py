"""Pure Python/numpy progress evaluation (no Django): forecasts, status, project roll-ups."""
