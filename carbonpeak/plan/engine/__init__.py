"""Pure Python helpers over the plan's own terms (no Django): the time convention and target trajectories."""
