"""Carbonpeak: a district Carbon Peak Implementation Plan (碳达峰实施方案) platform."""

__version__ = "0.1.0"
