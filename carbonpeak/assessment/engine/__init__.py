"""Pure numpy engine of the assessment app (no Django): allocation, scoring, barometer, reward split.

Every function works on arrays with one entry per assessed unit (towns, departments, key energy-consuming
units), so 1,000 units cost about as much as 11.
"""
